"""Common aggregate queries: live GROUP BY over the links vs the materialised statistics (kg/store/stats.py).

    .venv/bin/python bench/stats_queries.py --store /tmp/kg-arxiv-store [--repeat 3] [--refresh]

Prints, for each question, the best-of-N wall time of both forms and checks they give the same answer.
``--refresh`` recomputes the stats graph first (and times it), for stores built before it existed.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from kg.store import GraphStore, load_query
from kg.store.stats import refresh_stats

PREFIXES = """PREFIX kg: <https://w3id.org/kg-papers/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

LIVE = {
    "top 20 entities by papers": PREFIXES + """
SELECT ?entity (COUNT(DISTINCT ?paper) AS ?count) WHERE {
  ?link rdf:subject ?paper ; rdf:object ?entity .
} GROUP BY ?entity ORDER BY DESC(?count) LIMIT 20""",
    "papers per month": PREFIXES + """
SELECT ?period (COUNT(?paper) AS ?count) WHERE {
  ?paper a kg:Paper ; dcterms:date ?date . BIND(SUBSTR(STR(?date), 1, 7) AS ?period)
} GROUP BY ?period ORDER BY ?period""",
    "papers per method per year": PREFIXES + """
SELECT ?entity ?period (COUNT(DISTINCT ?paper) AS ?count) WHERE {
  ?link rdf:subject ?paper ; rdf:object ?entity .
  ?entity a kg:Method . ?paper kg:year ?period .
} GROUP BY ?entity ?period""",
}

MATERIALISED = {
    "top 20 entities by papers": PREFIXES + """
SELECT ?entity ?count WHERE { ?entity kg:paperCount ?count } ORDER BY DESC(?count) LIMIT 20""",
    "papers per month": load_query("stats_papers_per_month"),
    "papers per method per year": PREFIXES + """
SELECT ?entity ?period ?count WHERE {
  ?s a kg:EntityPaperCount ; kg:forEntity ?entity ; kg:forYear ?period ; kg:count ?count .
  ?entity a kg:Method .
}""",
}


def rows(store: GraphStore, sparql: str) -> list[tuple[str, ...]]:
    res = store.query(sparql)
    names = [v.value for v in res.variables]
    return [tuple(sol[n].value if sol[n] is not None else "" for n in names) for sol in res]


def same(name: str, live: list[tuple[str, ...]], mat: list[tuple[str, ...]]) -> bool:
    """Equal answers; for the top-20 question only the counts (ties at the cut may pick other entities)."""
    if name.startswith("top"):
        return [r[-1] for r in live] == [r[-1] for r in mat]
    return set(live) == set(mat)


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", required=True, help="store directory (kg build --store DIR)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--refresh", action="store_true", help="recompute the stats graph first")
    args = ap.parse_args()
    if args.refresh:
        t = time.perf_counter()
        report = refresh_stats(GraphStore.open(args.store, read_only=False))
        print(f"refresh_stats: {time.perf_counter() - t:.2f} s ({report})")
    store = GraphStore.open(args.store)
    papers = next(iter(store.query(PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?p a kg:Paper }")))["n"].value
    print(f"store {args.store}: {papers} papers, {store.triple_count()} quads; best of {args.repeat}")
    print(f"{'question':30} {'live GROUP BY':>14} {'materialised':>13} {'speed-up':>9}  same answer")
    for name, live_q in LIVE.items():
        t_live, live = best_of(lambda q=live_q: rows(store, q), args.repeat)
        t_mat, mat = best_of(lambda q=MATERIALISED[name]: rows(store, q), args.repeat)
        print(f"{name:30} {t_live:13.3f}s {t_mat:12.3f}s {t_live / max(t_mat, 1e-9):8.0f}x  "
              f"{same(name, live, mat)}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
