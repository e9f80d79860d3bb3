"""Linking: one paper's candidates → canonical entities, roles, confidence, evidence (pure, spaCy-free).

Input: the paper, its candidates per field, its abbreviation definitions and the
vocabulary. Output: a ``PaperExtraction`` with one ``Link`` per entity, sorted by id.
Within a paper, an acronym and its long form are one entity; every other
occurrence of a named thing the paper defines or proposes is found too.
Architectures come from explicit mentions and from what the vocabulary says
about the methods the paper uses (``architectures`` of a vocabulary entry).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from kg.extract.abbreviations import Abbreviation
from kg.extract.candidates import Candidate, resolve_overlaps
from kg.extract.canonical import AcronymTable
from kg.extract.confidence import LinkScorer, architecture_features, link_features, name_shape
from kg.extract.normalize import canonical_key, norm_key, strip_acronym_plural
from kg.extract.roles import (
    DEFAULT_ROLE,
    after_proposal_cue,
    first_proposal,
    in_proposal_sentence,
    is_background,
    is_compared,
    is_negated,
)
from kg.extract.vocab import Vocabulary
from kg.ids import found_entity_id
from kg.model import Entity, EntityType, Link, Mention, Paper, PaperExtraction, Role, TextField

# Head nouns that type an unknown long form ("Extreme Classification" → task).
_HEAD_TYPES: tuple[tuple[re.Pattern[str], EntityType], ...] = (
    (re.compile(r"\b(?:dataset|data set|benchmark|corpus|corpora|treebank|suite)s?$", re.I), "dataset"),
    (re.compile(r"\b(?:score|error|rate|accuracy|precision|recall|distance|divergence|ratio|similarity|"
                r"perplexity|bleu|rouge)s?$", re.I), "metric"),
    (re.compile(r"\b(?:classification|detection|recognition|segmentation|translation|generation|estimation|"
                r"prediction|answering|retrieval|summari[sz]ation|parsing|tracking|captioning|synthesis|"
                r"completion|forecasting|reconstruction|matching|localization|localisation|counting|"
                r"understanding|reasoning|labell?ing|tagging|compression|inpainting|editing|grounding|"
                r"verification|extraction|identification|diarization|separation|enhancement|planning|"
                r"navigation|manipulation|alignment|search|ranking|recommendation|linking)$", re.I), "task"),
    (re.compile(r"\b(?:network|net|model|transformer|former|encoder|decoder|learning|training|tuning|"
                r"optimization|optimisation|attention|algorithm|method|mechanism|distillation|"
                r"quantization|pruning|sampling|regularization|normalization|embedding|augmentation|"
                r"descent|search|layer|module|block|architecture|machine|policy|prompting|decoding|"
                r"adaptation|generation|loss|objective|estimator|framework|system|pipeline)s?$", re.I),
     "method"),
)
_NAMED_FORM = re.compile(r"[A-Z0-9]")
# A web or code address names where a thing is, not a thing ("https://github.com/x/SfMamba").
_ADDRESS = re.compile(r"://|\bwww\.|\bgithub\.com/|\bhuggingface\.co/", re.I)
_ACRONYM = re.compile(r"\b[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9-]*\b")
_TITLE_NAME = re.compile(r"^\s*([^:]{2,60}?)\s*:\s+\S")
# A coined token: an inner capital or a digit (SparseFormer, mPLUG, GPT-4o), or three or more capitals (NGAME).
_COINED = re.compile(r"^(?:.+[A-Z0-9].*|[A-Z]{3,}[A-Za-z0-9]*|.*\d.*)$")
# Acronyms so common they name a field or a kind, not a thing: "AI systems", "LLM agents" are not names.
_FIELD_ACRONYMS = frozenset({"AI", "ML", "DL", "LLM", "LLMs", "NLP", "CV", "RL", "SOTA", "GPU", "GPUs", "API", "APIs",
                             "VLM", "VLMs", "MLLM", "MLLMs", "LM", "LMs", "IoT", "UAV", "UAVs", "GenAI",
                             # imaging and record modalities: "RGB images", "CXR data" describe data, not a dataset
                             "RGB", "RGBD", "RGB-D", "CXR", "MRI", "CT", "PET", "EHR", "EHRs", "SAR", "LiDAR", "EEG",
                             "ECG", "fMRI", "3D", "2D", "4D"})


def looks_named(phrase: str) -> bool:
    """Whether a phrase has the shape of a name rather than a description: a coined token that is not a field
    acronym ("SparseFormer", "GPT-4o", "NGAME"), not merely Title Case ("Bridging Language Gaps")."""
    return any(_COINED.match(w.strip("()[],.;:")) and w.strip("()[],.;:") not in _FIELD_ACRONYMS
               for w in re.split(r"[\s\-/]+", phrase) if len(w) > 1)
_WORDCHAR = re.compile(r"\w")


@dataclass
class _Group:
    entity: Entity
    cands: list[Candidate] = field(default_factory=list)
    cues: set[str] = field(default_factory=set)


# What the text calls a name it introduces: "Impostor, a high-quality … dataset", "TraceEval (…) benchmarks",
# "two datasets: CtrlAni3D … and CtrlAVES3D". A benchmark is a dataset (GUIDELINE), whatever a pattern or the
# tagger first read. Right of the name: within the clause, before any other noun decides; left: a list it opens.
_DATA_KIND = r"(?:datasets?|data\s?sets?|benchmarks?|corpus|corpora|test\s?beds?|testbeds?|leaderboards?|suites?)"
_KIND_AFTER = re.compile(r"^(?:\s*\([^()]{0,60}\))?(?:\s*,\s*(?:a|an|the)\s+((?:[\w\-]+\s+){0,6}?)|\s+)" + _DATA_KIND
                         + r"\b", re.I)
# Words that end the appositive's head before a data noun: "FooNet, a network trained on a new dataset".
_NOT_MODIFIER = re.compile(r"^(?:on|of|for|with|in|by|from|to|that|which|and|or|trained|built|using|via|"
                           r"network|model|framework|method|approach|system|architecture|algorithm|pipeline|agent|"
                           r"module|technique|strategy|paradigm|mechanism|tool|toolkit|library)s?$", re.I)
_KIND_BEFORE = re.compile(_DATA_KIND + r"\s*(?::|,?\s+(?:such as|including|like|namely))\s+(?:[^.;]{0,120}?)$", re.I)
# A coined name shaped like a benchmark's: TaxCalcBench, SWE-bench, TraceEval, HotpotQA, NExT-QA.
_BENCH_NAME = re.compile(r"(?:[a-z0-9](?:Bench|Eval|QA)|-(?:[Bb]ench|Eval|QA))(?:[-\s]?v?\d+(?:\.\d+)?)?$")


def named_as_data(text: str, start: int, end: int, name: str) -> bool:
    """Whether the text (or the name's shape) says the name at ``text[start:end]`` is a dataset or benchmark."""
    if _BENCH_NAME.search(name):
        return True
    clause_end = min((i for i in (text.find(". ", end), text.find(";", end)) if i >= 0), default=len(text))
    m = _KIND_AFTER.search(text[end:min(clause_end, end + 90)])
    if m and not any(_NOT_MODIFIER.match(w) for w in (m.group(1) or "").split()):
        return True
    return bool(_KIND_BEFORE.search(text[max(0, start - 160):start]))


def guess_type(phrase: str) -> EntityType | None:
    """Entity type suggested by the head noun of an unknown phrase, or None."""
    for rx, etype in _HEAD_TYPES:
        if rx.search(phrase.strip()):
            return etype
    return None


def _occurrences(text: str, form: str) -> Iterable[tuple[int, int]]:
    """Word-bounded exact occurrences of ``form`` in ``text`` (plural "s" allowed after acronyms)."""
    # str.find, not a regex per form: thousands of distinct forms overflow re's compile cache.
    n = len(form)
    if not n:
        return
    s = text.find(form)
    while s >= 0:
        e = s + n + (1 if text.startswith("s", s + n) else 0)  # like the former regex `form s?`: greedy, no overlap
        if not ((s > 0 and _WORDCHAR.match(text[s - 1])) or (e < len(text) and _WORDCHAR.match(text[e]))):
            yield s, e
        s = text.find(form, e)


def _sentence_of(text: str, pos: int) -> tuple[int, int]:
    start = max(text.rfind(". ", 0, pos), text.rfind("? ", 0, pos), text.rfind("! ", 0, pos))
    start = 0 if start < 0 else start + 2
    end = text.find(". ", pos)
    return start, (len(text) if end < 0 else end + 1)


class Linker:
    """Per-paper linking with a fixed vocabulary and stoplist."""

    def __init__(self, vocabulary: Vocabulary, stoplist: frozenset[str] = frozenset(),
                 acronyms: AcronymTable | None = None, strict_ner: bool = True, scorer: LinkScorer | None = None,
                 min_confidence: float = 0.0) -> None:
        self.vocabulary = vocabulary
        self.stoplist = stoplist
        self.strict_ner = strict_ner
        self.acronyms = acronyms or AcronymTable()
        self.scorer = scorer
        self.min_confidence = min_confidence
        # When a list, every scored link appends (paper id, entity, features): what tools.ner.link_model fits on.
        self.feature_sink: list[tuple[str, Entity, dict[str, float]]] | None = None
        self._paper_id = ""
        self._defined: set[str] = set()
        self._defined_longs: set[str] = set()

    # ------------------------------------------------------------------ entities
    def _vocab_entity(self, eid: str) -> Entity:
        entry = self.vocabulary.get(eid)
        if entry is not None:
            return entry.entity()
        etype, _, slug = eid.partition("/")
        return Entity(eid, etype, slug.replace("-", " "))  # type: ignore[arg-type]

    def _new_entity(self, etype: EntityType, label: str, alias: str = "", reason: str = "") -> Entity | None:
        key = norm_key(label)
        if not key or key in self.stoplist or len(key) < 2 or _ADDRESS.search(label):
            return None
        known = self.vocabulary.lookup(label, etype) or (self.vocabulary.lookup(alias, etype) if alias else None)
        if known is None:
            # A name the vocabulary knows under one other type (a tagger's "COCO" read as a method) is that entry:
            # the curated type is surer than one reading, and a second IRI would split the entity.
            other = self.vocabulary.lookup(label)
            if other is not None and other.type != "architecture":
                known = other
        if known is not None:
            return known.entity()
        aliases = (alias,) if alias else ()
        # The id is the canonical key's, typeless: every spelling of the name ("Hugging Face", "HuggingFace") and every
        # paper's reading of its type is one IRI (the build decides the type from all the readings).
        return Entity(found_entity_id(canonical_key(label)), etype, label, aliases, (), (reason,) if reason else ())

    # ------------------------------------------------------------------ main
    def link(
        self,
        paper: Paper,
        candidates: list[Candidate],
        abbreviations: dict[TextField, list[Abbreviation]],
    ) -> PaperExtraction:
        texts: dict[TextField, str] = {"title": paper.title, "abstract": paper.abstract}
        self._paper_id = paper.id
        self._sentences: dict[tuple[str, int, int], bool] = {}
        # Every short form this paper defines, typed or not: the corpus' reading never overrides the paper's own
        # ("general practitioners (GPs)" is not the corpus' Gaussian process).
        self._defined = {strip_acronym_plural(ab.short) for abbrs in abbreviations.values() for ab in abbrs}
        self._defined_longs = {norm_key(ab.long) for abbrs in abbreviations.values() for ab in abbrs}
        cands = list(candidates)
        cands.extend(self._title_name(paper.title, cands))
        by_field: dict[TextField, list[Candidate]] = {
            f: resolve_overlaps([c for c in cands if c.field == f], prefer_ner=not self.strict_ner)
            for f in ("title", "abstract")
        }
        groups: dict[str, _Group] = {}
        short_to_entity: dict[str, Entity] = {}

        def group_for(entity: Entity) -> _Group:
            g = groups.get(entity.id)
            if g is None:
                g = groups[entity.id] = _Group(entity)
            return g

        # 1. abbreviation definitions: acronym and long form are one entity
        for fld, abbrs in abbreviations.items():
            for ab in abbrs:
                ent = self._abbreviation_entity(ab, by_field[fld])
                if ent is None:
                    continue
                short_to_entity[ab.short] = ent
                sent = _sentence_of(texts[fld], ab.long_start)
                for s, e, text in ((ab.long_start, ab.long_end, ab.long), (ab.short_start, ab.short_end, ab.short)):
                    by_field[fld] = [c for c in by_field[fld] if c.end <= s or c.start >= e]
                    g = group_for(ent)
                    g.cands.append(Candidate(fld, s, e, text, ent.type, "abbreviation", 0.85, sent[0], sent[1]))
                    if in_proposal_sentence(texts[fld][sent[0]:sent[1]]) and ent.type in ("method", "dataset") \
                            and self.vocabulary.get(ent.id) is None:
                        g.cues.add("proposes")

        # 2. every other candidate
        short_keys = {norm_key(k): v for k, v in short_to_entity.items()}
        paper_forms: dict[str, Entity] = {}
        for fcands in by_field.values():
            for c in fcands:
                if c.vocab_id:
                    ent = self._vocab_entity(c.vocab_id)
                elif c.text in short_to_entity or norm_key(c.text) in short_keys:
                    ent = short_to_entity.get(c.text) or short_keys[norm_key(c.text)]
                elif norm_key(c.text) in paper_forms:
                    ent = paper_forms[norm_key(c.text)]  # same name as an entity already found in this paper
                else:
                    cue = self._ner_verdict(c, texts[c.field]) if c.component in ("ner", "tagger") else c.cue
                    if cue is None:
                        continue
                    c = replace(c, cue=cue)
                    ent = self._corpus_acronym_entity(c.text, c.type) or self._new_entity(c.type, c.text)
                if ent is None:
                    continue
                g = group_for(ent)
                g.cands.append(c)
                paper_forms.setdefault(norm_key(c.text), ent)
                if c.cue:
                    g.cues.add(c.cue)

        # 2b. acronyms the corpus defines elsewhere, written bare in this paper
        for fld, text in texts.items():
            for m in _ACRONYM.finditer(text):
                s0, e0 = m.start(), m.end()
                if any(c.field == fld and c.start < e0 and s0 < c.end for g in groups.values() for c in g.cands):
                    continue
                res = self.acronyms.get(m.group(0))
                etype = guess_type(res.long) if res else None
                ent = self._corpus_acronym_entity(m.group(0), etype) if etype else None
                if ent is None:
                    continue
                sent = _sentence_of(text, s0)
                group_for(ent).cands.append(Candidate(fld, s0, e0, m.group(0), ent.type, "acronym", 0.75, *sent))

        # 3. further occurrences of named things the paper defines or proposes (acronyms are not in any vocabulary)
        for g in list(groups.values()):
            if g.entity.id in self.vocabulary:
                continue
            forms = {c.text for c in g.cands if _NAMED_FORM.search(c.text)}
            for fld, text in texts.items():
                for form in forms:
                    for s, e in _occurrences(text, form):
                        if any(c.field == fld and c.start == s and c.end == e for c in g.cands):
                            continue
                        others = [(gg, c) for gg in groups.values() for c in gg.cands
                                  if c.field == fld and c.start < e and s < c.end]
                        # A proposed name takes its every occurrence from shorter known words inside it
                        # ("Point-BERT" over "BERT"); otherwise an occurrence already claimed stays claimed.
                        if "proposes" in g.cues and others and all(
                                s <= c.start and c.end <= e and (c.end - c.start) < (e - s) for _, c in others):
                            for gg, c in others:
                                if c.type != "architecture":
                                    gg.cands.remove(c)
                        elif others:
                            continue
                        s0, s1 = _sentence_of(text, s)
                        g.cands.append(Candidate(fld, s, e, text[s:e], g.entity.type, "coreference", 0.7, s0, s1))

        # A name the paper introduces and calls a dataset or benchmark is one, whatever a method cue read first.
        for gid, g in list(groups.items()):
            if g.entity.type == "method" and g.entity.id not in self.vocabulary and any(
                    named_as_data(texts[c.field], c.start, c.end, c.text) for c in g.cands):
                known = self.vocabulary.lookup(g.entity.label, "dataset")
                g.entity = known.entity() if known is not None else replace(g.entity, type="dataset")
                g.cands = [replace(c, type="dataset") for c in g.cands]
                if g.entity.id != gid:  # now a vocabulary dataset, which may have its own group already
                    del groups[gid]
                    target = group_for(g.entity)
                    target.cands.extend(g.cands)
                    target.cues |= g.cues

        made = [self._make_link(g, texts) for g in groups.values()]
        links = [lk for lk in made if lk is not None]
        links.extend(self._architectures(links))
        if self.scorer is not None and "architecture" in self.scorer.weights:
            links = self._score_architectures(links)
        return PaperExtraction(paper, tuple(sorted(links, key=lambda lk: lk.entity.id)))

    # ------------------------------------------------------------------ helpers
    def _ner_verdict(self, c: Candidate, text: str) -> str | None:
        """Whether a span only the learned NER found becomes a link: None drops it, otherwise the cue it carries.

        Measured on seed-dev, NER-only spans are mostly right when they are named methods or datasets in the
        abstract ("PerCo", "DDRNet-23-slim", "Custom-Designed Decoding Tree") and mostly wrong otherwise
        (generic phrases typed as tasks or metrics; Title Case words of titles), so only those pass when
        ``strict_ner`` is on (paper-level linking). Mention-level evaluation turns it off.
        """
        if not self.strict_ner:
            return ""
        if c.component == "tagger":
            if len(c.text) < 2 or norm_key(c.text) in self.stoplist or self._generic(c.text):
                return None
            return ""
        if c.field != "abstract" or c.type not in ("method", "dataset") or len(c.text) < 3:
            return None
        if any(ch in c.text for ch in "()[]") or norm_key(c.text) in self.stoplist:
            return None
        words = c.text.split()
        inner_capital = any(_NAMED_FORM.search(w[1:]) for w in words)
        title_case = len(words) >= 2 and all(w[0].isupper() for w in words if len(w) > 3)
        return "" if inner_capital or title_case else None

    def _proposal_sentence(self, texts: dict[TextField, str], c: Candidate) -> bool:
        """``in_proposal_sentence`` of the candidate's sentence, once per sentence of the paper."""
        key = (c.field, c.sent_start, c.sent_end)
        found = self._sentences.get(key)
        if found is None:
            found = self._sentences[key] = in_proposal_sentence(texts[c.field][c.sent_start:c.sent_end])
        return found

    def _generic(self, phrase: str) -> bool:
        """A description, not a name: its head is a generic noun ("AI systems", "LLM agents", "SOTA methods",
        "RGB images") and nothing in it is coined, unless the paper defines it as an acronym's long form."""
        return bool(name_shape(phrase)["generic_head"]) and not looks_named(phrase) \
            and norm_key(phrase) not in self._defined_longs

    def _corpus_acronym_entity(self, text: str, etype: EntityType | None) -> Entity | None:
        """The entity a bare acronym stands for according to the corpus-wide table, or None.

        Only when the paper does not define the acronym itself, the table's spelling is the text's (case matters:
        "VLLMs" is not "vLLM"), and the long form's type agrees with what the text's candidate says."""
        res = self.acronyms.get(text)
        if res is None or etype is None:
            return None
        short = strip_acronym_plural(text)
        if short in self._defined or short != strip_acronym_plural(res.short):
            return None
        guessed = guess_type(res.long)
        if (guessed is not None and guessed != etype) or etype == "architecture":
            return None
        return self._new_entity(etype, res.long, res.short, res.reason)

    def _title_name(self, title: str, cands: list[Candidate]) -> list[Candidate]:
        """"NGAME: Negative Mining-aware …" → the name before the colon is what the paper proposes."""
        m = _TITLE_NAME.match(title)
        if not m:
            return []
        name = m.group(1).strip()
        if len(name.split()) > 4 or norm_key(name) in self.stoplist:
            return []
        # The text before a title's colon is a proposed name only when it looks like one (a coined token, or an
        # acronym the paper defines) — not a title-cased phrase ("Bridging Language Gaps: …").
        if not looks_named(name) and strip_acronym_plural(name) not in self._defined:
            return []
        s, e = m.start(1), m.start(1) + len(name)
        known = [c for c in cands if c.field == "title" and c.vocab_id and c.start <= s and c.end >= e]
        if known:
            return []
        etype: EntityType = guess_type(name) or "method"
        return [Candidate("title", s, e, name, etype, "pattern", 0.8, 0, len(title), cue="proposes")]

    def _abbreviation_entity(self, ab: Abbreviation, cands: list[Candidate]) -> Entity | None:
        def overlapping(s: int, e: int) -> list[Candidate]:
            return [c for c in cands if c.start < e and s < c.end]

        long_c = [c for c in overlapping(ab.long_start, ab.long_end) if c.vocab_id and c.end - c.start >= (ab.long_end - ab.long_start) * 0.6]
        short_c = [c for c in overlapping(ab.short_start, ab.short_end) if c.vocab_id]
        for c in long_c + short_c:
            return self._vocab_entity(c.vocab_id)
        for form in (ab.long, ab.short):
            entry = self.vocabulary.lookup(form)
            if entry is not None:
                return entry.entity()
        typed = [c.type for c in overlapping(ab.long_start, ab.long_end) + overlapping(ab.short_start, ab.short_end)]
        etype = guess_type(ab.long) or (typed[0] if typed else None)
        if etype is None or etype == "architecture":
            return None
        return self._new_entity(etype, ab.long, ab.short, f"acronym definition: {ab.long} ({ab.short})")

    def _make_link(self, g: _Group, texts: dict[TextField, str]) -> Link | None:
        etype = g.entity.type
        mentions: list[Mention] = []
        negated = compared = 0
        for c in sorted(g.cands, key=lambda c: (c.field != "title", c.start)):
            text = texts[c.field]
            mentions.append(Mention(c.field, c.start, c.end, text[c.start:c.end], text[c.sent_start:c.sent_end].strip(),
                                    c.component, round(c.score, 3)))
            if is_negated(text, c.start, c.sent_start):
                negated += 1
            elif is_compared(text, c.start, c.sent_start):
                compared += 1
        if not mentions:
            return None
        # A name no vocabulary knows, introduced after "we propose / introduce …", is the paper's own.
        if etype in ("method", "dataset") and g.entity.id not in self.vocabulary and any(
                after_proposal_cue(texts[c.field], c.start, c.sent_start) for c in g.cands):
            g.cues.add("proposes")
        n = len(mentions)
        role: Role
        if "proposes" in g.cues and etype in ("method", "dataset"):
            role = "proposes"
        elif negated == n:
            role = "mentions"
        elif etype == "method" and compared * 2 >= n and compared:
            role = "compares"
        else:
            role = DEFAULT_ROLE[etype]
        best = max(m.score for m in mentions)
        conf = min(0.99, best + 0.03 * (n - 1) + (0.05 if any(m.field == "title" for m in mentions) else 0.0))
        if self.scorer is not None and etype != "architecture":
            entry = self.vocabulary.get(g.entity.id)
            abstract = texts["abstract"]
            first = abstract[:abstract.find(". ") + 1 or None]
            contribution = first_proposal(abstract)
            feats = link_features(
                etype, g.entity.label, mentions, in_vocab=entry is not None,
                curated=entry is not None and entry.source == "curated",
                defined=any(c.component == "abbreviation" for c in g.cands), cues=g.cues,
                compared=compared / n, negated=negated / n,
                first_sentence=any(m.field == "abstract" and m.end <= len(first) for m in mentions),
                in_proposal=any(self._proposal_sentence(texts, c) for c in g.cands),
                before_proposal=contribution > 0 and all(m.field == "abstract" and m.end <= contribution
                                                         for m in mentions),
                background=sum(is_background(texts[c.field], c.start, c.sent_start) for c in g.cands) / len(g.cands))
            if self.feature_sink is not None:
                self.feature_sink.append((self._paper_id, g.entity, feats))
            conf = self.scorer.score(etype, feats)
            proposed = self.scorer.role_score("proposes", feats) if etype in ("method", "dataset") else None
            if proposed is not None and role in ("uses", "proposes", "evaluates_on"):
                role = "proposes" if proposed >= 0.5 else DEFAULT_ROLE[etype]
        if role == "mentions":
            conf = min(conf, 0.5)
        return Link(self._with_merge_reasons(g.entity, mentions), role, round(conf, 3), tuple(mentions),
                    asserted=conf >= self.min_confidence)

    def _with_merge_reasons(self, entity: Entity, mentions: list[Mention]) -> Entity:
        """Record why each surface form that differs from the label was linked to this entity."""
        reasons = set(entity.merged_because)
        label_key = norm_key(entity.label)
        entry = self.vocabulary.get(entity.id)
        vocab_keys = {norm_key(f) for f in entry.surface_forms()} if entry else set()
        for m in mentions:
            if m.text == entity.label or m.component.startswith("inferred:"):
                continue
            key = norm_key(m.text)
            if key == label_key:
                reasons.add(f"{m.text!r} is a case/plural/hyphenation variant of {entity.label!r}")
            elif key in vocab_keys:
                reasons.add(f"{m.text!r} is an alias of {entity.label!r} in the curated vocabulary")
        if len(reasons) == len(entity.merged_because):
            return entity
        return replace(entity, merged_because=tuple(sorted(reasons)))

    def _score_architectures(self, links: list[Link]) -> list[Link]:
        """Each architecture link's confidence from the scorer's architecture model: is the family one the paper's
        own work uses, or only named in passing? (see ``architecture_features``)."""
        out = []
        for lk in links:
            if lk.entity.type != "architecture" or lk.role == "mentions":
                out.append(lk)
                continue
            sources = [s for s in links if s.entity.type != "architecture" and lk.entity.id in s.entity.architectures]
            feats = architecture_features(lk.entity.id, lk.mentions, [(s.role, s.confidence) for s in sources])
            if self.feature_sink is not None:
                self.feature_sink.append((self._paper_id, lk.entity, feats))
            conf = self.scorer.score("architecture", feats) if self.scorer is not None else lk.confidence
            out.append(replace(lk, confidence=round(conf, 3), asserted=conf >= self.min_confidence))
        return out

    def _architectures(self, links: list[Link]) -> list[Link]:
        """Architecture links implied by the methods the paper proposes, uses or compares with."""
        explicit = {lk.entity.id for lk in links if lk.entity.type == "architecture"}
        implied: dict[str, list[Mention]] = defaultdict(list)
        sources: dict[str, list[str]] = defaultdict(list)
        for lk in links:
            if lk.role == "mentions" or lk.entity.type == "architecture":
                continue
            for arch in lk.entity.architectures:
                if arch in explicit:
                    continue
                sources[arch].append(lk.entity.id)
                implied[arch].extend(replace(m, component=f"inferred:{lk.entity.id}") for m in lk.mentions[:1])
        out = []
        for arch in sorted(implied):
            conf = 0.8 if len(sources[arch]) > 1 else 0.7
            out.append(Link(self._vocab_entity(arch), "uses", conf, tuple(implied[arch])))
        return out
