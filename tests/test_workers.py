"""Query worker processes (server.sparql.workers): killed at the deadline, a crash or a memory blow-up costs one
request, no network inside a worker, and an update commits only by the server's swap."""

from __future__ import annotations

import ctypes
import socket
import threading
import time

import pytest

from kg.errors import EngineCrashed, QueryMemory, QueryTimeout, StoreError
from kg.store import current_path
from server import create_app
from server.sparql.budget import Budget
from server.sparql.execute import QueryJob
from server.sparql.workers import WorkerPool
from tests.test_sparql import EX, JSON, UPDATE, _cross_product, make_store

SLOW = f"SELECT (COUNT(*) AS ?n) WHERE {{ {_cross_product(400)} }}"  # about 8 s of engine time
MEMORY_BOMB = ("SELECT ?x WHERE { BIND(\"" + "a" * 1000 + "\" AS ?a0) "
               + " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(24)) + " BIND(STRLEN(?a24) AS ?x) }")


def segfault() -> None:
    """A real invalid memory access, as a crashing engine makes (a SIGSEGV sent with kill() did not always end the
    worker under pytest)."""
    ctypes.string_at(0)


def connect(port: int) -> object:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError as exc:
        return exc.errno
    return "connected"


class Listener:
    """A loopback TCP listener that counts the connections it gets."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self.stop = True
        self.thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def pool():
    p = WorkerPool(2, memory_mb=512)
    yield p
    p.close()


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return str(current_path(make_store(tmp_path_factory.mktemp("workers-store"))))


def test_workers_kill_a_query_at_its_deadline_and_serve_the_next(pool, store_path):
    t0 = time.monotonic()
    with pytest.raises(QueryTimeout):
        pool.call(("query", QueryJob(SLOW, 10), store_path, 60.0), Budget(0.5))
    assert time.monotonic() - t0 < 3
    stream = pool.stream(("query", QueryJob("ASK { ?s ?p ?o }", 10, accept="application/sparql-results+json"),
                          store_path, 5.0), Budget(5))
    assert b'"boolean":true' in b"".join(p for p in stream if isinstance(p, bytes))
    assert pool.stats.killed.get("timeout", 0) >= 1


def test_workers_crash_costs_one_request(pool, store_path):
    with pytest.raises(EngineCrashed, match="server goes on"):
        pool.call(("call", segfault), Budget(5))
    assert pool.call(("call", len, "abc"), Budget(5)) == 3


def test_workers_memory_budget_stops_a_query(store_path):
    small = WorkerPool(1, memory_mb=600)
    try:
        with pytest.raises(QueryMemory, match="query_memory_mb"):
            small.call(("query", QueryJob(MEMORY_BOMB, 10), store_path, 30.0), Budget(30))
        assert small.call(("call", len, "ok"), Budget(5)) == 2
    finally:
        small.close()


def test_workers_have_no_network(pool, store_path):
    listener = Listener()
    try:
        assert pool.call(("call", connect, listener.port), Budget(5)) == 13  # EACCES from the seccomp filter
        # SERVICE sent straight to a worker, past the guard: the engine cannot open a socket either
        job = QueryJob(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/x> {{ ?s ?p ?o }} }}", 10)
        with pytest.raises(Exception, match=r"(?i)permission|error"):
            pool.call(("query", job, store_path, 5.0), Budget(5))
        time.sleep(0.3)
        assert listener.hits == 0
    finally:
        listener.close()


def test_workers_update_killed_before_commit_changes_nothing(tmp_path):
    root = make_store(tmp_path / "rw")
    app = create_app({"store_dir": str(root), "update_enabled": True, "update_token": "t", "query_timeout": 1.0,
                      "TESTING": True})
    client = app.test_client()
    auth = {"Authorization": "Bearer t"}
    before = current_path(root)
    slow = f"INSERT {{ <{EX}x> <{EX}n> ?n }} WHERE {{ {{ {SLOW} }} }}"
    resp = client.post("/sparql", data={"update": slow}, headers=auth)
    assert resp.status_code == 503 and "nothing was changed" in resp.get_json()["error"]["message"]
    assert current_path(root) == before  # not published
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    n0 = client.get("/sparql", query_string={"query": count}, headers=JSON).get_json()
    ok = client.post("/sparql", data={"update": UPDATE}, headers=auth)
    assert ok.status_code == 204 and ok.headers["X-KG-Update"] == "committed"
    assert current_path(root) != before
    n1 = client.get("/sparql", query_string={"query": count}, headers=JSON).get_json()
    assert int(n1["results"]["bindings"][0]["n"]["value"]) == int(n0["results"]["bindings"][0]["n"]["value"]) + 1
    # a read-only server beside the writer sees the committed update
    reader = create_app({"store_dir": str(root), "TESTING": True}).test_client()
    names = reader.get("/sparql", query_string={"query": f"ASK {{ ?s <{EX}name> \"Carol\" }}"}, headers=JSON)
    assert names.get_json()["boolean"] is True
    # one writer per store: a second update-enabled server is refused at start, without naming the path
    with pytest.raises(StoreError, match="one writer per store") as err:
        create_app({"store_dir": str(root), "update_enabled": True, "update_token": "t"})
    assert str(root) not in str(err.value)
