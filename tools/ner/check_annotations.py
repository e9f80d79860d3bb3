"""Check an annotation file against its input: same keys in order, valid shape, every label and alias present in
the title or abstract (case-insensitive) — what the annotators ran after every ten papers.

usage: python -m tools.ner.check_annotations tools/ner/data/arxiv/input-NN.jsonl tools/ner/data/arxiv/gold-NN.jsonl
Prints one line per problem and a summary; exits 1 when there is a problem.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from kg.evaluation.paper_level import GUIDELINE_ARCHITECTURES

TYPES = ("methods", "tasks", "datasets", "metrics")


def problems(inputs: list[dict[str, Any]], gold: list[dict[str, Any]]) -> list[str]:
    """What is wrong with ``gold`` (one record per input record, same order), as readable lines."""
    out = []
    for i, g in enumerate(gold, start=1):
        if i > len(inputs) or g.get("key") != inputs[i - 1]["key"]:
            out.append(f"line {i}: key {g.get('key')!r} is not the input's key at this line")
            continue
        text = (inputs[i - 1]["title"] + "\n" + inputs[i - 1]["abstract"]).lower()
        for kind in TYPES:
            for e in g.get(kind, []):
                if not isinstance(e, dict) or "label" not in e:
                    out.append(f"line {i}: {kind}: bad entry {e!r}")
                    continue
                out += [f"line {i} ({g['key']}): {kind} form {form!r} does not occur in title/abstract"
                        for form in [e["label"], *e.get("aliases", [])] if form.lower() not in text]
                if kind == "methods" and not isinstance(e.get("proposed"), bool):
                    out.append(f"line {i}: methods entry {e['label']!r} lacks proposed true/false")
        unknown = set(g.get("architectures", [])) - GUIDELINE_ARCHITECTURES
        if unknown:
            out.append(f"line {i}: unknown architectures {sorted(unknown)}")
    return out


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        print(__doc__)
        return 2
    with Path(args[0]).open(encoding="utf-8") as fh:
        inputs = [json.loads(line) for line in fh if line.strip()]
    gold = []
    with Path(args[1]).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    gold.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    print(f"line {n}: bad JSON: {exc}")
                    return 1
    found = problems(inputs, gold)
    print("\n".join([*found, f"{len(gold)} of {len(inputs)} papers annotated, {len(found)} problems"]))
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
