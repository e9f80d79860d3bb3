"""``GraphReader``: everything the graph view and the JSON API read from one store generation, with that
generation's caches; ``ReaderCache``: the reader of the newest generation, replaced when the generation changes.

A generation is one state of the store: a build publishing a new directory, or a write through the server's
SPARQL Update. Caches (node info, architecture families, the search index, overviews, and whatever a caller
memoises with ``memo``) belong to a ``GraphReader`` and die with it, so nothing read from an older generation is
ever served for a newer one. Values are built on first use, once (per-key locks let the slow search index load
while other requests are answered).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

import networkx as nx
from rdflib import URIRef

from kg.namespace import local_name
from kg.store.oxigraph_store import GraphStore
from kg.store.read import details, views
from kg.store.read.base import rows, type_name
from kg.store.read.search import SearchIndex

T = TypeVar("T")
INFO_CACHE_MAX = 200_000  # node infos kept before the cache starts over
MEMO_MAX = 8  # values kept per memo kind (overviews of different sizes, …) before it starts over


class GraphReader:
    """Reads of one store generation, cached for as long as that generation is served."""

    def __init__(self, store: GraphStore, generation: int = 0) -> None:
        self.store = store
        self.generation = generation
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._values: dict[str, Any] = {}
        self._info: dict[str, dict[str, Any] | None] = {}
        self._memos: dict[str, dict[Hashable, Any]] = {}

    def __repr__(self) -> str:
        return f"GraphReader({self.store.path}, generation={self.generation})"

    # ------------------------------------------------------------------ caches
    def _once(self, key: str, build: Callable[[], T]) -> T:
        """The value of ``key``, built by ``build`` the first time (concurrent callers wait for that one build)."""
        try:
            return cast(T, self._values[key])
        except KeyError:
            pass
        with self._lock:
            lock = self._key_locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                self._values[key] = build()
            return cast(T, self._values[key])

    def ready(self, key: str) -> bool:
        """Whether the cached value ``key`` ("search_index", "families", …) is built already."""
        return key in self._values

    def memo(self, kind: str, key: Hashable, build: Callable[[], T], max_keys: int = MEMO_MAX) -> T:
        """A value derived from this generation, kept per ``kind`` (at most ``max_keys`` keys, then started over).

        Two callers may build the same value at once; both results are equal and one is kept.
        """
        with self._lock:
            table = self._memos.setdefault(kind, {})
            if key in table:
                return cast(T, table[key])
        value = build()
        with self._lock:
            if len(table) > max_keys:
                table.clear()
            return cast(T, table.setdefault(key, value))

    # ------------------------------------------------------------------ node facts
    def families(self) -> dict[str, list[str]]:
        """IRI → sorted architecture family labels, for architectures, methods and papers that have one."""
        def build() -> dict[str, list[str]]:
            acc: dict[str, set[str]] = {}
            for row in rows(self.store, "graph_entity_families"):
                acc.setdefault(row["node"], set()).add(row["flabel"])
            return {k: sorted(v) for k, v in acc.items()}

        return self._once("families", build)

    def family_names(self) -> list[str]:
        return sorted({f for fs in self.families().values() for f in fs})

    def class_types(self) -> dict[str, str]:
        """Class IRI → node type, for kg:Paper, the entity classes and every class below them."""
        return self._once("class_types", lambda: {r["cls"]: type_name(r["etype"])
                                                  for r in rows(self.store, "graph_class_types")})

    def node_info(self, iri: str) -> dict[str, Any] | None:
        """``{type, label, n, year, comment}`` of a paper or entity, or None for other IRIs."""
        cache = self._info
        if iri in cache:
            return cache[iri]
        kinds = self.class_types()
        info = None
        for row in rows(self.store, "graph_node_info", None, node=URIRef(iri)):
            ntype = kinds.get(row["cls"])
            if ntype is None:
                continue
            label = row["title"] if ntype == "paper" and row["title"] else row["label"] or row["title"]
            info = {"type": ntype, "label": label or local_name(iri), "n": row["n"], "year": row["year"],
                    "comment": row["comment"]}
            break
        if len(cache) >= INFO_CACHE_MAX:
            cache.clear()
        cache[iri] = info
        return info

    def node_kind(self, iri: str) -> tuple[str, str] | None:
        """("paper" | entity type, label) of ``iri``, or None when it is no paper or entity."""
        info = self.node_info(iri)
        return (info["type"], info["label"]) if info else None

    # ------------------------------------------------------------------ search
    def search_index(self) -> SearchIndex:
        """The in-memory index of titles, labels and aliases (loaded on first use: three plain scans)."""
        return self._once("search_index", lambda: SearchIndex(self.store))

    def search(self, q: str, limit: int = 20) -> list[dict[str, Any]]:
        """Papers (title) and entities (label or alias) containing ``q``, best first (see ``SearchIndex``)."""
        return self.search_index().search(q, limit)

    # ------------------------------------------------------------------ views and details
    def first_view(self, max_nodes: int) -> nx.Graph:
        """The bounded overview of at most ``max_nodes`` nodes (built once per size, see ``views.first_view``)."""
        return self.memo("first_view", max_nodes, lambda: views.first_view(self, max(1, max_nodes)))

    def neighbourhood(self, iri: str, limit: int = 200, offset: int = 0) -> nx.Graph:
        """``iri`` and its best neighbours, ``limit`` from ``offset`` on (``NodeNotFound`` for other IRIs)."""
        return views.neighbourhood(self, iri, limit, offset)

    def entity_sample(self, types: frozenset[str] | None, n_entities: int) -> nx.Graph:
        """The top ``n_entities`` entities of ``types`` with some of their papers (see ``views.entity_sample``),
        built once per generation."""
        return self.memo("entity_sample", (types, n_entities),
                         lambda: views.entity_sample(self, set(types) if types else None, n_entities))

    def construct_view(self, query: str, max_nodes: int = 5000,
                       triples: tuple[list[views.ConstructTriple], bool] | None = None) -> nx.Graph:
        """The graph a CONSTRUCT query builds, at most ``max_nodes`` nodes (other queries are refused)."""
        return views.construct_view(self, query, max_nodes, triples)

    def node_details(self, iri: str, max_papers: int = 50, offset: int = 0) -> dict[str, Any]:
        """The details panel's JSON for a paper or entity (``NodeNotFound`` for other IRIs); an entity's papers
        ``max_papers`` at a time from ``offset`` on."""
        return details.node_details(self, iri, max_papers, offset)


class ReaderCache:
    """The ``GraphReader`` of the newest generation seen; asking with another generation (or store) replaces it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reader: GraphReader | None = None

    def get(self, store: GraphStore, generation: int) -> GraphReader:
        reader = self._reader
        if reader is not None and reader.generation == generation and reader.store is store:
            return reader
        with self._lock:
            reader = self._reader
            if reader is None or reader.generation != generation or reader.store is not store:
                reader = self._reader = GraphReader(store, generation)
            return reader
