"""Reader for arXiv API responses (Atom 1.0 XML, ``export.arxiv.org/api/query``), streamed entry by entry.

Each ``<entry>``: ``<id>http://arxiv.org/abs/2501.01234v2</id>`` (the version is dropped, so the id matches the
arXiv metadata JSON Lines), ``<title>``, ``<summary>`` (the abstract), ``<published>``, ``<author><name>``, the
``alternate`` link. Output: ``Paper`` records, or ``InputError`` naming file, the entry's line and field; a
document that is not well-formed XML is one error at the parser's line, earlier entries kept.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO, cast

from kg.errors import InputError
from kg.ingest.jsonl import record_to_paper
from kg.model import Paper

ATOM = "{http://www.w3.org/2005/Atom}"
_ABS_ID = re.compile(r"^https?://(?:export\.)?arxiv\.org/abs/(?P<id>.+?)(?:v\d+)?$")


def sniff(head: str) -> bool:
    """An Atom feed (the Atom namespace on a ``<feed>`` root)."""
    return "<feed" in head and "http://www.w3.org/2005/Atom" in head


def arxiv_id(entry_id: str) -> str:
    """``http://arxiv.org/abs/2501.01234v2`` → ``2501.01234`` (other ids are kept as given)."""
    m = _ABS_ID.match(entry_id.strip())
    return m.group("id") if m else entry_id.strip()


def _text(entry: ET.Element, tag: str) -> str | None:
    el = entry.find(ATOM + tag)
    return None if el is None else "".join(el.itertext())


def _entry_record(entry: ET.Element) -> dict:
    rec: dict = {"title": _text(entry, "title"), "abstract": _text(entry, "summary")}
    raw_id = _text(entry, "id")
    if raw_id and raw_id.strip():
        rec["arxiv_id"] = arxiv_id(raw_id)
    published = _text(entry, "published") or _text(entry, "updated")
    if published and published.strip():
        rec["date"] = published.strip()[:10]
    rec["authors"] = [n for a in entry.findall(ATOM + "author") if (n := (_text(a, "name") or "").strip())]
    for link in entry.findall(ATOM + "link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            rec["url"] = link.get("href")
            break
    return rec


def read(path: Path, stream: TextIO | str) -> Iterator[Paper | InputError]:
    """Records of one Atom document (a text stream, or the decoded text)."""
    lines = stream.splitlines(keepends=True) if isinstance(stream, str) else stream
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    root: ET.Element | None = None
    entry_line = 0
    lineno = 0
    try:
        for lineno, line in enumerate(lines, start=1):
            parser.feed(line)
            # start/end events are (event, element) pairs; typeshed's union of every event kind hides that
            for event, el in cast("Iterator[tuple[str, Any]]", parser.read_events()):
                if not isinstance(el, ET.Element):  # start/end events carry elements (no namespace events asked)
                    continue
                if event == "start":
                    if root is None:
                        root = el
                        if el.tag != ATOM + "feed":
                            yield InputError(f"root element is {el.tag}, expected an Atom <feed>", path=str(path),
                                             line=lineno)
                            return
                    elif el.tag == ATOM + "entry":
                        entry_line = lineno
                    continue
                if el.tag != ATOM + "entry":
                    continue
                try:
                    yield record_to_paper(_entry_record(el), f"{path.name}:{entry_line}", str(path), entry_line)
                except InputError as exc:
                    yield exc
                if root is not None:
                    root.remove(el)
        parser.close()
    except ET.ParseError as exc:
        where = exc.position[0] if exc.position else lineno
        yield InputError(f"not well-formed XML ({exc}); rest of file skipped", path=str(path), line=where)
