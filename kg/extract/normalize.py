"""Pure normalisation of surface forms, so case, hyphenation and plural variants meet on one key."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_DASHES = re.compile(r"[\u2010-\u2015\u2212_/]")
_SEP = re.compile(r"[\s\-]+")
_STRIP = re.compile(r"^[\s\"'`“”‘’(\[{]+|[\s\"'`“”‘’)\]}.,;:]+$")
_ACRONYM_PLURAL = re.compile(r"^([A-Z][A-Za-z0-9\-]*[A-Z0-9])s$")
_NO_SINGULAR = ("ss", "us", "is", "ics", "ous", "sis", "xis")


def singular(word: str) -> str:
    """English plural → singular for the last word of a term ("networks" → "network", "strategies" → "strategy")."""
    low = word.lower()
    if len(low) <= 3 or low.endswith(_NO_SINGULAR) or not low.isalpha():
        return word
    if low.endswith("ies") and len(low) > 4:
        return word[:-3] + ("Y" if word[-3].isupper() else "y")
    if low.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if low.endswith("s"):
        return word[:-1]
    return word


def strip_acronym_plural(text: str) -> str:
    """"LLMs" → "LLM", "ViTs" → "ViT"; anything else unchanged."""
    m = _ACRONYM_PLURAL.match(text)
    return m.group(1) if m else text


@lru_cache(maxsize=200_000)  # pure, and the same names come back in every paper of a corpus
def norm_key(text: str) -> str:
    """The matching key of a surface form: NFKC, trimmed, acronym plural dropped, lowercase,
    hyphens/underscores/slashes as spaces, last word singular.

    >>> norm_key("Vision-Transformers")
    'vision transformer'
    >>> norm_key("ViTs")
    'vit'
    """
    text = unicodedata.normalize("NFKC", text)
    text = _STRIP.sub("", text)
    text = strip_acronym_plural(text)
    text = _DASHES.sub(" ", text)
    words = [w for w in _SEP.split(text.lower()) if w]
    if not words:
        return ""
    words[-1] = singular(words[-1])
    return " ".join(words)



@lru_cache(maxsize=200_000)
def canonical_key(text: str) -> str:
    """The identity of a name: ``norm_key`` with '+' spelled out and every separator dropped, so names that differ
    only by case, hyphens, dashes, spaces or a plural meet ("Hugging Face" / "HuggingFace", "MVTec AD" / "MVTecAD",
    "NExT-QA" / "NextQA", "Large Multimodal Models" / "Large Multi-modal Model"), while versions and suffixes still
    tell names apart ("GPT-4o" / "GPT-4o-mini", "FaceForensics" / "FaceForensics++").

    >>> canonical_key("Ego-Exo4D") == canonical_key("EgoExo4D")
    True
    """
    key = unicodedata.normalize("NFKD", norm_key(text).replace("+", " plus "))
    # Letters and digits only: accents (combining marks) and separators go, other scripts stay ("π0").
    return "".join(c for c in key if c.isalnum())
