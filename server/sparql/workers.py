"""Query worker processes: where every SPARQL query, SPARQL Update and graph-view CONSTRUCT of the server runs, so
that the server can stop it for real.

In: a job message of plain values (``("query", QueryJob, store path, seconds)``, ``("construct", query, max
nodes, store path)``, ``("update", text, source generation, new generation)``) and a ``Budget``. Out: a
``WorkerStream`` with the interface of ``budget.Stream`` (``get``/iteration/``close``/``result``): what the worker
emits, read by the request thread within the budget.

The model (measured on the bundled store, 2 cores, pyoxigraph 0.5.13):

* **Processes, started by a fork server.** ``multiprocessing``'s ``forkserver`` keeps one clean, single-threaded
  process with pyoxigraph imported; a new worker is a fork of it plus a read-only open of the store generation:
  26 ms to a ready worker (0.15–0.85 s with ``spawn``). An ASK round trip through a worker costs 0.2 ms. Workers
  are made on demand, up to ``query_workers``, and kept while idle.
* **Killed at the deadline.** Oxigraph cannot cancel a query, so a query still running when its time budget ends
  is SIGKILLed (the request answers ``503 query_timeout``) and its worker forgotten; the next query forks a new one.
  A monitor thread also kills workers whose request thread stopped waiting (a client streaming slowly past the
  deadline).
* **Bounded memory.** Each worker caps its own private memory (``RLIMIT_DATA`` = ``query_memory_mb``, see
  ``sandbox``): an allocation past it aborts the worker → ``503 query_memory``. The monitor also sums the RSS of
  the server and its workers every 0.1 s and kills the biggest busy worker when the total passes
  ``server_memory_mb``.
* **Crashes cost one request.** A worker that dies (a segfault in the engine) answers its request ``503
  engine_crashed``; the server process and every other request go on.
* **Short queries first.** While more queries run than there are cores, a query still running after
  ``DEMOTE_AFTER_S`` has its worker's threads reniced to 19, so runaways leave the cores to short lookups (a lone
  long query keeps its priority: on a machine shared with other work, nice 19 would starve it); such a worker is
  retired after its query (an unprivileged process cannot be un-niced).
* **Updates commit by a swap the server makes.** A worker copies the served generation (an Oxigraph backup: hard
  links, instant), applies the update to the copy, flushes and closes it, and reports ``done``; only then does
  the server publish the copy as ``current`` (an atomic rename, under the store's write lock). A worker killed or
  crashed before ``done`` leaves the served graph untouched ("nothing was changed"); after ``done`` the server
  commits and says so. There is no window in which the answer and the data can disagree.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kg.errors import EngineCrashed, KGError, QueryMemory, QueryTimeout, WorkerBusy
from server.sparql.budget import END, Abandoned, Budget

log = logging.getLogger("kg.server")
DEMOTE_AFTER_S = 1.0
MONITOR_S = 0.1
SPAWN_TIMEOUT_S = 30.0
KILL_GRACE_S = 1.0  # a busy worker this long past its deadline is killed by the monitor
PAGE = os.sysconf("SC_PAGE_SIZE")
CORES = os.cpu_count() or 1


class WorkerError(KGError):
    """An error a worker reported (status, code and message as the worker's ``KGError`` had them)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


# ------------------------------------------------------------------------------------------------ worker side
def _open(path: str, cache: dict[str, Any]) -> Any:
    from kg.store import GraphStore

    store = cache.get(path)
    if store is None:
        cache.clear()  # one generation at a time: the older one is released first
        import pyoxigraph as ox

        store = cache[path] = GraphStore(ox.Store.read_only(path), Path(path), read_only=True)
    return store


def _apply_update(text: str, source: str, target: str) -> None:
    import pyoxigraph as ox

    from kg.errors import QueryError

    src = ox.Store.read_only(source)
    src.backup(target)
    del src
    store = ox.Store(target)
    try:
        store.update(text)
    except SyntaxError as exc:
        raise QueryError(str(exc)) from None
    store.flush()
    del store


def _serve(conn: Connection) -> None:
    """The worker's loop: one job at a time, its items and outcome sent back as ``(kind, value)`` messages."""
    from server.sparql.execute import run_query

    stores: dict[str, Any] = {}
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        kind = msg[0]

        def emit(item: Any) -> None:
            conn.send(("item", item))

        try:
            if kind == "query":
                _, job, path, seconds = msg
                value: Any = run_query(_open(path, stores), job, Budget(seconds), emit)
            elif kind == "construct":
                from kg.store.read.views import construct_triples

                _, query, max_nodes, path = msg
                value = construct_triples(_open(path, stores), query, max_nodes)
            elif kind == "update":
                _, text, source, target = msg
                stores.clear()
                _apply_update(text, source, target)
                value = None
            elif kind == "call":  # tests: run a function of plain values in the sandbox
                value = msg[1](*msg[2:])
            else:
                raise ValueError(f"unknown job {kind!r}")
            conn.send(("end", value))
        except KGError as exc:
            conn.send(("error", (exc.status, exc.code, str(exc))))
        except Abandoned:
            conn.send(("error", (QueryTimeout.status, QueryTimeout.code, "the query ran past its time budget")))
        except MemoryError:
            conn.send(("error", (QueryMemory.status, QueryMemory.code, "the query ran out of its memory budget")))
        except Exception:
            conn.send(("error", (500, "internal_error", traceback.format_exc())))


def worker_main(conn: Connection, memory_mb: int) -> None:
    """Entry point of a worker process: sandbox itself, then serve jobs in a thread with a big stack."""
    from server.sparql import sandbox

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the server; the server stops its workers
    sandbox.block_network()
    sandbox.limit_memory(memory_mb)
    threading.stack_size(sandbox.STACK_MB * 1024 * 1024)
    t = threading.Thread(target=_serve, args=(conn,), name="kg-query")
    t.start()
    conn.send(("ready", os.getpid()))
    t.join()


# ------------------------------------------------------------------------------------------------ server side
@dataclass(eq=False)
class Worker:
    proc: Any
    conn: Connection
    started: float = 0.0
    deadline: float = 0.0
    busy: bool = False
    demoted: bool = False
    killed: str = ""  # why the server killed it: "timeout", "memory", "cancelled"

    @property
    def pid(self) -> int:
        return int(self.proc.pid)


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _renice(pid: int, value: int) -> None:
    with contextlib.suppress(OSError):
        for tid in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, int(tid), value)


@dataclass
class PoolStats:
    started: int = 0
    killed: dict[str, int] = field(default_factory=dict)
    peak_rss: int = 0  # server + workers, bytes, as the monitor saw it


class WorkerPool:
    """Up to ``size`` worker processes; ``stream``/``call`` run one job on a free worker within a ``Budget``."""

    def __init__(self, size: int, memory_mb: int, server_memory_mb: int = 0) -> None:
        self.size = max(1, size)
        self.memory_mb = memory_mb
        self.server_memory = server_memory_mb * 1024 * 1024
        self.stats = PoolStats()
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(["pyoxigraph", "server.sparql.workers", "server.sparql.execute",
                                        "server.sparql.sandbox", "kg.store.read.views"])
        self._cond = threading.Condition()
        self._idle: list[Worker] = []
        self._all: set[Worker] = set()
        self._closed = False
        self._monitor = threading.Thread(target=self._watch, name="kg-query-monitor", daemon=True)
        self._monitor.start()

    # ------------------------------------------------------------------ workers
    def _spawn(self) -> Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=worker_main, args=(child, self.memory_mb), name="kg-query-worker",
                                 daemon=True)
        proc.start()
        child.close()
        self.stats.started += 1
        w = Worker(proc, parent)
        try:  # wait until the worker has sandboxed itself: its set-up is not a query's time
            ready = parent.poll(SPAWN_TIMEOUT_S) and parent.recv()[0] == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            proc.kill()
            raise EngineCrashed("a query worker process could not be started; the server goes on")
        return w

    def _acquire(self, budget: Budget) -> Worker:
        with self._cond:
            while True:
                if self._closed:
                    raise WorkerBusy("the server is shutting down")
                while self._idle:
                    w = self._idle.pop()
                    if w.proc.is_alive():
                        w.busy, w.started, w.deadline = True, time.monotonic(), budget.deadline
                        return w
                    self._forget(w)
                if len(self._all) < self.size:
                    placeholder = Worker(None, None)  # type: ignore[arg-type]  # holds the slot while forking
                    self._all.add(placeholder)
                    break
                remaining = budget.remaining()
                if remaining <= 0:
                    raise WorkerBusy(f"all {self.size} query workers stayed busy for the whole time budget "
                                     f"({budget.seconds:g} s); try again later (setting query_workers)")
                self._cond.wait(min(remaining, 0.5))
        try:
            w = self._spawn()
        except BaseException:
            with self._cond:
                self._all.discard(placeholder)
                self._cond.notify()
            raise
        w.busy, w.started, w.deadline = True, time.monotonic(), budget.deadline
        with self._cond:
            self._all.discard(placeholder)
            self._all.add(w)
        return w

    def _forget(self, w: Worker) -> None:
        """Drop ``w`` from the pool (caller holds the lock)."""
        self._all.discard(w)
        with contextlib.suppress(Exception):
            w.conn.close()
        self._cond.notify()

    def release(self, w: Worker) -> None:
        """``w`` finished its job cleanly: back to the idle list (a demoted worker is retired instead)."""
        with self._cond:
            w.busy = False
            if w.demoted or self._closed:
                self._kill_locked(w, "")
            else:
                self._idle.append(w)
                self._cond.notify()

    def kill(self, w: Worker, reason: str) -> None:
        with self._cond:
            self._kill_locked(w, reason)

    def _kill_locked(self, w: Worker, reason: str) -> None:
        if w.killed or w.proc is None:
            return
        w.killed = reason or "retired"
        w.busy = False
        with contextlib.suppress(OSError):
            os.kill(w.pid, signal.SIGKILL)
        if reason:
            self.stats.killed[reason] = self.stats.killed.get(reason, 0) + 1
        self._forget(w)
        threading.Thread(target=w.proc.join, daemon=True).start()  # reap it without waiting here

    def _watch(self) -> None:
        """Demote long queries, kill workers past their deadline and enforce the server's memory ceiling."""
        while not self._closed:
            time.sleep(MONITOR_S)
            now = time.monotonic()
            with self._cond:
                busy = [w for w in self._all if w.busy and w.proc is not None]
                everyone = [w for w in self._all if w.proc is not None]
            crowded = len(busy) > CORES  # more queries than cores: the long ones make way for the short ones
            for w in busy:
                if now > w.deadline + KILL_GRACE_S:
                    self.kill(w, "timeout")
                elif crowded and not w.demoted and now - w.started > DEMOTE_AFTER_S:
                    w.demoted = True
                    _renice(w.pid, 19)
            sizes = {w: _rss(w.pid) for w in everyone}
            total = _rss(os.getpid()) + sum(sizes.values())
            self.stats.peak_rss = max(self.stats.peak_rss, total)
            if self.server_memory and total > self.server_memory and busy:
                biggest = max(busy, key=lambda w: sizes.get(w, 0))
                log.warning("server memory %d MB over its ceiling (setting server_memory_mb): stopping the biggest "
                            "query", total >> 20)
                self.kill(biggest, "memory")

    def close(self) -> None:
        with self._cond:
            self._closed = True
            for w in list(self._all):
                if w.proc is not None:
                    self._kill_locked(w, "")

    # ------------------------------------------------------------------ jobs
    def stream(self, message: tuple[Any, ...], budget: Budget) -> WorkerStream:
        """Send ``message`` to a free worker (waiting for one within the budget) and read its answer as a stream.

        The budget's clock starts again when the job starts: waiting for a worker (or forking one) is not the
        query's time."""
        w = self._acquire(budget)
        budget.deadline = w.deadline = time.monotonic() + budget.seconds
        try:
            w.conn.send(message)
        except BaseException:
            self.kill(w, "")
            raise
        return WorkerStream(self, w, budget)

    def call(self, message: tuple[Any, ...], budget: Budget) -> Any:
        """Run one job to its end and return its value (``KGError`` as the worker raised it, 503s for budgets)."""
        stream = self.stream(message, budget)
        try:
            while stream.get() is not END:
                pass
        finally:
            stream.close()
        return stream.result

    def alive(self) -> int:
        with self._cond:
            return sum(1 for w in self._all if w.proc is not None and w.proc.is_alive())


class WorkerStream:
    """What one worker sends for one job, read within the budget (the interface of ``budget.Stream``)."""

    def __init__(self, pool: WorkerPool, worker: Worker, budget: Budget) -> None:
        self.pool, self.worker, self.budget = pool, worker, budget
        self.finished = False
        self.result: Any = None

    def get(self) -> Any:
        """The next item, or ``END``; the worker's error re-raised; 503s when a budget ends the job."""
        if self.finished:
            return END
        w = self.worker
        try:
            ready = w.conn.poll(self.budget.remaining())
        except (EOFError, OSError):
            ready = True
        if not ready:
            self.finished = True
            self.budget.cancelled.set()
            self.pool.kill(w, "timeout")
            raise self.budget.timeout_error()
        try:
            kind, value = w.conn.recv()
        except (EOFError, OSError):
            self.finished = True
            raise self._died() from None
        if kind == "item":
            return value
        self.finished = True
        self.pool.release(w)
        if kind == "end":
            self.result = value
            return END
        status, code, message = value
        if status >= 500 and code == "internal_error":
            log.error("query worker failed:\n%s", message)
            message = "internal server error (logged)"
        raise WorkerError(status, code, message)

    def _died(self) -> KGError:
        w = self.worker
        reason = w.killed
        if not reason:
            w.proc.join(1.0)
        code = w.proc.exitcode
        self.pool.kill(w, "")
        if reason == "timeout":
            return self.budget.timeout_error()
        if reason == "memory":
            return QueryMemory("the server's memory budget ran out while this query ran (setting "
                               "server_memory_mb); it was stopped — narrow it or try later")
        if code == -signal.SIGABRT:
            return QueryMemory(f"the query used more than its memory budget of {self.pool.memory_mb} MB (setting "
                               "query_memory_mb) and was stopped; narrow it (LIMIT, fewer joins, no ORDER BY)")
        log.error("query worker died (exit code %s) while running a request; replaced", code)
        return EngineCrashed(f"the query engine stopped while running this request (exit code {code}); the "
                             "server goes on. Simplify the query; if it is an ordinary query, report it")

    def __iter__(self) -> Iterator[Any]:
        while (item := self.get()) is not END:
            yield item

    def close(self) -> None:
        """Stop the job if it is still running (the client went away, or an error cut the answer)."""
        if not self.finished:
            self.finished = True
            self.budget.cancelled.set()
            self.pool.kill(self.worker, "cancelled")

