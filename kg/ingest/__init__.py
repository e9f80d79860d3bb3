"""Ingest: input files → ``Iterator[Paper]``, one reader per format, detected from content.

``read_papers(paths, report)`` streams every good paper once (deduplicated by id
and by normalised title), records bad input in ``report.problems`` (file, line,
field) and never stops at a bad record. ``bundled_corpus()`` lists the shipped
Daily Papers dumps that ``kg build`` reads when given no input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.ingest import hf_daily, jsonl
from kg.ingest.text import head_bytes, read_bytes, title_key
from kg.model import Paper

Reader = Callable[[Path, str], Iterator[Paper | InputError]]
Sniffer = Callable[[str], bool]

# Order matters: the first sniffer that accepts the head wins.
FORMATS: dict[str, tuple[Sniffer, Reader]] = {
    "jsonl": (jsonl.sniff, jsonl.read),
    "hf-daily": (hf_daily.sniff, hf_daily.read),
}
SUFFIXES: dict[str, str] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "hf-daily"}

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "data" / "hf-daily-papers"


@dataclass
class IngestReport:
    """Counts for the build report; ``problems`` keeps every skipped record's error."""

    read: int = 0
    kept: int = 0
    duplicates: int = 0
    skipped: int = 0
    problems: list[InputError] = field(default_factory=list)

    def summary(self) -> str:
        return f"read {self.read}, kept {self.kept}, duplicates {self.duplicates}, skipped {self.skipped}"


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


def iter_records(path: Path, fmt: str | None = None) -> Iterator[Paper | InputError]:
    """Every record of one file, good (``Paper``) or bad (``InputError``); a whole-file problem is one error."""
    try:
        fmt = fmt or detect_format(path)
        text = read_bytes(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        yield InputError(f"not UTF-8 text (byte {exc.start}); file skipped", path=str(path))
        return
    except (InputError, OSError, EOFError) as exc:
        yield exc if isinstance(exc, InputError) else InputError(f"cannot read: {exc}", path=str(path))
        return
    yield from FORMATS[fmt][1](path, text)


def read_papers(paths: Iterable[Path | str], report: IngestReport | None = None) -> Iterator[Paper]:
    """Stream unique papers from ``paths`` (files or directories), filling ``report`` as it goes.

    A paper whose id or normalised title was already seen counts as a duplicate;
    the first occurrence wins.
    """
    report = report if report is not None else IngestReport()
    seen_ids: set[str] = set()
    seen_titles: set[str] = set()
    for path in expand_inputs(paths):
        for rec in iter_records(path):
            if isinstance(rec, InputError):
                report.skipped += 1
                report.problems.append(rec)
                continue
            report.read += 1
            tkey = title_key(rec.title)
            if rec.id in seen_ids or tkey in seen_titles:
                report.duplicates += 1
                continue
            seen_ids.add(rec.id)
            seen_titles.add(tkey)
            report.kept += 1
            yield rec
