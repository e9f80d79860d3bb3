"""The tagger's decoder (kg.extract.biluo) and word snapping (kg.extract.tagger.snap), pure."""

from __future__ import annotations

import numpy as np
import pytest

from kg.extract.biluo import decode
from kg.extract.tagger import snap

TAGS = ["O", "B-METHOD", "I-METHOD", "L-METHOD", "U-METHOD", "U-TASK", "B-TASK", "L-TASK"]


def _probs(tags: list[str], p: float = 0.9) -> np.ndarray:
    """Logits whose softmax gives probability ``p`` to each token's tag (the tagger outputs logits)."""
    out = np.full((len(tags), len(TAGS)), (1 - p) / (len(TAGS) - 1))
    for i, t in enumerate(tags):
        out[i, TAGS.index(t)] = p
    return np.log(out)


@pytest.mark.parametrize(("tags", "spans"), [
    (["O", "B-METHOD", "I-METHOD", "L-METHOD", "O"], [(1, 4, "METHOD")]),
    (["U-METHOD", "U-TASK"], [(0, 1, "METHOD"), (1, 2, "TASK")]),
    (["B-METHOD", "I-METHOD", "O"], [(0, 2, "METHOD")]),          # no L: closed at O
    (["I-METHOD", "L-METHOD"], [(0, 2, "METHOD")]),               # no B: opened at I
    (["B-METHOD", "L-TASK"], [(0, 1, "METHOD"), (1, 2, "TASK")]),  # label change closes
    (["O", "O"], []),
])
def test_tagger_decode_repairs_biluo_sequences(tags, spans):
    assert [(s, e, lab) for s, e, lab, _ in decode(_probs(tags), TAGS)] == spans


def test_tagger_decode_scores_are_mean_tag_probabilities():
    logits = _probs(["B-METHOD", "L-METHOD"])
    logits[1] = np.log(np.full(len(TAGS), 0.5 / (len(TAGS) - 1)))
    logits[1, TAGS.index("L-METHOD")] = np.log(0.5)
    ((_, _, _, score),) = decode(logits, TAGS)
    assert score == pytest.approx(0.7)
    assert 0.0 <= score <= 1.0


def test_tagger_decode_scores_of_raw_logits_are_probabilities():
    """The tagger's output layer gives unnormalised logits at inference: scores must still be in [0, 1]."""
    logits = np.array([[0.0, 9.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 12.0, 0.0, 0.0, 0.0, 0.0]])
    ((_, _, label, score),) = decode(logits, TAGS)
    assert label == "METHOD" and 0.99 < score <= 1.0


def test_tagger_decode_empty_doc():
    assert decode(np.zeros((0, len(TAGS))), TAGS) == []


@pytest.mark.parametrize(("word", "expected"), [
    ("Knowledge-", "Knowledge-Grounded"), ("Grounded", "Knowledge-Grounded"), ("GPT-4o", "GPT-4o"),
    ("taker Training", "Call-taker Training"),
])
def test_tagger_snap_widens_to_whole_words_but_not_over_qualifiers(word, expected):
    text = "We use Knowledge-Grounded search, GPT-4o-based agents and (Call-taker Training)."
    i = text.find(word)
    s, e = snap(text, i, i + len(word))
    assert text[s:e] == expected
