"""The search index of one store generation: titles, labels and aliases scanned in memory.

In: a ``GraphStore`` (read once: three plain scans). Out: ``search(q, limit)`` → hits ``{iri, label, type,
matched, papers, year}``, best first. User text is only ever compared in Python; it never reaches a query.
"""

from __future__ import annotations

from typing import Any

from kg.store.oxigraph_store import GraphStore
from kg.store.read.base import type_name, values


class SearchIndex:
    """Lower-cased titles, labels and aliases of one store, scanned in memory.

    A substring scan over ~100k short strings takes milliseconds, where a SPARQL ``CONTAINS`` filter over the
    same texts takes seconds on a 75k-paper graph; user text never reaches a query either way.
    """

    def __init__(self, store: GraphStore) -> None:
        kinds = {node: type_name(cls) for node, cls in values(store, "graph_entity_types")}
        self.counts = {node: int(n) for node, n in values(store, "graph_paper_counts")}
        self.years = {node: int(y) for node, y in values(store, "graph_paper_years") if y.isdigit()}
        self.labels: dict[str, str] = {}
        entries: list[tuple[str, str, str, str]] = []  # (lowered text, text, iri, type)
        for node, text, kind in values(store, "graph_search_texts"):
            ntype = "paper" if kind == "title" else kinds.get(node)
            if ntype is None:
                continue
            if kind != "alias":
                self.labels.setdefault(node, text)
            entries.append((text.lower(), text, node, ntype))
        self.entries = entries

    def search(self, q: str, limit: int = 20) -> list[dict[str, Any]]:
        """Papers (title) and entities (label or alias) containing ``q`` (case-insensitive), best matches first:
        exact, then prefix, then anywhere; ties by number of papers, then shorter label."""
        needle = " ".join(q.lower().split())
        if len(needle) < 2:
            return []
        best: dict[str, tuple[tuple[int, int, int, str], dict[str, Any]]] = {}
        for low, text, iri, ntype in self.entries:
            if needle not in low:
                continue
            rank = 0 if low == needle else 1 if low.startswith(needle) else 2
            papers = self.counts.get(iri)
            label = self.labels.get(iri, text)
            key = (rank, -(papers or 0), len(label), iri)
            if iri not in best or key < best[iri][0]:
                best[iri] = (key, {"iri": iri, "label": label, "type": ntype, "matched": text, "papers": papers,
                                   "year": self.years.get(iri)})
        return [hit for _, hit in sorted(best.values(), key=lambda kv: kv[0])[:limit]]
