"""Loopback load test of ``/sparql``: N concurrent clients for a bounded duration → QPS, p50/p99 latency, errors.

In: ``--store DIR`` (starts ``kg serve`` on a free loopback port) or ``--url`` of a running server; ``--clients``,
``--duration``, the query mix (``light``: cheap lookups; ``examples``: the example queries; ``mixed``: both).
``--abusers K`` adds K clients that send a deliberately runaway query, to show that the budgets cut them
off (counted as intended 503s: query_timeout, query_memory, server_busy) while the others keep being served;
``--compare K`` runs the light mix twice, without and then with K abusers, and prints both latencies. The RSS of
the server and all its processes (fork server, query workers) is sampled every 0.25 s; the peak is printed beside
the configured ceiling (``server_memory_mb``). Out: one summary per run; exit code 1 when there were errors other
than intended 503s.

    nice .venv/bin/python bench/load_test.py --store /tmp/kg-arxiv-store --clients 50 --duration 60
    nice .venv/bin/python bench/load_test.py --store /tmp/kg-arxiv-store --clients 4 --duration 30 --compare 8
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
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


# a memory runaway: each BIND doubles a string (2^26 characters and more) until the worker's memory budget stops it
RUNAWAY_MEMORY = ("SELECT (STRLEN(?a26) AS ?n) WHERE { BIND(\"" + "a" * 64 + "\" AS ?a0) "
                  + " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(26)) + " }")
RUNAWAYS = {"streaming": [RUNAWAY], "blocking": [RUNAWAY_BLOCKING], "memory": [RUNAWAY_MEMORY],
            "mixed": [RUNAWAY_BLOCKING, RUNAWAY, RUNAWAY_MEMORY]}
INTENDED = (b"query_timeout", b"query_memory", b"server_busy")
PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(pid: int) -> int:
    """RSS in bytes of ``pid`` and all its descendants (the fork server and the query workers), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(parents.get(p, []))
    return total


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.25):
            self.peak = max(self.peak, tree_rss(self.pid))


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
        except http.client.IncompleteRead:  # a streamed answer cut by closing the connection at its deadline
            stats.record("intended: stream cut at its deadline")
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=request_timeout)
            continue
        except (OSError, http.client.HTTPException) as exc:
            stats.record(f"error: {type(exc).__name__}")
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=request_timeout)
            continue
        latency = time.perf_counter() - t0
        if resp.status == 200:
            stats.record("ok", latency)
        elif resp.status == 503 and any(code in body for code in INTENDED):
            code = next(c for c in INTENDED if c in body).decode()
            stats.record(f"intended 503 {code}")
        else:
            stats.record(f"error: HTTP {resp.status} {body[:80]!r}")
    conn.close()


def run_once(host: str, port: int, queries: list[str], clients: int, abusers: int, abuse: str, duration: float,
             request_timeout: float) -> tuple[Stats, Stats, float]:
    stats, abused = Stats(), Stats()
    deadline = time.monotonic() + duration
    threads = [threading.Thread(target=client, args=(host, port, queries, deadline, stats, i * 7, request_timeout))
               for i in range(clients)]
    threads += [threading.Thread(target=client, args=(host, port, RUNAWAYS[abuse], deadline, abused, i,
                                                      request_timeout))
                for i in range(abusers)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return stats, abused, time.monotonic() - start


def report(label: str, stats: Stats, abused: Stats, elapsed: float, abusers: int) -> int:
    lat = sorted(stats.latencies)
    done = sum(stats.outcomes.values())
    print(f"{label}: requests {done}  QPS {done / elapsed:.1f}  ok {stats.outcomes['ok']}")
    if lat:
        p = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else [lat[0]] * 99
        print(f"  latency of ok requests: p50 {p[49] * 1000:.0f} ms  p99 {p[98] * 1000:.0f} ms  "
              f"max {lat[-1] * 1000:.0f} ms")
    for outcome, n in sorted(stats.outcomes.items()):
        if outcome != "ok":
            print(f"  {outcome}: {n}")
    if abusers:
        print(f"  {abusers} abusers: " + ", ".join(f"{k}: {v}" for k, v in sorted(abused.outcomes.items())))
    return sum(n for k, n in (stats.outcomes + abused.outcomes).items() if k.startswith("error"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", help="store directory: start `kg serve` on it for the test")
    where.add_argument("--url", help="base URL of a running server, e.g. http://127.0.0.1:8000")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds (per run with --compare)")
    ap.add_argument("--mix", choices=["light", "examples", "mixed"], default="mixed")
    ap.add_argument("--abusers", type=int, default=0, help="extra clients sending a runaway query")
    ap.add_argument("--compare", type=int, default=0, metavar="K",
                    help="run the light mix without abusers, then with K abusers, and print both")
    ap.add_argument("--abuse", choices=sorted(RUNAWAYS), default="mixed",
                    help="runaway kind: rows streaming out, one blocking aggregate, a memory bomb, or all three")
    ap.add_argument("--threads", type=int, default=16, help="server threads (with --store)")
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
    sampler = RssSampler(proc.pid) if proc is not None else None
    if sampler is not None:
        sampler.start()
    request_timeout = args.timeout * 4 + 30
    errors = 0
    try:
        print(f"server {'kg serve --threads ' + str(args.threads) if proc else args.url}, "
              f"query_timeout {args.timeout:g} s")
        if args.compare:
            for k in (0, args.compare):
                stats, abused, elapsed = run_once(host, port, LIGHT, args.clients, k, args.abuse, args.duration,
                                                  request_timeout)
                errors += report(f"{args.clients} light clients + {k} abusers ({args.abuse}), {elapsed:.0f} s",
                                 stats, abused, elapsed, k)
        else:
            queries = query_mix(args.mix)
            stats, abused, elapsed = run_once(host, port, queries, args.clients, args.abusers, args.abuse,
                                              args.duration, request_timeout)
            errors += report(f"{args.clients} clients (+{args.abusers} abusers), mix {args.mix} "
                             f"({len(queries)} queries), {elapsed:.1f} s", stats, abused, elapsed, args.abusers)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
        if sampler is not None:
            sampler.stop.set()
    if sampler is not None:
        ceiling = int(os.environ.get("KG_SERVER_MEMORY_MB", "8192"))
        print(f"server RSS (server + fork server + query workers): peak {sampler.peak / 2**20:.0f} MB; "
              f"ceiling (server_memory_mb) {ceiling} MB")
    print(f"errors other than intended 503s: {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
