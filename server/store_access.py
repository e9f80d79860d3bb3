"""The served store: opened read-only once, reopened when a build publishes a new generation."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import current_app

from kg.store import GraphStore, current_path

EXTENSION_KEY = "kg.store"


class StoreHandle:
    """Thread-safe access to the current generation under ``root`` (read-only unless ``read_only`` is False,
    which only an update-enabled server asks for)."""

    def __init__(self, root: Path, read_only: bool = True) -> None:
        self.root = root
        self.read_only = read_only
        self._lock = threading.Lock()
        self._store: GraphStore | None = None
        self.generation = 0  # bumps on every reopen; caches key on it

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


def get_store() -> GraphStore:
    return current_app.extensions[EXTENSION_KEY].get()


def store_generation() -> int:
    handle: StoreHandle = current_app.extensions[EXTENSION_KEY]
    handle.get()
    return handle.generation
