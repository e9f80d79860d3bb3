"""Reader for Hugging Face "Daily Papers" listing dumps.

Input: text with header lines ("new", "Subscribe", "Daily Papers", "byAK and the
research community", a date such as "Mar 13", "Get trending papers…"), then
alternating title line / abstract line, blank lines optional. One dump glues the
first title to "Subscribe". Output: ``Paper`` records, or ``InputError`` for a
title without an abstract (the reader resynchronises and goes on).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.ingest.text import clean_text, title_key
from kg.model import Paper

HEADER_LINES = frozenset(
    {"new", "subscribe", "daily papers", "byak and the research community", "by ak and the research community"}
)
_DATE = re.compile(r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}(?:, \d{4})?")
_GLUED_PREFIX = "Subscribe"
# An abstract is prose: long, several sentences. A title is one short line.
_MAX_TITLE_CHARS = 300
_MIN_ABSTRACT_CHARS = 100


def is_header(line: str) -> bool:
    """True for the page-furniture lines the dumps start with."""
    low = line.lower()
    return low in HEADER_LINES or low.startswith("get trending papers") or bool(_DATE.fullmatch(line))


def looks_like_title(line: str) -> bool:
    return len(line) <= _MAX_TITLE_CHARS


def looks_like_abstract(line: str) -> bool:
    return len(line) >= _MIN_ABSTRACT_CHARS


def sniff(head: str) -> bool:
    """True when the leading text looks like a Daily Papers dump (header lines present)."""
    lines = [ln.strip() for ln in head.splitlines() if ln.strip()][:12]
    return any(is_header(ln) or (ln.startswith(_GLUED_PREFIX) and len(ln) > len(_GLUED_PREFIX)) for ln in lines)


def read(path: Path, text: str) -> Iterator[Paper | InputError]:
    """Parse one dump's decoded ``text``; ``path`` is used for ids' provenance and error messages."""
    pending: tuple[int, str] | None = None  # (line number, title) waiting for its abstract
    in_header = True
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = clean_text(raw)
        if not line:
            continue
        if in_header and is_header(line):
            continue
        if in_header and line.startswith(_GLUED_PREFIX) and len(line) > len(_GLUED_PREFIX):
            line = line[len(_GLUED_PREFIX):].strip()
        in_header = False
        if pending is None:
            if looks_like_title(line):
                pending = (lineno, line)
            else:
                yield InputError("abstract without a title before it; skipped", path=str(path), line=lineno)
            continue
        title_line, title = pending
        if looks_like_abstract(line):
            yield Paper(id=title_key(title), title=title, abstract=line, source=f"{path.name}:{title_line}")
            pending = None
        else:
            # Two short lines in a row: the first title lost its abstract. Report it, keep the new one.
            yield InputError(f"title {title!r} has no abstract; skipped", path=str(path), line=title_line)
            pending = (lineno, line)
    if pending is not None:
        yield InputError(f"title {pending[1]!r} has no abstract (end of file); skipped", path=str(path), line=pending[0])
