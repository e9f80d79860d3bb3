"""Registered spaCy components. Each writes ``Candidate`` records to ``doc._.kg_candidates``.

- ``kg_gazetteer``: curated vocabularies matched with PhraseMatchers (case-sensitive
  ORTH for acronyms, LOWER otherwise, plural and hyphen/space variants added), each
  match carrying its canonical entity id.
- ``kg_patterns``: named things found by cue patterns ("we propose X", "X, a novel …",
  "the X dataset", "X benchmark"), for entities no vocabulary knows yet.
- ``kg_tagger`` (kg/extract/tagger.py): the trained entity tagger adds "tagger" candidates.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import cast

from spacy.attrs import IDX, LENGTH, SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from kg.extract.candidates import Candidate
from kg.extract.vocab import Vocabulary
from kg.model import EntityType

NER_LABELS: dict[str, EntityType] = {"METHOD": "method", "TASK": "task", "DATASET": "dataset", "METRIC": "metric"}


def ensure_extensions() -> None:
    """Register the Doc extensions the components use (idempotent; called by the factories, not at import)."""
    if not Doc.has_extension("kg_candidates"):
        Doc.set_extension("kg_candidates", default=None)
    if not Doc.has_extension("kg_field"):
        Doc.set_extension("kg_field", default="abstract")


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per doc: spaCy rebuilds it from every token on each access, which cost a third
    of extraction time when called per region and per candidate."""
    text = doc.user_data.get("kg_text")
    if text is None:
        text = doc.user_data["kg_text"] = doc.text
    return text


def token_columns(doc: Doc) -> tuple[list[int], list[int], list[bool]]:
    """Per token: character offset, length, and whether it starts a sentence — read once per doc as arrays
    (iterating ``doc`` builds a Python ``Token`` per token, which was a fifth of extraction time)."""
    cols = doc.user_data.get("kg_tokens")
    if cols is None:
        arr = doc.to_array([IDX, LENGTH, SENT_START])
        # SENT_START is 1 for a start, -1 (as uint64) inside a sentence and 0 where nothing set it
        cols = doc.user_data["kg_tokens"] = (arr[:, 0].tolist(), arr[:, 1].tolist(), (arr[:, 2] == 1).tolist())
    return cols


def sentence_token_bounds(doc: Doc, token_i: int) -> tuple[int, int]:
    """Token range [start, end) of the sentence holding token ``token_i``; sentence starts are computed once per
    doc (``doc.has_annotation`` and ``token.sent`` each walk the whole doc, which dominated extraction time)."""
    starts = doc.user_data.get("kg_sent_starts")
    if starts is None:
        is_start = token_columns(doc)[2]
        starts = [i for i, s in enumerate(is_start) if s] if doc.has_annotation("SENT_START") else []
        starts = doc.user_data["kg_sent_starts"] = starts or [0]
    k = max(bisect_right(starts, token_i) - 1, 0)
    return starts[k], (starts[k + 1] if k + 1 < len(starts) else len(doc))


def _sentence_bounds(doc: Doc, token_i: int) -> tuple[int, int]:
    """Character bounds of the sentence holding token ``token_i``."""
    if len(doc) == 0:
        return 0, 0
    first, end_tok = sentence_token_bounds(doc, token_i)
    idx, length, _ = token_columns(doc)
    return idx[first], idx[end_tok - 1] + length[end_tok - 1]


def _add(doc: Doc, cands: Iterable[Candidate]) -> None:
    if doc._.kg_candidates is None:
        doc._.kg_candidates = []
    doc._.kg_candidates.extend(cands)


def _variants(form: str, case_sensitive: bool) -> set[str]:
    """Surface variants matched for one form: itself, plural, hyphen ↔ space."""
    out = {form}
    if "-" in form and not case_sensitive:
        out.add(form.replace("-", " "))
    if " " in form and not case_sensitive and len(form.split()) <= 4:
        out.add(form.replace(" ", "-"))
    for v in list(out):  # noqa: PERF101  (the set grows while we look)
        last = v.split()[-1]
        if case_sensitive:
            if v[-1].isupper() and len(v) >= 2:
                out.add(v + "s")  # CNNs, LLMs, ViTs
        elif last.isalpha() and len(last) > 2 and not last.endswith("s"):
            out.add(v + ("es" if last.endswith(("ch", "sh", "x")) else "s"))
    return out


# Word parts after a hyphen that qualify a name rather than extend it ("BERT-based", "CLIP-like", "GPT-4-style").
QUALIFIERS = frozenset({"based", "like", "style", "driven", "guided", "aware", "free", "level", "specific", "enabled",
                        "powered", "augmented", "centric", "only", "wise", "scale", "type", "related", "oriented",
                        "inspired", "generated", "derived", "initialized", "finetuned", "tuned", "trained"})


def inside_longer_name(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is part of a longer hyphenated or versioned name — "GPT-4o" in "GPT-4o-mini",
    "JEPA" in "V-JEPA", "Qwen3" in "Qwen3-VL" — rather than the name itself (or qualified: "BERT-based")."""
    if start >= 2 and text[start - 1] == "-" and text[start - 2].isalnum():
        return True
    if end + 1 < len(text) and text[end] == "-" and text[end + 1].isalnum():
        word = text[end + 1:].split(None, 1)[0]
        head = "".join(ch for ch in word.split("-", 1)[0] if ch.isalnum())
        return head.lower() not in QUALIFIERS
    return False


def _hyphenated_modifier(text: str, start: int, end: int, forms: Iterable[str]) -> bool:
    """Whether a match is a multiword name hyphenated into a modifier of the next word — "inference-time scaling"
    is not the metric "inference time" — rather than one of the name's own spellings."""
    surface = text[start:end]
    if "-" not in surface or any(surface.lower() == f.lower() for f in forms):
        return False
    rest = text[end:]
    return rest[:1] == " " and rest[1:2].isalpha() and rest[1:2].islower()


class Gazetteer:
    def __init__(self, nlp: Language, vocabulary: Vocabulary) -> None:
        ensure_extensions()
        self.vocabulary = vocabulary
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        exact: dict[str, set[str]] = {}
        lower: dict[str, set[str]] = {}
        for form, entry, cs in vocabulary.matchable():
            for v in _variants(form, cs):
                (exact if cs else lower).setdefault(entry.id, set()).add(v if cs else v.lower())
        # Patterns are tokenized by a copy of the pipeline's tokenizer: tens of thousands of one-off forms in the
        # real tokenizer's cache made it ~3x slower on every document afterwards.
        tokenizer = Tokenizer(nlp.vocab)
        tokenizer.from_bytes(cast(Tokenizer, nlp.tokenizer).to_bytes())
        for table, matcher in ((exact, self.exact), (lower, self.lower)):
            for eid in sorted(table):
                matcher.add(eid, list(tokenizer.pipe(sorted(table[eid]))))

    def __call__(self, doc: Doc) -> Doc:
        found = []
        strings = doc.vocab.strings
        text = doc_text(doc)
        for matcher in (self.exact, self.lower):
            for match_id, start, end in matcher(doc):
                eid = strings[match_id]
                entry = self.vocabulary.get(eid)
                if entry is None:  # the matcher only knows ids of this vocabulary
                    continue
                span = doc[start:end]
                if inside_longer_name(text, span.start_char, span.end_char) or \
                        _hyphenated_modifier(text, span.start_char, span.end_char, entry.surface_forms()):
                    continue
                s0, s1 = _sentence_bounds(doc, start)
                found.append(
                    Candidate(doc._.kg_field, span.start_char, span.end_char, span.text, entry.type,
                              "gazetteer", 0.9, s0, s1, vocab_id=eid)
                )
        _add(doc, found)
        return doc


@Language.factory("kg_gazetteer", default_config={"vocab_dir": None})
def make_gazetteer(nlp: Language, name: str, vocab_dir: str | None) -> Gazetteer:
    from pathlib import Path

    from kg.extract.vocab import load_vocabulary
    from ontology import VOCAB_DIR

    return Gazetteer(nlp, load_vocabulary(Path(vocab_dir) if vocab_dir else VOCAB_DIR))


# A "named thing": a word with a capital or digit after its first letter (SparseFormer, NGAME, mPLUG, GPT-4),
# optionally followed by another such word or a version ("Llama 2", "ViT-B/16").
_NAME = r"(?:[A-Za-z0-9]+-)*(?:[A-Za-z][a-z]*[A-Z0-9][\w+\-.]*[\w+]|[A-Z]{2,}[\w+\-]*)"
_NAMED = rf"{_NAME}(?:[ \-]{_NAME}|[ \-]v?\d+(?:\.\d+)?[A-Za-z]?)?"
_PROPOSE = re.compile(
    r"\b(?:[Ww]e|[Tt]his (?:paper|work|study|report))\s+(?:(?:also|further|then|first)\s+)?"
    r"(?:propose|introduce|present|develop|design|release|build|construct|contribute|curate|create|name|dub|call|term)[sd]?\b"
    r"[^.;:]{0,120}?\b(" + _NAMED + r")"
)
_CALLED = re.compile(r"\b(?:called|dubbed|named|termed|coined)\s+(?:as\s+)?[\"“']?(" + _NAMED + r")")
_APPOSITIVE = re.compile(r"(?:^|[.;]\s+|\bwe\s+\w+\s+)(" + _NAMED + r"),\s+an?\s+(?:\w+[\s-]){0,3}?(?:novel|new|simple|general|unified|efficient|scalable|lightweight|light-weight|large-scale|first)\b")
_DATASET = re.compile(r"\b(" + _NAMED + r")\s+(?:dataset|benchmark|corpus|challenge|test set|leaderboard)s?\b")
_DATASET_KIND = re.compile(r"\b(?:dataset|benchmark|corpus|suite)\b", re.I)
_MODIFIER_SUFFIX = re.compile(r"-(?:based|style|like|driven|guided|aware|free|level|scale|specific|agnostic|inspired|"
                              r"enhanced|augmented|powered|centric|oriented|sized|type|only|compatible|friendly)$", re.I)


class Patterns:
    """Cue patterns over the text; candidates are typed method (or dataset when the cue says so)."""

    def __init__(self) -> None:
        ensure_extensions()

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        found = []

        def add(m: re.Match[str], etype: EntityType, cue: str, score: float) -> None:
            if _MODIFIER_SUFFIX.search(m.group(1)):
                return  # "we build BERT-based encoders": a name used as a modifier is not what the paper proposes
            span = doc.char_span(m.start(1), m.end(1), alignment_mode="contract")
            if span is None or not span.text.strip():
                return
            s0, s1 = _sentence_bounds(doc, span.start)
            found.append(Candidate(doc._.kg_field, span.start_char, span.end_char, span.text, etype, "pattern",
                                   score, s0, s1, cue=cue))

        for m in _PROPOSE.finditer(text):
            tail = text[m.end(1): m.end(1) + 40]
            add(m, "dataset" if _DATASET_KIND.search(tail[:25]) else "method", "proposes", 0.75)
        for rx in (_CALLED, _APPOSITIVE):
            for m in rx.finditer(text):
                tail = text[m.end(1): m.end(1) + 60]
                add(m, "dataset" if _DATASET_KIND.search(tail) else "method", "proposes", 0.7)
        for m in _DATASET.finditer(text):
            add(m, "dataset", "dataset", 0.7)
        _add(doc, found)
        return doc


@Language.factory("kg_patterns")
def make_patterns(nlp: Language, name: str) -> Patterns:
    return Patterns()
