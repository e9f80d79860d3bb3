"""The learned entity tagger (``kg_tagger``): a spaCy tagger over BILUO tags, run on every title and abstract.

Trained by ``python -m tools.ner.tagger`` on arXiv abstracts annotated to the project's guideline (plus public
corpora where they help); shipped in ``kg/extract/tagger_model``. Its token vectors come from a small hash-embedding
CNN, and ``kg.extract.biluo.decode`` turns the tag probabilities into spans, which costs a fraction of spaCy's
transition-based NER on the same text.

In: docs made by the extraction pipeline's tokenizer (the tagger was trained on the same tokens). Out: the same docs
with "tagger" candidates added to ``doc._.kg_candidates`` (offsets in the doc's own text, score = the span's mean tag
probability).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import cast

import spacy
from spacy.language import Language
from spacy.pipeline import Tagger
from spacy.tokens import Doc
from spacy.util import minibatch

from kg.extract.biluo import decode
from kg.extract.candidates import Candidate
from kg.extract.components import (
    NER_LABELS,
    QUALIFIERS,
    _add,
    _sentence_bounds,
    doc_text,
    ensure_extensions,
    token_columns,
)

TAGGER_MODEL_DIR = Path(__file__).resolve().parent / "tagger_model"

_OPEN = "([{\"'“‘"
_CLOSE = ",.;:!?)]}\"'”’"


def snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole words: the tokenizer splits hyphenated compounds, and a span that stops at a
    hyphen ("Knowledge-" of "Knowledge-Grounded") names nothing; a qualifying suffix ("-based") stays outside."""
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in _OPEN:
        start -= 1
    while end < len(text) and not text[end].isspace() and text[end] not in _CLOSE:
        if text[end] == "-":
            rest = text[end + 1:]
            word = rest[:len(rest) - len(rest.lstrip("abcdefghijklmnopqrstuvwxyz"))]
            if word in QUALIFIERS:
                break
        end += 1
    return start, end


def tagger_model_available(path: Path = TAGGER_MODEL_DIR) -> bool:
    return (path / "meta.json").is_file() and (path / "config.cfg").is_file()


class EntityTagger:
    def __init__(self, model_dir: str, min_score: float) -> None:
        ensure_extensions()
        tagger = cast(Tagger, spacy.load(model_dir).get_pipe("tagger"))
        self.model = tagger.model
        self.tags = list(tagger.labels)
        self.min_score = min_score

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        for batch in minibatch(docs, batch_size):
            live = [d for d in batch if len(d)]
            for doc, probs in zip(live, self.model.predict(live) if live else [], strict=True):
                idx, length, _ = token_columns(doc)
                text = doc_text(doc)
                found = []
                for start, end, label, score in decode(probs, self.tags):
                    etype = NER_LABELS.get(label)
                    if etype is None or score < self.min_score:
                        continue
                    s, e = snap(text, idx[start], idx[end - 1] + length[end - 1])
                    if e - s < 2 or not any(ch.isalnum() for ch in text[s:e]):
                        continue
                    s0, s1 = _sentence_bounds(doc, start)
                    found.append(Candidate(doc._.kg_field, s, e, text[s:e], etype, "tagger", round(score, 3), s0, s1))
                _add(doc, found)
            yield from batch


@Language.factory("kg_tagger", default_config={"model_dir": "", "min_score": 0.0})
def make_entity_tagger(nlp: Language, name: str, model_dir: str, min_score: float) -> EntityTagger:
    if not Path(model_dir).is_dir():
        raise ValueError(f"kg_tagger: no tagger model at {model_dir!r}")
    return EntityTagger(model_dir, min_score)
