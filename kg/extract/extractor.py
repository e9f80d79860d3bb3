"""The extractor: ``Iterable[Paper]`` → ``Iterator[PaperExtraction]``, streaming in batches through spaCy; the user's
curation file (``kg.extract.curation``) is applied to each paper last."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from kg.config import Settings, load_settings
from kg.extract.abbreviations import find_abbreviations
from kg.extract.candidates import Candidate
from kg.extract.canonical import collect_acronyms, read_overrides
from kg.extract.components import ensure_extensions
from kg.extract.confidence import load_scorer
from kg.extract.curation import Curation, apply_curation, curation_for
from kg.extract.linker import Linker
from kg.extract.normalize import norm_key
from kg.extract.pipeline import build_nlp
from kg.extract.vocab import Vocabulary, load_vocabulary
from kg.model import Paper, PaperExtraction, TextField
from ontology import VOCAB_DIR


def load_stoplist(path: Path) -> frozenset[str]:
    """Normalised terms of a stoplist file (one per line, '#' comments)."""
    if not path.is_file():
        return frozenset()
    lines = (ln.strip() for ln in path.read_text(encoding="utf-8").splitlines())
    return frozenset(norm_key(ln) for ln in lines if ln and not ln.startswith("#"))


class Extractor:
    """Holds the spaCy pipeline and the linker; build once, reuse for every paper."""

    def __init__(self, settings: Settings | None = None, vocab_dir: Path | None = None,
                 tagger_dir: Path | None = None, curation: Curation | None = None) -> None:
        self.settings = settings or load_settings()
        # The user's decisions, applied to every extraction (None: the file the settings name, if any).
        self.curation: Curation = curation if curation is not None else curation_for(self.settings)
        vocab_dir = vocab_dir or VOCAB_DIR
        ensure_extensions()
        self.vocabulary: Vocabulary = load_vocabulary(vocab_dir)
        self.nlp = build_nlp(self.settings, vocab_dir, tagger_dir)
        self.linker = Linker(self.vocabulary, load_stoplist(vocab_dir / "stoplist.txt"), scorer=load_scorer(),
                             min_confidence=self.settings.min_confidence)
        self.overrides_path = vocab_dir / "acronym_overrides.jsonl"

    def learn_acronyms(self, papers: Iterable[Paper]) -> int:
        """One cheap pass over the corpus (no spaCy): learn which long form each acronym stands for, so a paper
        writing only "ViT" links to the entity others define as "Vision Transformer (ViT)". Returns how many."""
        self.linker.acronyms = collect_acronyms(papers, read_overrides(self.overrides_path))
        return len(self.linker.acronyms)

    def set_strict(self, strict: bool) -> None:
        """Strict (default): links for a knowledge graph — the tagger's spans pass the name-shape rules and the
        links the scorer's threshold. Not strict: every tagger span counts (mention-level evaluation)."""
        self.linker.strict_ner = strict

    def with_curation(self, curation: Curation) -> Extractor:
        """This extractor (same pipeline, vocabulary and linker) applying ``curation`` instead."""
        other = copy.copy(self)
        other.curation = curation
        return other

    def extract_one(self, paper: Paper) -> PaperExtraction:
        return next(self.extract([paper]))

    def extract(self, papers: Iterable[Paper]) -> Iterator[PaperExtraction]:
        """Stream extractions in input order; memory is bounded by the batch size."""
        it = iter(papers)
        batch_size = max(1, self.settings.batch_size)
        while batch := list(islice(it, batch_size)):
            docs = []
            for p in batch:
                for fld, text in (("title", p.title), ("abstract", p.abstract)):
                    doc = self.nlp.make_doc(text)
                    doc.user_data["kg_text"] = text  # spaCy's tokenizer is lossless: doc.text == text
                    doc._.kg_field = fld
                    docs.append(doc)
            processed = list(self.nlp.pipe(docs, batch_size=len(docs)))
            for i, paper in enumerate(batch):
                title_doc, abstract_doc = processed[2 * i], processed[2 * i + 1]
                # Each component stamps its candidates with its doc's field.
                cands: list[Candidate] = [*(title_doc._.kg_candidates or ()), *(abstract_doc._.kg_candidates or ())]
                abbrs: dict[TextField, list] = {
                    "title": find_abbreviations(paper.title),
                    "abstract": find_abbreviations(paper.abstract),
                }
                yield apply_curation(self.curation, self.linker.link(paper, cands, abbrs))
