"""Reader for CSV/TSV tables with a header row naming a title and an abstract column.

Header names are matched case-insensitively, ignoring spaces, ``_`` and ``-``, with common synonyms
(``SYNONYMS``: e.g. ``Paper Title``, ``summary``, ``arXiv ID``, ``publication_date``). The delimiter (``,``, tab,
``;`` or ``|``) is the one that makes the header name both a title and an abstract column. Rows are streamed.
Output: ``Paper`` records, or ``InputError`` naming file, line and field (a header without the needed columns
is one error for the whole file).
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from kg.errors import InputError
from kg.ingest.jsonl import record_to_paper
from kg.model import Paper

DELIMITERS = (",", "\t", ";", "|")
SYNONYMS: dict[str, tuple[str, ...]] = {
    "title": ("title", "papertitle", "articletitle", "name"),
    "abstract": ("abstract", "summary", "paperabstract", "abstracttext", "description"),
    "arxiv_id": ("arxivid", "arxiv", "eprint"),
    "id": ("id", "paperid", "identifier", "doi", "key"),
    "year": ("year", "pubyear", "publicationyear"),
    "date": ("date", "published", "publicationdate", "publisheddate", "listingdate", "updatedate"),
    "url": ("url", "link", "urlabs", "paperurl", "pdfurl"),
    "authors": ("authors", "author", "creators", "authorlist"),
}
_NORM = re.compile(r"[\s_\-.]+")
_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


def _norm(name: str) -> str:
    return _NORM.sub("", name.strip().lstrip("\ufeff").lower())


def columns(header: list[str]) -> dict[str, int]:
    """Our field name → column index, for the header's recognised columns (the first synonym match wins)."""
    normed = [_norm(h) for h in header]
    out: dict[str, int] = {}
    for fld, names in SYNONYMS.items():
        for name in names:
            if name in normed:
                out[fld] = normed.index(name)
                break
    return out


def _delimiter(first_line: str) -> str | None:
    for d in DELIMITERS:
        cols = columns(next(csv.reader([first_line], delimiter=d)))
        if "title" in cols and "abstract" in cols:
            return d
    return None


def sniff(head: str) -> bool:
    """The first line is a header naming a title and an abstract column for one of ``DELIMITERS``."""
    first = next((ln for ln in head.splitlines() if ln.strip()), "")
    return _delimiter(first) is not None


def read(path: Path, stream: TextIO | str) -> Iterator[Paper | InputError]:
    """Records of one table (a text stream, or the decoded text); the first row is the header."""
    lines = iter(stream.splitlines(keepends=True) if isinstance(stream, str) else stream)
    header_line = next(lines, "")
    delim = _delimiter(header_line)
    if delim is None:
        yield InputError("the header row needs a title and an abstract column (e.g. 'title,abstract')",
                         path=str(path), line=1, field="title" if "title" not in columns(header_line.split(","))
                         else "abstract")
        return
    header = next(csv.reader([header_line], delimiter=delim))
    cols = columns(header)
    csv.field_size_limit(_FIELD_LIMIT)
    reader = csv.reader(lines, delimiter=delim, strict=True)
    line = 1
    try:
        for row in reader:
            start, line = line + 1, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield InputError(f"row has {len(row)} cells, the header {len(header)}; skipped", path=str(path),
                                 line=start)
                continue
            rec: dict[str, str | list[str]] = {fld: row[i] for fld, i in cols.items() if row[i].strip()}
            if "authors" in rec:
                rec["authors"] = re.split(r"\s*;\s*|,\s*|\s+and\s+", str(rec["authors"]))
            try:
                yield record_to_paper(rec, f"{path.name}:{start}", str(path), start)
            except InputError as exc:
                yield exc
    except csv.Error as exc:
        yield InputError(f"malformed CSV ({exc}); rest of file skipped", path=str(path), line=line + 1)
