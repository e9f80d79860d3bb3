"""Extraction throughput on arXiv abstracts, one process: papers/s per core, with and without the trained NER.

Usage: python bench/extract_throughput.py [--n 2000] [--corpus PATH]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

from kg.config import load_settings
from kg.extract import Extractor
from kg.ingest import read_papers

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/arxiv-cs-2025/arxiv_cs_2025_2026.jsonl.gz"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = ap.parse_args()
    papers = list(itertools.islice(read_papers([args.corpus]), args.n))
    words = sum(len(p.title.split()) + len(p.abstract.split()) for p in papers)
    print(f"{len(papers)} papers, {words / len(papers):.0f} words per paper")
    for use_ner in (False, True):
        t0 = time.perf_counter()
        ex = Extractor(load_settings({"use_ner": use_ner}))
        t_load = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        links = sum(len(e.links) for e in ex.extract(papers))
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        # CPU seconds of this single-threaded process: what one dedicated core does, even on a busy machine.
        print(f"use_ner={use_ner!s:5} pipeline={ex.nlp.pipe_names} load {t_load:.1f}s  "
              f"{len(papers) / dt:.0f} papers/s wall, {len(papers) / dc:.0f} papers per CPU-second  "
              f"{links / len(papers):.1f} links/paper")


if __name__ == "__main__":
    main()
