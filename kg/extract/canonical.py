"""Corpus-wide canonical acronyms: which long form an acronym stands for across the whole corpus.

A paper that writes only "ViT" is linked to the entity another paper defined as
"Vision Transformer (ViT)". Input: the papers (one cheap regex pass, no spaCy) and an
optional override file; output: an ``AcronymTable`` the linker consults. Every resolution
carries its reason ("acronym 'ViT' defined as 'Vision Transformer' in 12 papers"), and
``ontology/vocab/acronym_overrides.jsonl`` can force or forbid a resolution:

    {"short": "SAM", "long": "Segment Anything Model"}   force this long form
    {"short": "SAM", "long": null}                        never resolve "SAM" corpus-wide
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.extract.abbreviations import find_abbreviations
from kg.extract.normalize import norm_key
from kg.ingest.text import json_lines
from kg.model import Paper

# An acronym resolves corpus-wide only when one long form clearly dominates its definitions.
MIN_SHARE = 0.6


@dataclass(frozen=True)
class Resolution:
    short: str
    long: str
    papers: int
    reason: str


class AcronymTable:
    """Acronym (exact surface, plural stripped via norm_key on lookup) → dominant long form."""

    def __init__(self, resolutions: Iterable[Resolution] = ()) -> None:
        self._by_key = {norm_key(r.short): r for r in resolutions}

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, short: str) -> Resolution | None:
        return self._by_key.get(norm_key(short))


def read_overrides(path: Path) -> dict[str, str | None]:
    """Override file → {normalised short form: long form or None (forbidden)}."""
    out: dict[str, str | None] = {}
    if not path.is_file():
        return out
    for lineno, rec in json_lines(path, comments=True):
        if not isinstance(rec, dict) or not isinstance(rec.get("short"), str) or "long" not in rec:
            raise InputError('expected {"short": str, "long": str | null}', path=str(path), line=lineno)
        out[norm_key(rec["short"])] = rec["long"]
    return out


@dataclass
class AcronymCounts:
    """Mergeable counts of "long form (SHORT)" definitions: per batch, per worker, or stored with a store so
    ``kg add``/``kg remove`` can update them without re-reading the corpus."""

    defs: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # short key → long keys
    surface: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # long key → spellings
    shorts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # short key → spellings

    def _tables(self, other: AcronymCounts):
        return ((self.defs, other.defs), (self.surface, other.surface), (self.shorts, other.shorts))

    def merge(self, other: AcronymCounts) -> None:
        for mine, theirs in self._tables(other):
            for k, c in theirs.items():
                mine[k].update(c)

    def subtract(self, other: AcronymCounts) -> None:
        """Take away the counts of papers that leave the corpus (kg remove, or replaced by kg add)."""
        for mine, theirs in self._tables(other):
            for k, c in theirs.items():
                if k not in mine:
                    continue
                mine[k].subtract(c)
                for form in [f for f, n in mine[k].items() if n <= 0]:
                    del mine[k][form]
                if not mine[k]:
                    del mine[k]


def count_acronyms(papers: Iterable[Paper]) -> AcronymCounts:
    """Acronym definitions in ``papers`` (each (short, long) pair counted once per paper)."""
    out = AcronymCounts()
    for p in papers:
        seen: set[tuple[str, str]] = set()
        for text in (p.title, p.abstract):
            for ab in find_abbreviations(text):
                key, lkey = norm_key(ab.short), norm_key(ab.long)
                if (key, lkey) in seen:
                    continue
                seen.add((key, lkey))
                out.defs[key][lkey] += 1
                out.surface[lkey][ab.long] += 1
                out.shorts[key][ab.short] += 1
    return out


def resolve_acronyms(counts: AcronymCounts, overrides: dict[str, str | None] | None = None) -> AcronymTable:
    """Counts → each acronym's dominant long form (overrides first); ambiguous acronyms are left out."""
    overrides = overrides or {}
    defs, surface, shorts = counts.defs, counts.surface, counts.shorts
    out = []
    for key in sorted(set(defs) | set(overrides)):
        short = shorts[key].most_common(1)[0][0] if shorts.get(key) else key
        if key in overrides:
            long = overrides[key]
            if long is None:
                continue
            out.append(Resolution(short, long, defs[key][norm_key(long)] if key in defs else 0,
                                  f"acronym {short!r} resolved to {long!r} by acronym_overrides.jsonl"))
            continue
        total = sum(defs[key].values())
        (lkey, n), = defs[key].most_common(1)
        if n / total < MIN_SHARE:
            continue  # ambiguous across the corpus: resolve per paper only
        long = sorted(surface[lkey].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        out.append(Resolution(short, long, n, f"acronym {short!r} defined as {long!r} in {n} of {total} defining papers"))
    return AcronymTable(out)


def collect_acronyms(papers: Iterable[Paper], overrides: dict[str, str | None] | None = None) -> AcronymTable:
    """Count "long form (SHORT)" definitions over the corpus and keep each acronym's dominant long form."""
    return resolve_acronyms(count_acronyms(papers), overrides)
