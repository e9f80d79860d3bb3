"""Reader for JSON Lines: one ``{"id"?, "title", "abstract", "year"?, "date"?, "url"?, "authors"?}`` per line.

Also accepts arXiv metadata field names (``arxiv_id``, ``listing_date``/``update_date``; the abstract page
becomes the url) as in ``shared/corpus/arxiv-cs-2025``. Streams line by line (gzip is handled by the caller).
Output: ``Paper`` records, or ``InputError`` naming file, line and field for a bad line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

from kg.errors import InputError
from kg.ingest.text import clean_text, safe_id, title_key
from kg.model import Paper

_YEAR = re.compile(r"(?:19|20)\d\d")


def sniff(head: str) -> bool:
    first = next((ln.strip() for ln in head.splitlines() if ln.strip()), "")
    return first.startswith("{")


def _authors(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        parts = re.split(r",\s*|\s+and\s+", value)
        return tuple(p.strip() for p in parts if p.strip())
    if isinstance(value, list):
        out = []
        for a in value:
            if isinstance(a, str):
                out.append(a.strip())
            elif isinstance(a, list):  # arXiv "authors_parsed": [last, first, suffix]
                out.append(" ".join(x for x in reversed(a[:2]) if x).strip())
            elif isinstance(a, Mapping) and "name" in a:
                out.append(str(a["name"]).strip())
        return tuple(a for a in out if a)
    return ()


def record_to_paper(rec: Mapping[str, Any], source: str, path: str, line: int | None) -> Paper:
    """A decoded record → ``Paper``; raises ``InputError`` naming the missing/bad field."""
    title = rec.get("title")
    abstract = rec.get("abstract", rec.get("summary"))
    for name, value in (("title", title), ("abstract", abstract)):
        if not isinstance(value, str) or not value.strip():
            raise InputError("missing or empty", path=path, line=line, field=name)
    assert isinstance(title, str) and isinstance(abstract, str)  # checked just above, for the type checker
    title, abstract = clean_text(title), clean_text(abstract)
    raw_id = rec.get("id", rec.get("arxiv_id"))
    pid = safe_id(str(raw_id)) if raw_id not in (None, "") else ""
    pid = pid or title_key(title)
    date = rec.get("date", rec.get("listing_date", rec.get("update_date", rec.get("published"))))
    date = str(date) if date not in (None, "") else None
    year = rec.get("year")
    if year in (None, "") and date:
        m = _YEAR.search(date)
        year = m.group(0) if m else None
    if year not in (None, ""):
        try:
            year = int(str(year).strip()[:4])
        except ValueError:
            raise InputError(f"year {year!r} is not a number", path=path, line=line, field="year") from None
    else:
        year = None
    url = rec.get("url")
    if not url and rec.get("arxiv_id") not in (None, ""):
        url = f"https://arxiv.org/abs/{str(rec['arxiv_id']).strip()}"
    return Paper(
        id=pid,
        title=title,
        abstract=abstract,
        year=year,
        date=date,
        url=str(url) if url else None,
        authors=_authors(rec.get("authors")),
        source=source,
    )


def read(path: Path, text: str | TextIO) -> Iterator[Paper | InputError]:
    """Records of one JSON Lines file; ``text`` is the decoded text or a text stream (read lazily)."""
    lines: Iterable[str] = text.splitlines() if isinstance(text, str) else text
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(f"not valid JSON ({exc.msg} at column {exc.colno}); skipped", path=str(path), line=lineno)
            continue
        if not isinstance(rec, dict):
            yield InputError("expected a JSON object; skipped", path=str(path), line=lineno)
            continue
        try:
            yield record_to_paper(rec, f"{path.name}:{lineno}", str(path), lineno)
        except InputError as exc:
            yield exc
