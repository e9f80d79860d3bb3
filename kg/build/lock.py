"""One writer at a time per store: build, add and remove hold an exclusive lock on ``<store>/.lock``
(``kg.store.locks``, shared with the server's SPARQL Update)."""

from kg.store.locks import write_lock

__all__ = ["write_lock"]
