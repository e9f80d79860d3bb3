"""Role cues: pure functions deciding from a mention's left context whether it is compared, negated or proposed."""

from __future__ import annotations

import re

from kg.model import EntityType, Role

_COMPARE = re.compile(
    r"(?:outperform\w*|surpass\w*|beat\w*|exceed\w*|compared? (?:to|with|against)|comparison (?:to|with)|"
    r"than|over|against|versus|vs\.?|relative to|baselines?(?: such as| including| like)?|"
    r"competitive with|on par with|comparable to|improv\w* (?:up)?on)"
    r"\s+(?:(?:the|a|an|strong|existing|prior|previous|state-of-the-art|sota|popular|standard|vanilla|"
    r"original|conventional|recent|other|both|all|several|many|\w+-based)\s+){0,3}$",
    re.I,
)
_NEGATE = re.compile(
    r"(?:without|unlike|instead of|rather than|no need (?:for|of)|eliminat\w+|remov\w+|replac\w+|"
    r"free of|dispens\w+ with|do(?:es)? not (?:use|require|rely on)|not based on|beyond)"
    r"\s+(?:(?:the|a|an|any|explicit|traditional|conventional|standard|costly|expensive)\s+){0,2}$",
    re.I,
)
_PROPOSE_SENT = re.compile(
    r"\b(?:we|this (?:paper|work|study))\s+(?:(?:also|further|then|first)\s+)?"
    r"(?:propose|introduce|present|develop|design|release|contribute|curate|create)[sd]?\b",
    re.I,
)
_BACKGROUND = re.compile(
    r"(?:inspired by|motivated by|building on|built on|prior|previous(?:ly)?|existing|traditional|conventional|"
    r"classical|earlier|popular|widely used|such as|e\.g\.,?|including|like|beyond)"
    r"\s+(?:(?:the|a|an|work|works|methods?|models?|approaches?|on)\s+){0,2}$",
    re.I,
)
_LEFT = 80  # characters of left context inspected

DEFAULT_ROLE: dict[EntityType, Role] = {
    "method": "uses",
    "task": "uses",
    "dataset": "evaluates_on",
    "metric": "evaluates_on",
    "architecture": "uses",
}


# Words one of which each cue pattern needs: a substring test skips the (end-anchored, so slow) regex search in the
# common case where no cue is near (measured: the searches were the linker's largest cost).
_COMPARE_WORDS = ("outperform", "surpass", "beat", "exceed", "compar", "than", "over", "against", "versus", "vs",
                  "relative to", "baseline", "competitive with", "on par with", "improv")
_NEGATE_WORDS = ("without", "unlike", "instead of", "rather than", "no need", "eliminat", "remov", "replac", "free of",
                 "dispens", "not ", "beyond")
_BACKGROUND_WORDS = ("inspired by", "motivated by", "building on", "built on", "prior", "previous", "existing",
                     "traditional", "conventional", "classical", "earlier", "popular", "widely used", "such as", "e.g",
                     "including", "like", "beyond")


def left_context(text: str, start: int, sent_start: int) -> str:
    return text[max(sent_start, start - _LEFT): start]


def _cued(pattern: re.Pattern[str], words: tuple[str, ...], text: str, start: int, sent_start: int) -> bool:
    context = left_context(text, start, sent_start)
    low = context.lower()
    return any(w in low for w in words) and bool(pattern.search(context))


def is_compared(text: str, start: int, sent_start: int) -> bool:
    """True when the words right before the mention compare against it ("outperforms X", "than X")."""
    return _cued(_COMPARE, _COMPARE_WORDS, text, start, sent_start)


def is_negated(text: str, start: int, sent_start: int) -> bool:
    """True when the mention is negated or contrasted ("without attention", "unlike CNNs")."""
    return _cued(_NEGATE, _NEGATE_WORDS, text, start, sent_start)


def is_background(text: str, start: int, sent_start: int) -> bool:
    """True when the words right before the mention place it in prior work ("inspired by X", "existing X",
    "such as X")."""
    return _cued(_BACKGROUND, _BACKGROUND_WORDS, text, start, sent_start)


def first_proposal(text: str) -> int:
    """Character offset of the first sentence stating the paper's own contribution, or -1 when there is none."""
    m = _PROPOSE_SENT.search(text)
    if m is None:
        return -1
    return max(text.rfind(". ", 0, m.start()) + 2, 0) if text.rfind(". ", 0, m.start()) >= 0 else 0


def in_proposal_sentence(sentence: str) -> bool:
    """True when the sentence states the paper's own contribution ("we propose …")."""
    return bool(_PROPOSE_SENT.search(sentence))


def after_proposal_cue(text: str, start: int, sent_start: int) -> bool:
    """True when a "we propose / introduce / present …" cue precedes ``start`` within its sentence."""
    return bool(_PROPOSE_SENT.search(text[sent_start:start]))
