"""The served store and its readers.

``StoreHandle`` opens the current generation under the store directory once (read-only unless the server accepts
SPARQL Update), reopens it when a build publishes a new generation, and counts generations: every reopen and
every write through the server (``changed()``) makes a new one. ``get_reader()`` gives the request the
``GraphReader`` of the current generation (``kg.store.read``), so cached views and the search index never outlive
the data they were read from.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import current_app

from kg.store import GraphStore, current_path
from kg.store.read import GraphReader

EXTENSION_KEY = "kg.store"
READERS_KEY = "kg.read"


class StoreHandle:
    """Thread-safe access to the current generation under ``root`` (read-only unless ``read_only`` is False,
    which only an update-enabled server asks for)."""

    def __init__(self, root: Path, read_only: bool = True) -> None:
        self.root = root
        self.read_only = read_only
        self._lock = threading.Lock()
        self._store: GraphStore | None = None
        self.generation = 0  # bumps on every reopen and every change through ``changed()``; readers key on it

    def get(self) -> GraphStore:
        """The open store for the generation ``current`` points at now (``StoreError`` if none)."""
        path = current_path(self.root)
        store = self._store
        if store is not None and store.path == path:
            return store
        with self._lock:
            if self._store is None or self._store.path != current_path(self.root):
                self._store = None  # let RocksDB release the old generation before a writable reopen
                self._store = GraphStore.open(self.root, read_only=self.read_only)
                self.generation += 1
            return self._store

    def changed(self) -> None:
        """The open store was written to (a SPARQL Update): what was read from it before is stale."""
        with self._lock:
            self.generation += 1


def get_store() -> GraphStore:
    return current_app.extensions[EXTENSION_KEY].get()


def get_reader() -> GraphReader:
    """The reader (with the caches) of the generation being served now."""
    handle = current_app.extensions[EXTENSION_KEY]
    store = handle.get()
    return current_app.extensions[READERS_KEY].get(store, handle.generation)

