"""Fuzz the running server (``kg serve``: waitress, worker processes) on loopback, bounded in count and time.

Nesting, size, mutations of the example queries, hostile IRIs, the SERVICE/LOAD bypass forms of issue 14 and
runaway queries under concurrency, through /sparql, /graph and /api/*. Asserted: no 5xx other than 503 (the
budgets), never a fetch by the server (a loopback listener counts connections), the server alive afterwards,
light queries answered within normal latency once the runaways are killed, no data change, no traceback in the
server's log. The status counts are printed (``pytest -s``) and written to ``fuzz-counts.json`` in the test's
temporary directory.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest

from kg.store import current_path
from tests.test_guard import BYPASSES
from tests.test_http_safety import HOSTILE_IRIS
from tests.test_workers import MEMORY_BOMB, SLOW, Listener

pytestmark = pytest.mark.slow
EXAMPLES = Path(__file__).resolve().parents[1] / "kg" / "store" / "queries" / "examples"
ALLOWED = {200, 204, 400, 401, 403, 404, 405, 406, 413, 414, 431, 503}
TOKEN = "fuzz-token"
MUTANTS = 250
FUZZ_SECONDS = 240  # the whole fuzz stops sending after this long, whatever is left


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, store: Path, log: Path) -> None:
        self.port = _free_port()
        env = dict(os.environ, KG_QUERY_TIMEOUT="3", KG_QUERY_MEMORY_MB="400", KG_QUERY_WORKERS="10",
                   KG_SERVER_MEMORY_MB="6000", KG_UPDATE_ENABLED="1", KG_UPDATE_TOKEN=TOKEN, KG_THREADS="16",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]),
                                                            os.environ.get("PYTHONPATH")])))
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store), "--port",
                                          str(self.port)], env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, log.read_text()[-2000:]
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise AssertionError("kg serve did not start")

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 30) -> tuple[int, bytes, float]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        t0 = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = b"" if method == "HEAD" else resp.read()
            return resp.status, data, time.perf_counter() - t0
        except (http.client.IncompleteRead, ConnectionError):
            return 200, b"", time.perf_counter() - t0  # a streamed answer cut at its deadline
        finally:
            conn.close()

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _qs(value: str, name: str = "query") -> str:
    return urlencode({name: value.encode("utf-8", "surrogatepass")})  # lone surrogates go out as invalid UTF-8


def _sparql(query: str, method: str = "GET") -> tuple[str, str, bytes | None, dict]:
    if method == "GET":
        return "GET", "/sparql?" + _qs(query), None, {"Accept": "application/sparql-results+json"}
    return "POST", "/sparql", query.encode("utf-8", "surrogatepass"), {"Content-Type": "application/sparql-query"}


NESTING = {
    "braces": lambda n: "SELECT * WHERE " + "{" * n + "}" * n,
    "parens": lambda n: "SELECT * WHERE { FILTER(" + "(" * n + "1" + ")" * n + ") }",
    "optional": lambda n: "SELECT * WHERE { " + "OPTIONAL { ?s ?p ?o " * n + "}" * n + " }",
    "subselect": lambda n: "SELECT * WHERE { " + "{ SELECT * WHERE " * n + "{}" + " }" * n + " }",
    "plus": lambda n: "SELECT (" + "+".join(["1"] * n) + " AS ?x) WHERE {}",
    "union": lambda n: "SELECT * WHERE { " + " UNION ".join(["{?s ?p ?o}"] * n) + " }",
    "path": lambda n: "SELECT * WHERE { ?s " + "(" * n + "<http://e/p>" + ")" * n + " ?o }",
    "pathalt": lambda n: "SELECT * WHERE { ?s " + "|".join(["<http://e/p>"] * n) + " ?o }",
    "concat": lambda n: "SELECT * WHERE { BIND(" + "CONCAT(" * n + '"a"' + ',"b")' * n + " AS ?x) }",
}


def _mutants(rng: random.Random, n: int) -> list[str]:
    seeds = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.rq"))]
    pieces = ["{", "}", "(", ")", "<", ">", '"', "'", "#", "\\", "\\u0053", "\\U00110000", "SERVICE", "LOAD",
              "OPTIONAL {", "UNION", "?x", "ex:a\\#", "\u202e", "\x00", "\ud800", " ", "\n", ".", ";", "*"]
    out = []
    for i in range(n):
        text = seeds[i % len(seeds)]
        for _ in range(rng.randint(1, 6)):
            pos = rng.randint(0, len(text))
            op = rng.random()
            if op < 0.4:
                text = text[:pos] + rng.choice(pieces) + text[pos:]
            elif op < 0.7:
                text = text[:pos] + text[pos + rng.randint(1, 20):]
            else:
                a = rng.randint(0, len(text))
                text = text[:pos] + text[a:a + rng.randint(1, 200)] + text[pos:]
        out.append(text)
    return out


def _triple_count(store: Path) -> int:
    import pyoxigraph as ox

    return len(ox.Store.read_only(str(current_path(store))))


def test_fuzz_server_survives_hostile_input(tiny_store, tmp_path):
    store = tmp_path / "store"
    import shutil

    shutil.copytree(tiny_store, store, symlinks=True)
    before_gen, before_n = current_path(store), _triple_count(store)
    listener = Listener()
    server = Server(store, tmp_path / "server.log")
    counts: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    bad: list[str] = []
    started = time.monotonic()

    def send(label: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
             timeout: float = 30) -> tuple[int, bytes, float]:
        status, data, secs = server.request(method, path, body, headers, timeout)
        counts[f"{label} {status}"] += 1
        statuses[status] += 1
        if status not in ALLOWED:
            bad.append(f"{label}: {status} {data[:200]!r}")
        return status, data, secs

    try:
        # 1. nesting and size, through /sparql and /graph?query=
        for make in NESTING.values():
            for n in (10, 100, 1000, 5000, 20000):
                q = make(n)
                send("nesting", *_sparql(q, "POST"))
                send("nesting", "GET", "/graph?" + urlencode({"query": q.replace("SELECT *", "CONSTRUCT { ?s ?p ?o }", 1)}))
        send("size", *_sparql("ASK {}" + " " * 150_000, "POST"))
        send("size", "POST", "/sparql", b"query=" + b"x" * 2_000_000, {"Content-Type": "application/x-www-form-urlencoded"})

        # 2. mutations of the example queries
        rng = random.Random(1414)
        for i, q in enumerate(_mutants(rng, MUTANTS)):
            if time.monotonic() - started > FUZZ_SECONDS:
                break
            send("mutant", *_sparql(q, "POST" if i % 2 else "GET"))
            if i % 5 == 0:
                send("mutant-graph", "GET", "/graph?" + _qs(q))

        # 3. hostile IRIs, GET and HEAD
        for iri in HOSTILE_IRIS:
            for method in ("GET", "HEAD"):
                send("iri", method, "/api/node?" + urlencode({"iri": iri}))
                send("iri", method, "/api/neighbours?" + urlencode({"iri": iri}))
                send("iri", method, "/graph?" + urlencode({"focus": iri}))

        # 4. the SERVICE / LOAD bypass forms: refused, and nothing reaches the listener
        auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
        for q in BYPASSES:
            q = q.replace("127.0.0.1:9", f"127.0.0.1:{listener.port}")
            send("bypass", *_sparql(q, "GET"))
            send("bypass", *_sparql(q, "POST"))
            send("bypass", "GET", "/graph?" + urlencode({"query": q.replace("SELECT *", "CONSTRUCT { ?s ?p ?o }", 1)}))
            send("bypass-update", "POST", "/sparql", f"INSERT {{ ?s ?p ?o }} WHERE {{ {q[q.index('{') + 1:-1]} }}".encode(), auth)
        for u in (f"LOAD <http://127.0.0.1:{listener.port}/x.ttl>",
                  f"PREFIX ex: <http://e/> INSERT DATA {{ ex:a\\# ex:p 1 }} ; LOAD <http://127.0.0.1:{listener.port}/x>"):
            send("bypass-update", "POST", "/sparql", u.encode(), auth)
            send("update-no-token", "POST", "/sparql", u.encode(), {"Content-Type": "application/sparql-update"})

        # 5. runaways under concurrency: 8 clients, while light lookups go on
        runaways = [SLOW, MEMORY_BOMB, "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?f",
                    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"]
        light_during: list[float] = []
        done = threading.Event()

        def abuser(i: int) -> None:
            while not done.is_set():
                q = runaways[i % len(runaways)]
                if i % 4 == 2:
                    send("runaway", "GET", "/graph?" + _qs(q))
                else:
                    send("runaway", *_sparql(q, "POST"))

        threads = [threading.Thread(target=abuser, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        t_end = time.monotonic() + 12
        while time.monotonic() < t_end:
            status, _, secs = send("light-during", *_sparql("ASK { ?s ?p ?o }"))
            assert status == 200
            light_during.append(secs)
            time.sleep(0.05)
        done.set()
        for t in threads:
            t.join(60)
        time.sleep(4)  # every runaway past its 3 s budget is killed by now
        light_after = [send("light-after", *_sparql("ASK { ?s ?p ?o }"))[2] for _ in range(20)]

        # the server is alive, answers light queries in normal time, and nothing reached the network
        assert server.proc.poll() is None
        assert statistics.median(light_after) < 0.5 and max(light_after) < 1.0, light_after
        assert listener.hits == 0
        assert not bad, bad[:10]
        light_during.sort()
        summary = {"statuses": dict(sorted(statuses.items())), "by_kind": dict(sorted(counts.items())),
                   "light_during_p50": statistics.median(light_during),
                   "light_during_p99": light_during[int(0.99 * (len(light_during) - 1))],
                   "light_after_max": max(light_after), "seconds": time.monotonic() - started}
        (tmp_path / "fuzz-counts.json").write_text(json.dumps(summary, indent=1))
        print("\nfuzz:", json.dumps(summary, indent=1))
    finally:
        server.close()
        listener.close()
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    # no data change: same generation, same triples
    assert current_path(store) == before_gen and _triple_count(store) == before_n
