"""Ingest: input files → ``Iterator[Paper]``, one reader per format, detected from content.

``read_papers(paths, report)`` streams every good paper once (deduplicated by id
and by normalised title), records bad input in ``report.problems`` (file, line,
field) and never stops at a bad record. ``bundled_corpus()`` lists the shipped
Daily Papers dumps that ``kg build`` reads when given no input.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from kg.errors import InputError
from kg.ingest import arxiv_atom, bibtex, csv_table, hf_daily, json_array, jsonl
from kg.ingest.text import bad_utf8, head_bytes, open_text, title_key
from kg.model import Paper

Reader = Callable[[Path, TextIO], Iterator[Paper | InputError]]
Sniffer = Callable[[str], bool]


def _whole_text(read: Callable[[Path, str], Iterator[Paper | InputError]]) -> Reader:
    """Adapt a reader that wants the whole decoded text (small, line-paired formats)."""
    return lambda path, stream: read(path, stream.read())


# Order matters: the first sniffer that accepts the head wins.
FORMATS: dict[str, tuple[Sniffer, Reader]] = {
    "jsonl": (jsonl.sniff, jsonl.read),
    "json-array": (json_array.sniff, json_array.read),
    "arxiv-atom": (arxiv_atom.sniff, arxiv_atom.read),
    "bibtex": (bibtex.sniff, bibtex.read),
    "csv": (csv_table.sniff, csv_table.read),
    "hf-daily": (hf_daily.sniff, _whole_text(hf_daily.read)),
}
SUFFIXES: dict[str, str] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "hf-daily", ".json": "json-array",
                            ".atom": "arxiv-atom", ".xml": "arxiv-atom", ".bib": "bibtex", ".csv": "csv",
                            ".tsv": "csv"}
MAX_PROBLEMS_KEPT = 1000  # the report keeps the first problems in full and counts the rest
MAX_TEXT_CHARS = 1_000_000  # longest title or abstract extracted (spaCy's max_length); longer records are skipped

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "data" / "hf-daily-papers"


@dataclass
class IngestReport:
    """Counts for the build report; ``problems`` keeps the first ``MAX_PROBLEMS_KEPT`` skipped records' errors."""

    read: int = 0
    kept: int = 0
    duplicates: int = 0
    skipped: int = 0
    problems: list[InputError] = field(default_factory=list)

    def problem(self, error: InputError) -> None:
        """Count one skipped record; keep its error while fewer than ``MAX_PROBLEMS_KEPT`` are kept."""
        self.skipped += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(error)

    def summary(self) -> str:
        return f"read {self.read}, kept {self.kept}, duplicates {self.duplicates}, skipped {self.skipped}"

    def skip_lines(self, most: int = MAX_PROBLEMS_KEPT) -> list[str]:
        """One ``skipped: file:line: why`` line per skipped record (the first ``most``), then a summary line."""
        lines = [f"skipped: {p}" for p in self.problems[:most]]
        if self.skipped > len(lines):
            lines.append(f"skipped: … and {self.skipped - len(lines)} more")
        if self.skipped:
            lines.append(f"skipped {self.skipped} of {self.read + self.skipped} input records "
                         f"(kept {self.kept}, duplicates {self.duplicates})")
        return lines


def bundled_corpus() -> list[Path]:
    """The Daily Papers dumps shipped with the package, in a stable order."""
    return sorted(BUNDLED_DIR.glob("*.txt"))


def expand_inputs(paths: Iterable[Path | str]) -> list[Path]:
    """Files and directories (searched recursively, hidden files skipped) → sorted file list."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith(".")))
        elif p.exists():
            out.append(p)
        else:
            raise InputError("no such file or directory", path=str(p))
    return out


def detect_format(path: Path) -> str:
    """Name of the format of ``path``, decided from its content, the suffix only breaking ties.

    Raises ``InputError`` when no reader recognises the file.
    """
    head = head_bytes(path).decode("utf-8", errors="replace")
    for name, (sniff, _) in FORMATS.items():
        if sniff(head):
            return name
    suffixes = [s for s in path.suffixes if s != ".gz"]
    by_suffix = SUFFIXES.get(suffixes[-1] if suffixes else "")
    if by_suffix:
        return by_suffix
    raise InputError(f"unrecognised format (known: {', '.join(FORMATS)})", path=str(path))


def _line_of(paper: Paper) -> int | None:
    _, _, line = paper.source.rpartition(":")
    return int(line) if line.isdigit() else None


def checked(paper: Paper, path: Path) -> Paper | InputError:
    """``paper``, or the ``InputError`` that skips it: an undecodable byte in its text, or a title or abstract
    longer than ``MAX_TEXT_CHARS`` (the extractor would refuse the whole batch)."""
    for name, text in (("title", paper.title), ("abstract", paper.abstract)):
        bad = bad_utf8(text)
        if bad is not None:
            return InputError(f"not UTF-8 (an undecodable byte at character {bad}); record skipped", path=str(path),
                              line=_line_of(paper), field=name)
        if len(text) > MAX_TEXT_CHARS:
            return InputError(f"{len(text):,} characters, more than the {MAX_TEXT_CHARS:,} the extractor reads; "
                              "record skipped", path=str(path), line=_line_of(paper), field=name)
    if any(bad_utf8(v) is not None for v in (paper.id, paper.url or "", paper.date or "", *paper.authors)):
        return InputError("not UTF-8 (an undecodable byte in its metadata); record skipped", path=str(path),
                          line=_line_of(paper))
    return paper


def iter_records(path: Path, fmt: str | None = None) -> Iterator[Paper | InputError]:
    """Every record of one file, good (``Paper``) or bad (``InputError``), streamed; a whole-file problem
    (unknown format, truncated gzip) is one error and ends that file."""
    try:
        fmt = fmt or detect_format(path)
        with open_text(path) as stream:
            for rec in FORMATS[fmt][1](path, stream):
                yield checked(rec, path) if isinstance(rec, Paper) else rec
    except UnicodeDecodeError as exc:
        yield InputError(f"not UTF-8 text (byte {exc.start} of a read block); rest of file skipped", path=str(path))
    except (InputError, OSError, EOFError) as exc:
        yield exc if isinstance(exc, InputError) else InputError(f"cannot read: {exc}", path=str(path))


def _key(text: str) -> bytes:
    """A 16-byte digest standing for an id or title in the dedupe sets (bounded memory per paper)."""
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def read_papers(paths: Iterable[Path | str], report: IngestReport | None = None) -> Iterator[Paper]:
    """Stream unique papers from ``paths`` (files or directories), filling ``report`` as it goes.

    A paper whose id or normalised title was already seen counts as a duplicate;
    the first occurrence wins.
    """
    report = report if report is not None else IngestReport()
    seen_ids: set[bytes] = set()
    seen_titles: set[bytes] = set()
    for path in expand_inputs(paths):
        for rec in iter_records(path):
            if isinstance(rec, InputError):
                report.problem(rec)
                continue
            report.read += 1
            tkey, ikey = _key(title_key(rec.title)), _key(rec.id)
            if ikey in seen_ids or tkey in seen_titles:
                report.duplicates += 1
                continue
            seen_ids.add(ikey)
            seen_titles.add(tkey)
            report.kept += 1
            yield rec
