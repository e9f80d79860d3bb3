"""Benchmark: raw arXiv JSON Lines → a served graph. Prints the stage table, quads per paper, the load's µs per
quad, papers/s, peak RSS and the machine's load average.

    nice .venv/bin/python bench/build.py [--input FILE…] [--store /tmp/kg-arxiv-store] [--processes N] [--limit N]
                                         [--no-ner] [--no-validate]

Default input: ../shared/corpus/arxiv-cs-2025/arxiv_cs_2025_2026.jsonl.gz (74,728 papers); default processes: the
build's own default (all cores). Stages: read (parse + spool + acronym pass), extract (wall time of pass 2, with
what the workers spent summed over them: extraction, of which NER, map + N-Quads, shape check), entities and stats
(written from the batches' tallies), load (one Oxigraph bulk load), publish. "Served" means the Flask app answered
a SPARQL count over the new generation. Peak RSS is reported for this process and for the largest extraction
worker (ru_maxrss of children).
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
    ap.add_argument("--processes", type=int, default=None, help="extraction processes (default: all cores)")
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
    print(f"load average (1, 5, 15 min) at the start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
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

    from kg.config import worker_count

    print(report.summary())
    print(f"\npapers: {report.papers}  processes: {worker_count(settings)}  dask: {args.dask or '-'}  "
          f"NER: {settings.use_ner}  shape check: {settings.validate_shapes}")
    print(f"build: {t_build:.1f}s  ({report.papers / t_build:.0f} papers/s)")
    n = max(report.papers, 1)
    w = report.worker_seconds
    print(f"{'stage':<22}{'wall s':>8}{'ms/paper':>10}")
    for stage, secs in report.seconds.items():
        print(f"  {stage:<20}{secs:8.1f}{1000 * secs / n:10.2f}")
        if stage == "extract":
            for sub in ("extract", "NER", "map", "check"):
                if sub in w:
                    print(f"    {'(workers) ' + sub:<18}{w[sub]:8.1f}{1000 * w[sub] / n:10.2f}   summed over workers")
    other = report.triples - report.paper_quads
    print(f"quads: {report.triples:,} = {report.triples / n:.1f} per paper (paper graphs {report.paper_quads / n:.1f}, "
          f"ontology + entities + statistics {other / n:.1f})")
    if report.seconds.get("load"):
        print(f"load: {1e6 * report.seconds['load'] / report.triples:.2f} µs per quad wall, "
              f"{1e6 * report.cpu_seconds.get('load', 0) / report.triples:.2f} µs CPU (one bulk load)")
    print(f"first query through the server: {t_serve:.2f}s (papers served: {served})")
    print(f"raw JSONL → served graph: {total:.1f}s")
    print(f"peak RSS: main {self_rss:.0f} MB, store loader {report.rss_mb.get('loader', 0):.0f} MB, "
          f"largest process it started {child_rss:.0f} MB (extraction workers, loader)")
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_main, cpu_workers = me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime - report.cpu_seconds.get("load", 0)
    cores = os.cpu_count() or 1
    # Lower bound on the wall time: the main process is serial, and all processes share the machine's cores.
    cpu_load = report.cpu_seconds.get("load", 0)
    floor = max(cpu_main, (cpu_main + cpu_workers + cpu_load) / cores)
    print(f"CPU: main {cpu_main:.0f}s, workers {cpu_workers:.0f}s, store loader {cpu_load:.0f}s "
          f"(on {cores} idle cores the build needs ≥ {floor:.0f}s)")
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
