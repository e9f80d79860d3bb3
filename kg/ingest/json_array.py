"""Reader for one JSON array of paper objects — Papers with Code's ``papers-with-abstracts.json`` and the like.

Each element: ``{"paper_url", "arxiv_id"?, "title", "abstract", "url_abs"?, "authors"?, "date"?, "proceeding"?,
"tasks"?, "methods"?}`` (PwC) or any object the JSON Lines reader accepts. The array is decoded one element at a
time from a buffered stream, so a multi-gigabyte dump never sits in memory whole. Output: ``Paper`` records, or
``InputError`` naming file, line (where the element starts), element number and field.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

from kg.errors import InputError
from kg.ingest.jsonl import record_to_paper
from kg.ingest.text import safe_id
from kg.model import Paper

_CHUNK = 1 << 20
_MAX_ELEMENT_CHARS = 64 << 20  # an element still undecodable after this much text is malformed, not truncated
_WS = " \t\r\n"
_decoder = json.JSONDecoder()


def sniff(head: str) -> bool:
    """An array whose first element is an object (``[`` then ``{``)."""
    stripped = head.lstrip(_WS + "\ufeff")
    return stripped.startswith("[") and stripped[1:].lstrip(_WS).startswith(("{", "]"))


def pwc_record(rec: Mapping[str, Any]) -> dict[str, Any]:
    """Papers-with-Code field names → the JSON Lines reader's (``arxiv_id`` first, else the PwC paper slug)."""
    out = dict(rec)
    if not out.get("id") and not out.get("arxiv_id") and isinstance(rec.get("paper_url"), str):
        slug = safe_id(rec["paper_url"].rstrip("/").rsplit("/", 1)[-1])
        if slug:
            out["id"] = "pwc-" + slug
    if not out.get("url"):
        out["url"] = rec.get("url_abs") or rec.get("paper_url")
    return out


def _elements(stream: TextIO, path: Path) -> Iterator[tuple[int, int, Any] | InputError]:
    """(element number, start line, decoded value) for each array element; an ``InputError`` ends the file."""
    buf = stream.read(_CHUNK)
    pos, line, eof = 0, 1, False

    def more() -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        chunk = stream.read(_CHUNK)
        if not chunk:
            eof = True
            return False
        buf, pos = buf[pos:] + chunk, 0
        return True

    def skip_ws() -> None:
        nonlocal pos, line
        while True:
            while pos < len(buf) and buf[pos] in _WS + "\ufeff":
                line += buf[pos] == "\n"
                pos += 1
            if pos < len(buf) or not more():
                return

    skip_ws()
    if pos >= len(buf) or buf[pos] != "[":
        yield InputError("expected a JSON array of paper objects", path=str(path), line=line)
        return
    pos += 1
    n = 0
    while True:
        skip_ws()
        if pos >= len(buf):
            yield InputError("unexpected end of file inside the array (truncated?)", path=str(path), line=line)
            return
        if buf[pos] == "]":
            return
        if n and buf[pos] == ",":
            pos += 1
            skip_ws()
        elif n:
            yield InputError(f"expected ',' or ']' after element {n}", path=str(path), line=line)
            return
        while True:
            try:
                value, end = _decoder.raw_decode(buf, pos)
                break
            except json.JSONDecodeError as exc:
                if len(buf) - pos < _MAX_ELEMENT_CHARS and more():
                    continue
                yield InputError(f"element {n + 1} is not valid JSON ({exc.msg}); rest of file skipped",
                                 path=str(path), line=line + buf.count("\n", pos, exc.pos))
                return
        n += 1
        yield n, line, value
        line += buf.count("\n", pos, end)
        pos = end


def read(path: Path, stream: TextIO | str) -> Iterator[Paper | InputError]:
    """Records of one JSON array file (a text stream, or the decoded text)."""
    if isinstance(stream, str):
        import io

        stream = io.StringIO(stream)
    for item in _elements(stream, path):
        if isinstance(item, InputError):
            yield item
            return
        n, line, value = item
        if not isinstance(value, dict):
            yield InputError(f"element {n} is not a JSON object; skipped", path=str(path), line=line)
            continue
        try:
            yield record_to_paper(pwc_record(value), f"{path.name}:{line}", str(path), line)
        except InputError as exc:
            yield exc
