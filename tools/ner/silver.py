"""Paper-level annotations (GUIDELINE format, with their title and abstract) → mention-level training spans.

In: pairs of files ``input-NN.jsonl`` (``key``, ``title``, ``abstract``) and ``gold-NN.jsonl`` (one GUIDELINE record
per input line, same order; every label and alias occurs in the title or abstract). Out: ``Annotated`` records, one
per paper, holding each field's text and the character spans where the annotated names occur, typed METHOD, TASK,
DATASET or METRIC.

Finding the spans: every form of an entity (label and aliases) is looked up in each field, case-insensitively for
names longer than five characters and case-sensitively (then insensitively if absent) for short ones such as
"AM" or "F1"; an occurrence counts only at word boundaries, extended over a trailing plural "s"/"es"; overlapping
occurrences keep the longest (ties: dataset, metric, task, method). Names the annotators left out are "outside":
the model learns the guideline's choice of what is worth a link, not only what looks like a name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.ingest.text import json_lines

DATA_DIR = Path(__file__).resolve().parent / "data" / "arxiv"
GOLD_TYPES = {"methods": "METHOD", "tasks": "TASK", "datasets": "DATASET", "metrics": "METRIC"}
PRIORITY = {"DATASET": 0, "METRIC": 1, "TASK": 2, "METHOD": 3}

Span = tuple[int, int, str]  # start, end, label


@dataclass(frozen=True)
class Annotated:
    key: str
    title: str
    abstract: str
    title_spans: tuple[Span, ...]
    abstract_spans: tuple[Span, ...]


def _word_char(c: str) -> bool:
    return c.isalnum()


def occurrences(text: str, form: str) -> list[tuple[int, int]]:
    """Word-bounded occurrences of ``form`` in ``text`` (see the module docstring for case and plurals)."""
    form = form.strip()
    if not form:
        return []
    short = len(form) <= 5
    for haystack, needle in ((text, form), (text.lower(), form.lower())) if short else ((text.lower(), form.lower()),):
        found = []
        start = haystack.find(needle)
        while start >= 0:
            end = start + len(needle)
            for plural in ("es", "s"):
                if haystack.startswith(plural, end) and not (end + len(plural) < len(text)
                                                             and _word_char(text[end + len(plural)])):
                    end += len(plural)
                    break
            before_ok = start == 0 or not _word_char(text[start - 1]) or not _word_char(text[start])
            after_ok = end == len(text) or not _word_char(text[end]) or not _word_char(text[end - 1])
            if before_ok and after_ok:
                found.append((start, end))
            start = haystack.find(needle, start + 1)
        if found:
            return found
    return []


def field_spans(text: str, entities: list[tuple[str, list[str]]]) -> tuple[Span, ...]:
    """Non-overlapping typed spans of ``entities`` ((label type, forms)) in one field's text."""
    cands = [(s, e, label) for label, forms in entities for form in forms for s, e in occurrences(text, form)]
    cands.sort(key=lambda c: (-(c[1] - c[0]), PRIORITY[c[2]], c[0]))
    kept: list[Span] = []
    for s, e, label in cands:
        if all(e <= ks or s >= ke for ks, ke, _ in kept):
            kept.append((s, e, label))
    return tuple(sorted(kept))


def read_pair(input_path: Path, gold_path: Path) -> Iterator[Annotated]:
    """The annotated papers of one input/gold file pair; a key mismatch is an ``InputError``."""
    inputs = [rec for _, rec in json_lines(input_path)]
    for i, (lineno, gold) in enumerate(json_lines(gold_path)):
        if i >= len(inputs) or gold.get("key") != inputs[i]["key"]:
            raise InputError(f"key {gold.get('key')!r} does not match line {i + 1} of {input_path.name}",
                             path=str(gold_path), line=lineno, field="key")
        paper = inputs[i]
        entities = [(GOLD_TYPES[k], [e["label"], *e.get("aliases", [])]) for k in GOLD_TYPES for e in gold.get(k, [])]
        yield Annotated(paper["key"], paper["title"], paper["abstract"], field_spans(paper["title"], entities),
                        field_spans(paper["abstract"], entities))


def read_all(data_dir: Path = DATA_DIR) -> list[Annotated]:
    """Every annotated paper under ``data_dir`` (``gold-NN.jsonl`` with its ``input-NN.jsonl``), in file order."""
    out: list[Annotated] = []
    for gold in sorted(data_dir.glob("gold-*.jsonl")):
        out.extend(read_pair(gold.with_name(gold.name.replace("gold-", "input-")), gold))
    return out


def main() -> None:
    papers = read_all()
    counts: dict[str, int] = {}
    for p in papers:
        for _, _, label in p.title_spans + p.abstract_spans:
            counts[label] = counts.get(label, 0) + 1
    print(json.dumps({"papers": len(papers), "spans": counts}))


if __name__ == "__main__":
    main()
