"""Where the server's engine work runs: ``Engine`` sends queries, graph-view CONSTRUCTs and updates to the worker
processes of ``workers`` (or, for an in-memory store, which no other process can open, to the in-process thread
pool of ``budget``), each under a ``Budget`` built from the settings.

In: the app's settings and an open ``GraphStore`` (its directory is what a worker opens). Out: streams of answer
pieces (``query``), plain triples (``construct``), or a committed update (``update``: see ``workers`` for how an
update commits).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app

from kg.errors import KGError
from kg.store import GraphStore, current_path, new_generation_path, publish_generation, sidecar_path
from kg.store.locks import write_lock
from kg.store.read.views import ConstructTriple, construct_triples
from server.sparql.budget import Budget, QueryPool
from server.sparql.execute import QueryJob, run_query
from server.sparql.workers import WorkerPool

T = TypeVar("T")
ENGINE_KEY = "kg.engine"
_LOCK = threading.Lock()
NOT_APPLIED = " The update was stopped before its commit: nothing was changed, so it is safe to retry."


class Engine:
    """The app's worker pool (made on first use) and its in-process fallback for in-memory stores."""

    def __init__(self, config: Any) -> None:
        self.timeout = float(config["KG_QUERY_TIMEOUT"])
        self.size = int(config["KG_QUERY_WORKERS"])
        self.memory_mb = int(config["KG_QUERY_MEMORY_MB"])
        self.server_memory_mb = int(config["KG_SERVER_MEMORY_MB"])
        self._workers: WorkerPool | None = None
        self._threads: QueryPool | None = None
        self._lock = threading.Lock()

    def budget(self) -> Budget:
        return Budget(self.timeout)

    @property
    def workers(self) -> WorkerPool:
        if self._workers is None:
            with self._lock:
                if self._workers is None:
                    self._workers = WorkerPool(self.size, self.memory_mb, self.server_memory_mb)
        return self._workers

    @property
    def threads(self) -> QueryPool:
        if self._threads is None:
            with self._lock:
                if self._threads is None:
                    self._threads = QueryPool(self.size)
        return self._threads

    def query(self, store: GraphStore, job: QueryJob) -> Any:
        """A stream of ``run_query``'s head and answer pieces, read within the time budget."""
        budget = self.budget()
        if store.path is None:
            return self.threads.stream(partial(run_query, store, job), budget)
        return self.workers.stream(("query", job, str(store.path), budget.seconds), budget)

    def construct(self, store: GraphStore, query: str, max_nodes: int) -> tuple[list[ConstructTriple], bool]:
        """``construct_triples`` of a graph-view CONSTRUCT, run under the same budget as a SPARQL query."""
        budget = self.budget()
        if store.path is None:
            return self.threads.call(lambda _b: construct_triples(store, query, max_nodes), budget)
        return self.workers.call(("construct", query, max_nodes, str(store.path)), budget)

    def read(self, fn: Callable[[], T]) -> T:
        """``fn()`` — a read of the read layer (bounded, named queries; caches in this process) — run in the
        in-process pool under the time budget: past it the request answers ``503 query_timeout`` and the read,
        which cannot run away, finishes in the background."""
        return self.threads.call(lambda _budget: fn(), self.budget())

    def update(self, root: Path, store: GraphStore, text: str) -> None:
        """Apply ``text`` to a copy of the served generation in a worker and publish the copy (the commit)."""
        budget = self.budget()
        if store.path is None:  # an in-memory store (tests): applied in place
            self.threads.call(lambda _b: store.ox.update(text), budget)
            return
        with write_lock(root, timeout=budget.remaining()):
            source = current_path(root) or store.path
            target = new_generation_path(root)
            try:
                self.workers.call(("update", text, str(source), str(target)), budget)
            except KGError as exc:
                shutil.rmtree(target, ignore_errors=True)
                if exc.status >= 500:
                    exc.args = (str(exc) + NOT_APPLIED,)
                raise
            except BaseException:
                shutil.rmtree(target, ignore_errors=True)
                raise
            if sidecar_path(source).is_file():  # keep `kg add` working on the updated graph
                shutil.copyfile(sidecar_path(source), sidecar_path(target))
            publish_generation(root, target)

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()


def get_engine(app: Flask | None = None) -> Engine:
    app = app or current_app
    engine = app.extensions.get(ENGINE_KEY)
    if engine is None:
        with _LOCK:
            engine = app.extensions.get(ENGINE_KEY)
            if engine is None:
                engine = app.extensions[ENGINE_KEY] = Engine(app.config)
    return engine
