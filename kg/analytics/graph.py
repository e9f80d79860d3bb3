"""Store → networkx: papers and entities as nodes, paper–entity links as edges.

Node ids are IRIs. Node attributes: ``label``, ``type`` ("paper", "method", "task",
"dataset", "metric", "architecture"), ``year`` for papers. Edge attributes:
``relation`` (the ontology property's local name, e.g. "evaluatesOn"), ``confidence``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from kg.mapping.namespace import KG
from kg.store import GraphStore
from kg.store.oxigraph_store import term_value

_TYPE_NAME = {
    str(KG.Method): "method",
    str(KG.Task): "task",
    str(KG.Dataset): "dataset",
    str(KG.Metric): "metric",
    str(KG.Architecture): "architecture",
}


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _open(store: GraphStore | str | Path) -> GraphStore:
    return store if isinstance(store, GraphStore) else GraphStore.open(store)


def to_networkx(
    store: GraphStore | str | Path,
    *,
    entity_types: Iterable[str] | None = None,
    relations: Iterable[str] | None = None,
    min_confidence: float = 0.0,
    include_method_architectures: bool = True,
) -> nx.Graph:
    """A networkx ``Graph`` of papers and entities.

    Args:
        store: an open ``GraphStore`` or a store directory.
        entity_types: keep only these entity types (default: all five).
        relations: keep only these relations (property local names such as "uses", "evaluatesOn").
        min_confidence: drop links below this confidence.
        include_method_architectures: add method → architecture edges (relation "hasArchitecture")
            known from the vocabulary.
    """
    gs = _open(store)
    types = set(entity_types) if entity_types else None
    rels = set(relations) if relations else None
    g = nx.Graph()
    for row in gs.named("edges"):
        etype = _TYPE_NAME[str(row["etype"])]
        rel = _local(str(row["property"]))
        conf = float(term_value(row["confidence"]))
        if (types and etype not in types) or (rels and rel not in rels) or conf < min_confidence:
            continue
        paper, entity = str(row["paper"]), str(row["entity"])
        if paper not in g:
            g.add_node(paper, label=str(row["title"]), type="paper", year=term_value(row["year"]))
        if entity not in g:
            g.add_node(entity, label=str(row["label"]), type=etype)
        g.add_edge(paper, entity, relation=rel, confidence=conf)
    if include_method_architectures and (types is None or "architecture" in types):
        for row in gs.named("entity_architectures"):
            m, a = str(row["entity"]), str(row["architecture"])
            if m in g:
                if a not in g:
                    g.add_node(a, label=str(row["label"]), type="architecture")
                g.add_edge(m, a, relation="hasArchitecture", confidence=1.0)
    return g
