"""Loopback load test of ``/sparql``: N concurrent clients for a bounded duration → QPS, p50/p99 latency, errors.

In: ``--store DIR`` (starts ``kg serve`` on a free loopback port) or ``--url`` of a running server; ``--clients``,
``--duration``, the query mix (``light``: cheap lookups; ``examples``: the example queries; ``mixed``: both).
``--abusers K`` adds K clients that send a deliberately runaway query, to show that the time budget cuts them
off (counted as intended timeouts) while the others keep being served. Out: one summary table; exit code 1 when
there were errors other than intended timeouts.

    nice .venv/bin/python bench/load_test.py --store /tmp/kg-arxiv-store --clients 50 --duration 60
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sparql_http import EXAMPLES, free_port, start_server

PREFIXES = """PREFIX kg: <https://w3id.org/kg-papers/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
LIGHT = [
    "ASK { ?s ?p ?o }",
    PREFIXES + "SELECT ?paper ?title WHERE { ?paper a kg:Paper ; dcterms:title ?title } LIMIT 20 OFFSET {n}",
    PREFIXES + "SELECT ?e ?label WHERE { ?e a kg:Method ; rdfs:label ?label } LIMIT 10 OFFSET {n}",
    PREFIXES + "SELECT ?p ?o WHERE { ?s a kg:Dataset ; ?p ?o } LIMIT 50 OFFSET {n}",
    PREFIXES + "CONSTRUCT { ?paper dcterms:title ?t } WHERE { ?paper a kg:Paper ; dcterms:title ?t } LIMIT 25",
]
RUNAWAY = ("SELECT * WHERE { VALUES ?a { " + " ".join(map(str, range(1000))) + " } VALUES ?b { "
           + " ".join(map(str, range(1000))) + " } VALUES ?c { " + " ".join(map(str, range(1000))) + " } }")
# one engine call that blocks (an aggregate over 3·10^7 rows): Oxigraph cannot stop it, the endpoint abandons it
RUNAWAY_BLOCKING = ("SELECT (COUNT(*) AS ?n) WHERE { VALUES ?a { " + " ".join(map(str, range(1000))) + " } VALUES ?b { "
                    + " ".join(map(str, range(1000))) + " } VALUES ?c { " + " ".join(map(str, range(30))) + " } }")


def query_mix(name: str) -> list[str]:
    examples = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.rq"))]
    return {"light": LIGHT, "examples": examples, "mixed": LIGHT + examples}[name]


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.outcomes: Counter[str] = Counter()

    def record(self, outcome: str, latency: float | None = None) -> None:
        with self.lock:
            self.outcomes[outcome] += 1
            if latency is not None:
                self.latencies.append(latency)


def client(host: str, port: int, queries: list[str], deadline: float, stats: Stats, seed: int,
           request_timeout: float) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=request_timeout)
    counter = itertools.count(seed)
    while time.monotonic() < deadline:
        i = next(counter)
        query = queries[i % len(queries)].replace("{n}", str((i * 37) % 500))
        accept = "text/turtle" if "CONSTRUCT" in query[:400] else "application/sparql-results+json"
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/sparql", body=urlencode({"query": query}),
                         headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
            resp = conn.getresponse()
            body = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            stats.record(f"error: {type(exc).__name__}")
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=request_timeout)
            continue
        latency = time.perf_counter() - t0
        if resp.status == 200:
            stats.record("ok", latency)
        elif resp.status == 503 and b"query_timeout" in body:
            stats.record("intended timeout (503 query_timeout)")
        else:
            stats.record(f"error: HTTP {resp.status} {body[:80]!r}")
    conn.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", help="store directory: start `kg serve` on it for the test")
    where.add_argument("--url", help="base URL of a running server, e.g. http://127.0.0.1:8000")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds")
    ap.add_argument("--mix", choices=["light", "examples", "mixed"], default="mixed")
    ap.add_argument("--abusers", type=int, default=0, help="extra clients sending a runaway query")
    ap.add_argument("--abuse", choices=["streaming", "blocking"], default="streaming",
                    help="runaway kind: rows streaming out (stopped at the next row) or one blocking aggregate")
    ap.add_argument("--threads", type=int, default=8, help="server threads (with --store)")
    ap.add_argument("--timeout", type=float, default=30.0, help="server query_timeout (with --store)")
    args = ap.parse_args(argv)

    proc = None
    if args.store:
        port = free_port()
        proc = start_server(args.store, port, args.threads, args.timeout)
        host = "127.0.0.1"
    else:
        parsed = urlparse(args.url)
        host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    queries = query_mix(args.mix)
    stats, abuse = Stats(), Stats()
    deadline = time.monotonic() + args.duration
    request_timeout = args.timeout * 4 + 30
    threads = [threading.Thread(target=client, args=(host, port, queries, deadline, stats, i * 7, request_timeout))
               for i in range(args.clients)]
    threads += [threading.Thread(target=client, args=(host, port, [RUNAWAY if args.abuse == "streaming" else RUNAWAY_BLOCKING],
                                                      deadline, abuse, 0, request_timeout))
                for _ in range(args.abusers)]
    start = time.monotonic()
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
    elapsed = time.monotonic() - start
    lat = sorted(stats.latencies)
    done = sum(stats.outcomes.values())
    print(f"{args.clients} clients (+{args.abusers} abusers), mix {args.mix} ({len(queries)} queries), "
          f"{elapsed:.1f} s, server {'kg serve --threads ' + str(args.threads) if proc else args.url}")
    print(f"requests {done}  QPS {done / elapsed:.1f}  ok {stats.outcomes['ok']}")
    if lat:
        p = statistics.quantiles(lat, n=100, method="inclusive")
        print(f"latency of ok requests: p50 {p[49] * 1000:.0f} ms  p99 {p[98] * 1000:.0f} ms  max {lat[-1] * 1000:.0f} ms")
    for outcome, n in sorted(stats.outcomes.items()):
        if outcome != "ok":
            print(f"  {outcome}: {n}")
    if args.abusers:
        print("abusers: " + ", ".join(f"{k}: {v}" for k, v in sorted(abuse.outcomes.items())))
    errors = sum(n for k, n in (stats.outcomes + abuse.outcomes).items() if k.startswith("error"))
    print(f"errors other than intended timeouts: {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
