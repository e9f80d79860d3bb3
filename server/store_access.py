"""The served store and its readers.

``StoreHandle`` opens the current generation under the store directory (always read-only: a SPARQL Update is
applied to a copy in a worker process and published as a new generation, see ``server.sparql.workers``), reopens
it when a build, ``kg add`` or an update publishes a new generation — also one published by another process, so a
read-only server beside a writer sees its updates — and counts generations. An update-enabled handle
(``writable``) claims the store for this server (``kg.store.locks.server_lock``): a second update-enabled server
on the same store is refused at start. ``get_reader()`` gives the request the ``GraphReader`` of the current
generation (``kg.store.read``), so cached views and the search index never outlive the data they were read from.

Errors keep the store's location to the log: a client is told the graph is unavailable, not where it lives.
"""

from __future__ import annotations

import logging
import threading
import weakref
from pathlib import Path
from typing import IO

from flask import current_app

from kg.errors import StoreError
from kg.store import GraphStore, current_path
from kg.store.locks import server_lock
from kg.store.read import GraphReader

EXTENSION_KEY = "kg.store"
READERS_KEY = "kg.read"
log = logging.getLogger("kg.server")


class StoreHandle:
    """Thread-safe access to the current generation under ``root``; ``writable`` when this server accepts SPARQL
    Update (then it holds the store's server lock for its lifetime)."""

    def __init__(self, root: Path, writable: bool = False) -> None:
        self.root = root
        self.writable = writable
        self._claim: IO[str] | None = server_lock(root) if writable else None
        if self._claim is not None:
            weakref.finalize(self, self._claim.close)  # the claim ends with the app that made it
        self._lock = threading.Lock()
        self._store: GraphStore | None = None
        self.generation = 0  # bumps on every reopen and every change through ``changed()``; readers key on it

    def get(self) -> GraphStore:
        """The open store for the generation ``current`` points at now (``StoreError`` if none)."""
        path = self._current()
        store = self._store
        if store is not None and store.path == path:
            return store
        with self._lock:
            if self._store is None or self._store.path != self._current():
                self._store = None
                try:
                    self._store = GraphStore.open(self.root, read_only=True)
                except StoreError as exc:
                    log.error("cannot open the store: %s", exc)
                    if self._current() is None:
                        raise StoreError("no graph has been built yet: run `kg build` with this server's store_dir "
                                         "first") from None
                    raise StoreError("the graph store cannot be opened; the operator's log says why") from None
                self.generation += 1
            return self._store

    def _current(self) -> Path | None:
        try:
            return current_path(self.root)
        except OSError:
            return None

    def changed(self) -> None:
        """The served data changed (an update was published): what was read before is stale."""
        with self._lock:
            self.generation += 1


def get_store() -> GraphStore:
    return current_app.extensions[EXTENSION_KEY].get()


def get_reader() -> GraphReader:
    """The reader (with the caches) of the generation being served now."""
    handle = current_app.extensions[EXTENSION_KEY]
    store = handle.get()
    return current_app.extensions[READERS_KEY].get(store, handle.generation)
