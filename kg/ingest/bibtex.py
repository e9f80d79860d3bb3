"""Reader for BibTeX with abstracts (``@article{key, title = {…}, abstract = {…}, …}``), by a small parser.

Why our own parser: it is ~150 lines, has no dependency, and reports the exact line of each entry and field
(the maintained library, bibtexparser 2.x, reports failed blocks without the field). It handles braces nested
to any depth, ``"…"`` values, numbers, ``@string`` macros with ``#`` concatenation and the month macros,
``@comment``/``@preamble`` blocks, ``(…)`` delimiters, and the common LaTeX in titles and abstracts (accents
such as ``{\\"o}``, ``\\&``, ``\\emph{…}``, protective braces).

Ids: the arXiv ``eprint`` when there is one (matching the arXiv readers), else ``doi-<doi>``, else the citation
key. Output: ``Paper`` records, or ``InputError`` naming file, line and field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from kg.errors import InputError
from kg.ingest.jsonl import record_to_paper
from kg.model import Paper

_ENTRY_START = re.compile(r"@\s*([A-Za-z]+)\s*([{(])")
_NAME = re.compile(r"[A-Za-z_][\w:.+/'-]*")
_NUMBER = re.compile(r"\d+")
_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")
MONTHS = {m: str(i) for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
            ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328"}
_ACCENT_CMD = re.compile(r"""\\([\"'`^~=.]|[uvHck](?![A-Za-z]))\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))""")
_SYMBOLS = {r"\&": "&", r"\%": "%", r"\_": "_", r"\$": "$", r"\#": "#", r"\ss": "ß", r"\o": "ø", r"\O": "Ø",
            r"\ae": "æ", r"\AE": "Æ", r"\aa": "å", r"\AA": "Å", r"\l": "ł", r"\L": "Ł", r"\i": "ı", "~": " ",
            "---": "—", "--": "–", "``": "“", "''": "”"}
_SYMBOL = re.compile("|".join(re.escape(k) + (r"(?![A-Za-z])" if k[-1].isalpha() else "")
                              for k in sorted(_SYMBOLS, key=len, reverse=True)))
_TEXT_CMD = re.compile(r"\\(?:emph|textit|textbf|textsc|texttt|textrm|mathrm|mathbf|mathit|mathcal|text|url)\s*\{")


def sniff(head: str) -> bool:
    """The first thing that is not a ``%`` comment is an ``@type{`` entry."""
    for line in head.splitlines():
        s = line.strip()
        if not s or s.startswith("%"):
            continue
        return bool(_ENTRY_START.match(s))
    return False


def latex_to_text(value: str) -> str:
    """Common LaTeX markup in BibTeX values → plain Unicode text (math is kept without its ``$``)."""
    def accent(m: re.Match[str]) -> str:
        base = (m.group(2) or m.group(3)).lstrip("\\")
        return unicodedata.normalize("NFC", base + _ACCENTS[m.group(1)])

    value = _ACCENT_CMD.sub(accent, value)
    value = _TEXT_CMD.sub("{", value)
    value = _SYMBOL.sub(lambda m: _SYMBOLS[m.group(0)], value)
    return value.replace("{", "").replace("}", "").replace("$", "")


class _Parser:
    """Recursive-descent BibTeX scanner over the whole text; ``line_at`` maps offsets to line numbers."""

    def __init__(self, text: str, path: Path) -> None:
        self.text, self.path = text, path
        self.macros: dict[str, str] = dict(MONTHS)
        self._nl = [m.start() for m in re.finditer("\n", text)]

    def line_at(self, pos: int) -> int:
        import bisect

        return bisect.bisect_right(self._nl, pos - 1) + 1

    def error(self, msg: str, pos: int, field: str = "") -> InputError:
        return InputError(msg, path=str(self.path), line=self.line_at(pos), field=field)

    def ws(self, pos: int) -> int:
        while pos < len(self.text) and self.text[pos].isspace():
            pos += 1
        return pos

    def braced(self, pos: int, close: str = "}") -> tuple[str, int]:
        """Text from just after an opening delimiter to its matching ``close`` (braces balanced)."""
        depth, i = 0, pos
        while i < len(self.text):
            ch = self.text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "{":
                depth += 1
            elif ch == "}" and depth > 0:
                depth -= 1
            elif ch == close and depth == 0:
                return self.text[pos:i], i + 1
            i += 1
        raise self.error("unbalanced braces: value never closed", pos)

    def value(self, pos: int, field: str) -> tuple[str, int]:
        """One value with ``#`` concatenation."""
        parts = []
        while True:
            pos = self.ws(pos)
            ch = self.text[pos:pos + 1]
            if ch in ('{', '"'):
                try:
                    part, pos = self.braced(pos + 1, close="}" if ch == "{" else '"')
                except InputError:
                    raise self.error(f"unbalanced braces: the value of {field!r} never closes", pos, field) from None
            elif m := _NUMBER.match(self.text, pos):
                part, pos = m.group(0), m.end()
            elif m := _NAME.match(self.text, pos):
                name = m.group(0).lower()
                if name not in self.macros:
                    raise self.error(f"undefined @string macro {m.group(0)!r}", pos, field)
                part, pos = self.macros[name], m.end()
            else:
                raise self.error("expected a value ({…}, \"…\", a number or a macro)", pos, field)
            parts.append(part)
            pos = self.ws(pos)
            if self.text[pos:pos + 1] != "#":
                return "".join(parts), pos
            pos += 1

    def fields(self, pos: int, close: str) -> tuple[dict[str, tuple[str, int]], int]:
        """``name = value`` pairs up to the entry's closing delimiter: {name: (value, offset)}."""
        out: dict[str, tuple[str, int]] = {}
        while True:
            pos = self.ws(pos)
            if self.text[pos:pos + 1] == close:
                return out, pos + 1
            if self.text[pos:pos + 1] == ",":
                pos += 1
                continue
            m = _NAME.match(self.text, pos)
            if not m:
                raise self.error(f"expected a field name or {close!r}", pos)
            name, start = m.group(0).lower(), pos
            pos = self.ws(m.end())
            if self.text[pos:pos + 1] != "=":
                raise self.error("expected '=' after the field name", pos, name)
            value, pos = self.value(pos + 1, name)
            out[name] = (value, start)

    def entries(self) -> Iterator[tuple[str, str, dict[str, tuple[str, int]], int] | InputError]:
        """(type, key, fields, offset) per entry; a syntax error is reported and parsing resumes at the next '@'."""
        pos = 0
        while (at := self.text.find("@", pos)) >= 0:
            m = _ENTRY_START.match(self.text, at)
            if not m:
                pos = at + 1
                continue
            kind, close = m.group(1).lower(), "}" if m.group(2) == "{" else ")"
            try:
                if kind in ("comment", "preamble"):
                    _, pos = self.braced(m.end(), close)
                    continue
                if kind == "string":
                    fields, pos = self.fields(m.end(), close)
                    self.macros.update({k: v for k, (v, _) in fields.items()})
                    continue
                comma = self.text.find(",", m.end())
                end = self.text.find(close, m.end())
                if comma < 0 or (0 <= end < comma):
                    raise self.error("entry has no citation key followed by ','", at)
                key = self.text[m.end():comma].strip()
                fields, pos = self.fields(comma + 1, close)
                yield kind, key, fields, at
            except InputError as exc:
                yield exc
                pos = at + 1


def _authors(value: str) -> list[str]:
    out = []
    for name in re.split(r"\s+and\s+", latex_to_text(value).strip()):
        if "," in name:
            last, first = name.split(",", 1)
            name = f"{first.strip()} {last.strip()}"
        name = " ".join(name.split())
        if name and name.lower() != "others":
            out.append(name)
    return out


def entry_record(key: str, fields: dict[str, str]) -> dict:
    """One entry's fields → the JSON Lines reader's record."""
    rec: dict = {k: latex_to_text(fields[k]) for k in ("title", "abstract") if k in fields}
    eprint = fields.get("eprint", "").strip()
    doi = fields.get("doi", "").strip()
    if eprint and (fields.get("archiveprefix", "").lower() == "arxiv" or _ARXIV_ID.match(eprint)):
        rec["arxiv_id"] = re.sub(r"v\d+$", "", eprint)
    elif doi:
        rec["id"] = "doi-" + doi
    else:
        rec["id"] = key
    if "year" in fields:
        rec["year"] = fields["year"].strip()
    if "date" in fields:
        rec["date"] = fields["date"].strip()
    url = fields.get("url", "").strip() or (f"https://doi.org/{doi}" if doi else "")
    if url:
        rec["url"] = url
    if "author" in fields:
        rec["authors"] = _authors(fields["author"])
    return rec


def read(path: Path, stream: TextIO | str) -> Iterator[Paper | InputError]:
    """Records of one ``.bib`` file (reading lists are small: the text is parsed whole)."""
    parser = _Parser(stream if isinstance(stream, str) else stream.read(), path)
    for item in parser.entries():
        if isinstance(item, InputError):
            yield item
            continue
        _kind, key, fields, at = item
        line = parser.line_at(at)
        values = {k: v for k, (v, _) in fields.items()}
        try:
            for name in ("title", "abstract"):
                if not latex_to_text(values.get(name, "")).strip():
                    raise InputError(f"entry {key!r} has no {name}; skipped", path=str(path),
                                     line=parser.line_at(fields[name][1]) if name in fields else line, field=name)
            yield record_to_paper(entry_record(key, values), f"{path.name}:{line}", str(path), line)
        except InputError as exc:
            yield exc
