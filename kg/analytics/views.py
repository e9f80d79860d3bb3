"""The graph view's entity-centric views: the overview and the projections users ask for, drawn from a bounded
sample of the store.

In: a ``GraphReader`` (``kg.store.read``; per-generation caches) and a view name from ``VIEW_KINDS``. Out: a
``networkx`` graph of entities in the read layer's node shape (``label``, ``type``, ``degree`` = papers,
``families``), with projection edges (``relation`` "coOccursWith" or "datasetTask", ``weight`` = shared papers)
computed by ``kg.analytics.projections`` over ``reader.entity_sample`` (the top entities and some of their papers),
plus ``hasArchitecture`` edges. ``g.graph["note"]`` says in words what the view shows.

- ``entities``: the most-studied entities of every type, linked when papers share them (the default overview);
- ``method-co-use``: methods used in the same papers; ``task-dataset``, ``method-dataset``: the bipartite pairs;
- ``architectures``: architecture families, the methods built on them, and papers per family per year
  (``g.graph["trends"]``, from ``kg.analytics.trends``), or a sentence saying why there are none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import networkx as nx

from kg.analytics.projections import co_occurrence

if TYPE_CHECKING:
    from kg.store.read import GraphReader

VIEW_KINDS = ("entities", "method-co-use", "task-dataset", "method-dataset", "architectures")
BACKBONE = 6  # each entity keeps its strongest links to this many others (the rest would make a hairball)


def cross_occurrence(sample: nx.Graph, type_a: str, type_b: str, relation: str) -> nx.Graph:
    """Entities of ``type_a`` joined to entities of ``type_b`` when papers link to both (``weight`` = papers)."""
    both = co_occurrence(sample, [type_a, type_b])
    out = nx.Graph()
    out.add_nodes_from(both.nodes(data=True))
    for u, v, d in both.edges(data=True):
        if {both.nodes[u].get("type"), both.nodes[v].get("type")} == {type_a, type_b}:
            out.add_edge(u, v, weight=d["weight"], relation=relation)
    return out


def backbone(p: nx.Graph, k: int = BACKBONE) -> nx.Graph:
    """``p`` with each node's ``k`` heaviest edges kept (an edge stays if either end keeps it)."""
    keep: set[tuple[Any, Any]] = set()
    for n in p:
        ranked = sorted(p[n].items(), key=lambda kv: (-kv[1].get("weight", 1), str(kv[0])))[:k]
        keep.update(tuple(sorted((str(n), str(m)))) for m, _ in ranked)  # type: ignore[misc]
    out = nx.Graph(**p.graph)
    out.add_nodes_from(p.nodes(data=True))
    out.add_edges_from((u, v, d) for u, v, d in p.edges(data=True) if tuple(sorted((str(u), str(v)))) in keep)
    return out


def _entities_only(sample: nx.Graph) -> nx.Graph:
    return sample.subgraph([n for n, t in sample.nodes(data="type") if t != "paper"]).copy()


def graph_view(reader: GraphReader, kind: str, max_nodes: int) -> nx.Graph:
    """The view ``kind`` (see the module doc) with at most ``max_nodes`` entities."""
    from kg.store.read.views import architecture_edges

    n = max(1, min(max_nodes, 5000))
    if kind == "method-co-use":
        sample = reader.entity_sample(frozenset({"method"}), n)
        g = backbone(co_occurrence(sample, "method"))
        note = "methods linked when the same papers use them (line width: shared papers)"
    elif kind == "task-dataset":
        sample = reader.entity_sample(frozenset({"task", "dataset"}), n)
        g = backbone(cross_occurrence(sample, "task", "dataset", "datasetTask"))
        note = "tasks linked to the datasets their papers evaluate on"
    elif kind == "method-dataset":
        sample = reader.entity_sample(frozenset({"method", "dataset"}), n)
        g = backbone(cross_occurrence(sample, "method", "dataset", "datasetTask"))
        note = "methods linked to the datasets the same papers evaluate on"
    elif kind == "architectures":
        return architecture_view(reader, n)
    else:
        sample = reader.entity_sample(None, n)
        g = backbone(co_occurrence(sample, ["method", "task", "dataset", "metric", "architecture"]))
        note = "the most-studied entities, linked when papers share them"
    for u, v in architecture_edges(reader, [x for x in g if g.nodes[x].get("type") in ("method", "architecture")]):
        if not g.has_edge(u, v):
            g.add_edge(u, v, relation="hasArchitecture", confidence=1.0)
    g.graph.update(view=kind if kind in VIEW_KINDS else "entities", note=note, total=g.number_of_nodes())
    return g


def architecture_view(reader: GraphReader, max_nodes: int) -> nx.Graph:
    """Architecture families, the methods most used on each, and papers per family per year."""
    from kg.analytics.trends import trend_table

    sample = reader.entity_sample(frozenset({"architecture", "method"}), max_nodes)
    g = _entities_only(sample)
    for u, v in _architecture_pairs(reader, g):
        g.add_edge(u, v, relation="hasArchitecture", confidence=1.0)
    g.remove_nodes_from([x for x in list(g) if g.nodes[x].get("type") == "method" and g.degree(x) == 0])
    table = trend_table(reader.store, "architecture", "year")
    periods = [c for c in table.columns if c not in ("entity", "label", "total")]
    trends: dict[str, Any]
    if table.empty or not periods:
        trends = {"message": "No papers with a year in this store, so no trend: the bundled Hugging Face Daily "
                             "Papers dumps carry no year. Build from arXiv JSON Lines (with listing dates) to see one."}
    else:
        rows = [{"label": r["label"], "entity": r["entity"], "counts": [int(r[p]) for p in periods]}
                for _, r in table.head(15).iterrows()]
        trends = {"periods": periods, "rows": rows}
        for r in rows:
            if r["entity"] in g:
                g.nodes[r["entity"]]["periods"] = dict(zip(periods, r["counts"], strict=True))
    g.graph.update(view="architectures", trends=trends, total=g.number_of_nodes(),
                   note="architecture families and the methods built on them; papers per family per year on the left")
    return g


def _architecture_pairs(reader: GraphReader, g: nx.Graph) -> list[tuple[str, str]]:
    from kg.store.read.views import architecture_edges

    return architecture_edges(reader, list(g))
