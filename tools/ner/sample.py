"""Draw abstracts of the shared arXiv corpus for annotation (reproducible): fixed seeds, never an arxiv-dev paper,
never a paper drawn before.

    python -m tools.ner.sample --draw 1   # input-00 … input-15: 2,400 papers, seed 20261205
    python -m tools.ner.sample --draw 2   # input-16 … input-23: 1,200 more, seed 20261206

Writes ``input-NN.jsonl`` (``key``, ``title``, ``abstract``; 150 papers each) into ``--out``
(default ``tools/ner/data/arxiv``); the annotations go beside them as ``gold-NN.jsonl``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "arxiv-cs-2025" / "arxiv_cs_2025_2026.jsonl.gz"
DEV = REPO.parent / "shared" / "gold" / "arxiv-dev" / "input.jsonl"
DRAWS = {1: (20261205, 2400, 0), 2: (20261206, 1200, 16)}  # seed, papers, first file number
PER_FILE = 150


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.ner.sample", description=__doc__.split("\n\n")[0])
    ap.add_argument("--draw", type=int, choices=sorted(DRAWS), required=True)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "data" / "arxiv")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--dev", type=Path, default=DEV)
    args = ap.parse_args(argv)
    seed, n, first = DRAWS[args.draw]
    dev = {json.loads(line)["key"] for line in args.dev.open(encoding="utf-8")}
    earlier = {json.loads(line)["key"] for d in sorted(DRAWS) if d < args.draw
               for f in sorted(args.out.glob("input-*.jsonl"))[DRAWS[d][2]:DRAWS[d][2] + DRAWS[d][1] // PER_FILE]
               for line in f.open(encoding="utf-8")}
    with gzip.open(args.corpus, "rt", encoding="utf-8") as fh:
        papers = [json.loads(line) for line in fh]
    papers = [p for p in papers if p["arxiv_id"] not in dev | earlier and p.get("abstract") and p.get("title")]
    pick = random.Random(seed).sample(papers, n)
    for b in range(0, n, PER_FILE):
        with (args.out / f"input-{first + b // PER_FILE:02d}.jsonl").open("w", encoding="utf-8") as out:
            for p in pick[b:b + PER_FILE]:
                out.write(json.dumps({"key": p["arxiv_id"], "title": p["title"], "abstract": p["abstract"]},
                                     ensure_ascii=False) + "\n")
    print(f"{len(papers)} eligible; {n} drawn into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
