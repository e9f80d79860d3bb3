"""The learned NER, run only where it pays (``kg_ner``).

At paper level only named methods and datasets in the abstract that no vocabulary matched
become links from the NER (see ``Linker._ner_verdict``), so in selective mode the model reads
only short windows around such uncovered names (capitalised or mixed-case tokens, acronyms,
names with digits) instead of every sentence — roughly 3× faster for the same links. Full mode
(every sentence of every field) serves mention-level evaluation.

Input: docs with ``doc._.kg_candidates`` from the gazetteer; output: the same docs with NER
candidates added (component "ner"), offsets in the doc's own text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from kg.extract.candidates import Candidate
from kg.extract.components import (
    NER_LABELS,
    _add,
    _sentence_bounds,
    doc_text,
    ensure_extensions,
    sentence_token_bounds,
    token_columns,
)

# A token that may name something: inner capital or digit (PerCo, GPT4), an acronym, or — in a run of
# capitalised words ("Custom-Designed Decoding Tree") — a capitalised word that does not start its sentence.
_SEPARATOR = "\n\n"
_NAMEISH = re.compile(r"^(?:[A-Za-z][a-z]*[A-Z0-9]|[A-Z]{2})")


class SelectiveNer:
    def __init__(self, model_dir: str, selective: bool, score: float, window: int) -> None:
        ensure_extensions()
        self.ner_nlp = spacy.load(model_dir, exclude=["parser", "tagger", "lemmatizer", "attribute_ruler"])
        self.selective = selective
        self.score = score
        self.window = window

    def regions(self, doc: Doc) -> list[tuple[int, int, list[tuple[int, int]]]]:
        """(start_char, end_char, focus spans) of the text the model should read; focus None = keep all."""
        if not self.selective:
            text = doc_text(doc)
            return [(0, len(text), [])] if text.strip() else []
        if doc._.kg_field != "abstract":
            return []
        covered = [(c.start, c.end) for c in (doc._.kg_candidates or ())]
        text = doc_text(doc)
        idx, length, is_start = token_columns(doc)
        words = [text[i:i + n] for i, n in zip(idx, length, strict=True)]
        n_tok = len(words)

        def capitalised_neighbour(i: int) -> bool:
            return any(0 <= j < n_tok and words[j][:1].isupper() and not (j == i - 1 and is_start[j])
                       for j in (i - 1, i + 1))

        windows: list[list[int]] = []
        focus: list[tuple[int, int]] = []
        for i, word in enumerate(words):
            if not (_NAMEISH.match(word) or (word[:1].isupper() and not is_start[i] and capitalised_neighbour(i))):
                continue
            s, e = idx[i], idx[i] + length[i]
            if any(cs <= s and e <= ce for cs, ce in covered):
                continue
            sent_start, sent_end = sentence_token_bounds(doc, i)
            lo = max(sent_start, i - self.window)
            hi = min(sent_end, i + self.window + 1)
            focus.append((s, e))
            if windows and lo <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], hi)
            else:
                windows.append([lo, hi])
        out = []
        for lo, hi in windows:
            s, e = idx[lo], idx[hi - 1] + length[hi - 1]
            out.append((s, e, [f for f in focus if s <= f[0] and f[1] <= e]))
        return out

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        for batch in minibatch(docs, batch_size):
            # One model doc per input doc: its regions joined by blank lines (per-doc overhead dominates the
            # model's cost on short windows), each piece remembering where it came from.
            jobs = []
            for doc in batch:
                pieces, parts, pos = [], [], 0
                for s, e, focus in self.regions(doc):
                    pieces.append((pos, s, e - s, focus))
                    parts.append(doc_text(doc)[s:e])
                    pos += e - s + len(_SEPARATOR)
                if parts:
                    jobs.append((doc, pieces, _SEPARATOR.join(parts)))
            for (doc, pieces, _), sub in zip(jobs, self.ner_nlp.pipe(j[2] for j in jobs), strict=True):
                found = []
                for ent in sub.ents:
                    etype = NER_LABELS.get(ent.label_)
                    piece = next((p for p in pieces if p[0] <= ent.start_char and ent.end_char <= p[0] + p[2]), None)
                    if etype is None or piece is None:
                        continue
                    start = piece[1] + ent.start_char - piece[0]
                    end = start + (ent.end_char - ent.start_char)
                    if self.selective and not any(start < fe and fs < end for fs, fe in piece[3]):
                        continue
                    span = doc.char_span(start, end, alignment_mode="expand")
                    if span is None:
                        continue
                    s0, s1 = _sentence_bounds(doc, span.start)
                    found.append(Candidate(doc._.kg_field, start, end, doc_text(doc)[start:end], etype, "ner",
                                           self.score, s0, s1))
                _add(doc, found)
            yield from batch


@Language.factory("kg_ner", default_config={"model_dir": "", "selective": True, "score": 0.6, "window": 3})
def make_selective_ner(nlp: Language, name: str, model_dir: str, selective: bool, score: float,
                       window: int) -> SelectiveNer:
    if not Path(model_dir).is_dir():
        raise ValueError(f"kg_ner: no NER model at {model_dir!r}")
    return SelectiveNer(model_dir, selective, score, window)
