"""The standard (example) queries through HTTP vs. the raw engine in-process: time per query and the ratio.

In: ``--store DIR`` (a built store), the example queries of ``kg/store/queries/examples/*.rq`` (or ``--query
FILE``s). Out: a table of median seconds per query — raw pyoxigraph (query + the engine's own JSON serialiser,
in this process) and HTTP (POST to ``/sparql`` of a ``kg serve`` subprocess on loopback, SPARQL JSON, body read
in full) — and their ratio (target ≤ 1.3×).

    nice .venv/bin/python bench/sparql_http.py --store /tmp/kg-arxiv-store --repeat 5
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "kg" / "store" / "queries" / "examples"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: str, port: int, threads: int, timeout: float) -> subprocess.Popen:
    """``kg serve`` in a subprocess; returns once it accepts connections."""
    env = dict(os.environ, KG_QUERY_TIMEOUT=str(timeout), KG_ROW_LIMIT=str(10**7))
    kg = str(Path(sys.executable).with_name("kg"))
    # The server's log goes to a file: an unread pipe fills up (waitress logs "Task queue depth" under load)
    # and would block the server.
    log = tempfile.NamedTemporaryFile(prefix="kg-serve-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen([kg, "serve", "--store", store, "--port", str(port), "--threads", str(threads)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"kg serve exited; its log: {log.name}\n{Path(log.name).read_text()[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("kg serve did not start within 60 s")


def http_query(conn: http.client.HTTPConnection, query: str) -> bytes:
    body = urlencode({"query": query})
    conn.request("POST", "/sparql", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"})
    resp = conn.getresponse()
    data = resp.read()
    if resp.status != 200:
        raise RuntimeError(f"HTTP {resp.status}: {data[:300]!r}")
    return data


def raw_query(store, query: str) -> bytes:
    import pyoxigraph as ox

    result = store.query(query, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryTriples):
        return ox.serialize(result, format=ox.RdfFormat.N_TRIPLES) or b""
    return result.serialize(format=ox.QueryResultsFormat.JSON) or b""


def interleaved(raw_fn, http_fn, repeat: int) -> tuple[float, float, bytes]:
    """Median seconds of ``raw_fn`` and ``http_fn``, run alternately (so background load hits both alike)."""
    raw_fn()
    body = http_fn()  # warm-up: caches, the first connection
    raw_t, http_t = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        raw_fn()
        t1 = time.perf_counter()
        body = http_fn()
        t2 = time.perf_counter()
        raw_t.append(t1 - t0)
        http_t.append(t2 - t1)
    return statistics.median(raw_t), statistics.median(http_t), body


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", required=True, help="store directory (as for kg build --store)")
    ap.add_argument("--query", action="append", type=Path, help="a .rq file (repeatable; default: the examples)")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per query after one warm-up (median kept)")
    ap.add_argument("--threads", type=int, default=16, help="server threads")
    ap.add_argument("--timeout", type=float, default=120.0, help="server query_timeout for this run")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(REPO))
    from kg.store import GraphStore

    files = args.query or sorted(EXAMPLES.glob("*.rq"))
    queries = [(p.stem, p.read_text(encoding="utf-8")) for p in files]
    store = GraphStore.open(args.store)  # read-only; the server subprocess opens its own read-only handle
    print(f"store {args.store}: {store.triple_count():,} quads; {len(queries)} queries; "
          f"median of {args.repeat} interleaved runs")
    port = free_port()
    proc = start_server(args.store, port, args.threads, args.timeout)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=args.timeout + 10)
        print(f"{'query':<36}{'raw s':>9}{'http s':>9}{'ratio':>8}{'+ms':>8}{'rows':>6}")
        ratios = []
        for name, q in queries:
            t_raw, t_http, body = interleaved(lambda q=q: raw_query(store.ox, q),
                                              lambda q=q: http_query(conn, q), args.repeat)
            rows = len(json.loads(body).get("results", {}).get("bindings", []))
            ratio = t_http / t_raw if t_raw > 0 else float("nan")
            ratios.append(ratio)
            print(f"{name:<36}{t_raw:>9.4f}{t_http:>9.4f}{ratio:>7.2f}×{(t_http - t_raw) * 1000:>8.1f}{rows:>6}")
        print(f"geometric mean ratio {statistics.geometric_mean(ratios):.2f}×, max {max(ratios):.2f}× "
              "(+ms: absolute HTTP overhead per query)")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
