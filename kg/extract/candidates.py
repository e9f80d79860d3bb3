"""The record the spaCy components hand to the linker: one candidate mention, spaCy-free."""

from __future__ import annotations

from dataclasses import dataclass

from kg.model import EntityType, TextField

# Which component wins when candidates overlap: curated vocabulary first, the learned NER last.
COMPONENT_PRIORITY = {"gazetteer": 0, "abbreviation": 1, "pattern": 2, "tagger": 3, "ner": 4}
# Components whose spans compete on length: a proposed name, a vocabulary name, and the tagger (trained on how far a
# name reaches in the guideline: "multi-object image editing" over the vocabulary's "image editing").
_LENGTH_TIER = frozenset({"gazetteer", "tagger"})


@dataclass(frozen=True)
class Candidate:
    """A span that may name an entity.

    ``vocab_id`` is the curated entity id when the gazetteer matched it, else "".
    ``sent_start``/``sent_end`` delimit the sentence in the same field's text.
    """

    field: TextField
    start: int
    end: int
    text: str
    type: EntityType
    component: str
    score: float
    sent_start: int
    sent_end: int
    vocab_id: str = ""
    cue: str = ""  # a pattern cue that found it: "proposes", "dataset", ...


def resolve_overlaps(cands: list[Candidate], prefer_ner: bool = False) -> list[Candidate]:
    """Keep a non-overlapping subset: by component priority (proposed names rank with the vocabulary),
    then longer spans, then earlier ones. ``prefer_ner`` puts the learned NER's spans first (mention-level
    evaluation, where gold marks mentions the way the NER was trained to)."""
    def rank(c: Candidate) -> tuple[int, int, int, int]:
        prio = -1 if prefer_ner and c.component == "ner" else COMPONENT_PRIORITY.get(c.component, 9)
        # A name the paper proposes ("Point-BERT: …", "Block Transformer: …") competes with the vocabulary on
        # length, so a known word inside it ("BERT", "Transformer") does not cut it short.
        tier = 0 if c.cue == "proposes" or c.component in _LENGTH_TIER else prio
        return tier, -(c.end - c.start), prio, c.start

    ranked = sorted(cands, key=rank)
    taken: list[tuple[int, int]] = []
    proposed: list[tuple[int, int]] = []
    kept: list[Candidate] = []
    for c in ranked:
        if any(c.start < e and s < c.end for s, e in taken):
            # An architecture word inside a proposed name still says what the new thing is built on
            # ("Hierarchical Autoregressive Transformers" → decoder-only).
            if not (c.type == "architecture" and any(s <= c.start and c.end <= e for s, e in proposed)):
                continue
        else:
            taken.append((c.start, c.end))
            if c.cue == "proposes":
                proposed.append((c.start, c.end))
        kept.append(c)
    return sorted(kept, key=lambda c: (c.start, c.end))
