"""Abbreviation definitions "Long Form (LF)" and "LF (Long Form)" — Schwartz & Hearst (2003), pure.

Input: a text. Output: ``Abbreviation`` records with character offsets of both forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PAREN = re.compile(r"\(([^()]{1,60})\)")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Abbreviation:
    short: str
    short_start: int
    short_end: int
    long: str
    long_start: int
    long_end: int


def _is_short_form(text: str) -> bool:
    words = text.split()
    if not (1 <= len(words) <= 2) or not (2 <= len(text) <= 12):
        return False
    if not text[0].isalnum() or not any(c.isalpha() for c in text):
        return False
    # Short forms carry capitals or digits ("MoE", "XC", "GPT-4", "w2v"); plain lowercase words are glosses.
    return any(c.isupper() for c in text) or any(c.isdigit() for c in text)


def best_long_form(short: str, candidate: str) -> str | None:
    """Schwartz–Hearst: the shortest suffix of ``candidate`` whose letters cover ``short`` right to left,
    with the first letter of ``short`` starting a word. None when there is none."""
    s = [c.lower() for c in short if c.isalnum()]
    if not s:
        return None
    si, li = len(s) - 1, len(candidate) - 1
    while si >= 0:
        c = s[si]
        while li >= 0 and (
            candidate[li].lower() != c or (si == 0 and li > 0 and candidate[li - 1].isalnum())
        ):
            li -= 1
        if li < 0:
            return None
        li -= 1
        si -= 1
    start = candidate.rfind(" ", 0, li + 1) + 1
    long = candidate[start:].strip()
    return long or None


def word_letter_long_form(short: str, candidate: str) -> str | None:
    """Fallback for forms like "Extreme Classification (XC)": one word per letter of ``short``
    (a trailing plural "s" ignored), each word containing its letter. None when the words do not fit."""
    letters = [c.lower() for c in short if c.isalpha()]
    if len(letters) > 2 and short.endswith("s"):
        letters = letters[:-1]
    words = candidate.split()
    if len(letters) < 2 or len(words) < len(letters):
        return None
    tail = words[-len(letters):]
    if all(letter in word.lower() for letter, word in zip(letters, tail, strict=True)):
        return " ".join(tail)
    return None


def find_abbreviations(text: str) -> list[Abbreviation]:
    """All "long form (SHORT)" definitions in ``text``, leftmost first.

    >>> a = find_abbreviations("We use Mixture-of-Experts (MoE) layers.")[0]
    >>> (a.long, a.short)
    ('Mixture-of-Experts', 'MoE')
    """
    out: list[Abbreviation] = []
    for m in _PAREN.finditer(text):
        inner = m.group(1).strip()
        inner = re.split(r"[;,]\s", inner)[0].strip()  # "(MoE; Shazeer et al.)" → "MoE"
        if not _is_short_form(inner):
            continue
        # candidate long form: up to min(|A|+5, |A|*2) words before the parenthesis, within the clause
        before = text[: m.start()].rstrip()
        clause_start = max(before.rfind(ch) for ch in ".;:!?") + 1
        clause_start = max(clause_start, before.rfind(", ") + 2 if before.rfind(", ") >= 0 else 0)
        words = list(_WORD.finditer(before, clause_start))
        n = min(len(inner) + 5, len(inner) * 2)
        if not words:
            continue
        window_start = words[max(0, len(words) - n)].start()
        candidate = before[window_start:]
        long = best_long_form(inner, candidate) or word_letter_long_form(inner, candidate)
        if not long or len(long) <= len(inner) or long.lower() == inner.lower():
            continue
        long = long.strip("\"'“”")
        long_start = before.rfind(long)
        short_start = m.start(1) + m.group(1).index(inner)
        out.append(Abbreviation(inner, short_start, short_start + len(inner), long, long_start, long_start + len(long)))
    return out
