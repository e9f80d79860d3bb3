"""BILUO tag scores → entity spans, pure (numpy only): the decoder of the extraction tagger.

In: one document's tag scores (tokens × tags: the tagger's output layer, which at inference gives unnormalised
logits) and the tag names ("O", "B-METHOD", "I-METHOD", "L-METHOD", "U-METHOD", …). Out: ``(start_token,
end_token, label, score)`` per span, where ``score`` is the mean softmax probability of the chosen tags over the
span's tokens, in [0, 1].

Greedy and forgiving: each token takes its most probable tag; a span opens at B or U (or at an I/L with no open
span of its label), continues over I, closes at L, U, O, another label or the end. A tagger trained on BILUO makes
few invalid sequences, and repairing them this way keeps whatever it marked rather than dropping it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

Span = tuple[int, int, str, float]


def softmax(scores: Any) -> Any:
    """Row-wise softmax of a (tokens × tags) score matrix."""
    z = np.asarray(scores, dtype=np.float64)
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def decode(scores: Any, tags: Sequence[str]) -> list[Span]:
    """Spans of one document from its ``(n_tokens, n_tags)`` tag scores (see the module docstring)."""
    scores = np.asarray(scores)
    if scores.size == 0:
        return []
    probs = softmax(scores)
    best = probs.argmax(axis=1)
    conf = probs[np.arange(len(best)), best]
    out: list[Span] = []
    start, label = -1, ""

    def close(end: int) -> None:
        nonlocal start, label
        if start >= 0:
            out.append((start, end, label, float(conf[start:end].mean())))
        start, label = -1, ""

    for i, k in enumerate(best.tolist()):
        tag = tags[k]
        if tag == "O":
            close(i)
            continue
        prefix, lab = tag[0], tag[2:]
        if prefix in "BU" or lab != label:
            close(i)
            start, label = i, lab
        if prefix in "LU":
            close(i + 1)
    close(len(best))
    return out
