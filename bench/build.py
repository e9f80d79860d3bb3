"""Benchmark: raw arXiv JSON Lines → a served graph. Prints papers/s, per-stage seconds and peak RSS.

    nice .venv/bin/python bench/build.py [--input FILE…] [--store /tmp/kg-arxiv-store] [--processes 2] [--limit N]
                                         [--no-ner] [--no-validate]

Default input: ../shared/corpus/arxiv-cs-2025/arxiv_cs_2025_2026.jsonl.gz (74,728 papers). "Served" means the
Flask app answered a SPARQL count over the new generation. Peak RSS is reported for this process and for the
largest extraction worker (ru_maxrss of children).
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "arxiv-cs-2025" / "arxiv_cs_2025_2026.jsonl.gz"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", nargs="*", type=Path, default=[CORPUS])
    ap.add_argument("--store", default="/tmp/kg-arxiv-store")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="only the first N lines of each input (0: all)")
    ap.add_argument("--dask", default="", help="'local' or a scheduler address")
    ap.add_argument("--no-ner", action="store_true", help="vocabularies and patterns only (like kg build --no-ner)")
    ap.add_argument("--no-validate", action="store_true", help="skip the shape check (like kg build --no-validate)")
    args = ap.parse_args()

    from kg.build import build
    from kg.cli import ProgressBar
    from kg.config import load_settings

    inputs = args.input
    tmp = None
    if args.limit:
        tmp = tempfile.TemporaryDirectory(prefix="kg-bench-")
        cut = Path(tmp.name) / "head.jsonl"
        with cut.open("w", encoding="utf-8") as out:
            for f in inputs:
                opener = gzip.open if f.suffix == ".gz" else open
                with opener(f, "rt", encoding="utf-8") as fh:
                    for i, line in enumerate(fh):
                        if i >= args.limit:
                            break
                        out.write(line)
        inputs = [cut]
    settings = load_settings({"store_dir": args.store, "n_process": args.processes, "dask": args.dask,
                              "use_ner": False if args.no_ner else None,
                              "validate_shapes": False if args.no_validate else None})
    t0 = time.perf_counter()
    report = build(inputs, settings, progress=ProgressBar("extract"))
    t_build = time.perf_counter() - t0

    from server import create_app

    t = time.perf_counter()
    app = create_app({"store_dir": args.store, "TESTING": True})
    resp = app.test_client().get("/sparql", query_string={
        "query": "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/kg-papers/ontology#Paper> }"},
        headers={"Accept": "application/sparql-results+json"})
    t_serve = time.perf_counter() - t
    served = resp.get_json()["results"]["bindings"][0]["n"]["value"] if resp.status_code == 200 else resp.status_code
    total = time.perf_counter() - t0
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    print(report.summary())
    print(f"\npapers: {report.papers}  processes: {args.processes}  dask: {args.dask or '-'}  "
          f"NER: {settings.use_ner}  shape check: {settings.validate_shapes}")
    print(f"build: {t_build:.1f}s  ({report.papers / t_build:.0f} papers/s)")
    for stage, secs in report.seconds.items():
        print(f"  {stage:<15} {secs:7.1f}s")
    print(f"first query through the server: {t_serve:.2f}s (papers served: {served})")
    print(f"raw JSONL → served graph: {total:.1f}s")
    print(f"peak RSS: main {self_rss:.0f} MB, largest worker {child_rss:.0f} MB")
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_main, cpu_workers = me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime
    cores = os.cpu_count() or 1
    # Lower bound on the wall time: the main process is serial, and all processes share the machine's cores.
    floor = max(cpu_main, (cpu_main + cpu_workers) / cores)
    print(f"CPU: main {cpu_main:.0f}s, workers {cpu_workers:.0f}s "
          f"(on {cores} idle cores the build needs ≥ {floor:.0f}s)")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
