"""Rankings: which nodes are central — degree, PageRank, betweenness — as tables.

``centrality(g, measure)`` returns {node: score}; ``rank(g, measure)`` a DataFrame of the best
nodes (optionally of one type); ``top_entities(g)`` the best ``n`` of every entity type.

Betweenness is exact on small graphs and approximated from ``k`` sampled sources (seeded,
so reproducible) once the graph has more than ``EXACT_BETWEENNESS_MAX_NODES`` nodes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import networkx as nx
import pandas as pd

from kg.analytics.graph import ENTITY_TYPES, NODE_TYPES, AnalyticsError

RankMeasure = Literal["degree", "pagerank", "betweenness"]
RANK_MEASURES: tuple[str, ...] = ("degree", "pagerank", "betweenness")
EXACT_BETWEENNESS_MAX_NODES = 500
DEFAULT_BETWEENNESS_SAMPLES = 100
RANK_COLUMNS = ["rank", "node", "label", "type", "score", "degree"]


def centrality(g: nx.Graph, measure: RankMeasure = "degree", *, k: int | None = None, seed: int = 0,
               weight: str | None = None) -> dict[str, float]:
    """Score every node.

    Args:
        g: any graph (``to_networkx`` output or a projection).
        measure: "degree" (number of neighbours), "pagerank" or "betweenness" (normalised).
        k: betweenness sample size; default exact up to ``EXACT_BETWEENNESS_MAX_NODES`` nodes, else
            ``DEFAULT_BETWEENNESS_SAMPLES`` sampled sources.
        seed: random seed for sampled betweenness.
        weight: edge attribute used as weight by PageRank (e.g. "weight" on projections); None = unweighted.
    """
    if measure == "degree":
        return {n: float(d) for n, d in g.degree()}
    if measure == "pagerank":
        return nx.pagerank(g, weight=weight) if g.number_of_nodes() else {}
    if measure == "betweenness":
        n = g.number_of_nodes()
        if k is None and n > EXACT_BETWEENNESS_MAX_NODES:
            k = DEFAULT_BETWEENNESS_SAMPLES
        return nx.betweenness_centrality(g, k=min(k, n) if k else None, seed=seed)
    raise AnalyticsError(f"unknown ranking measure {measure!r}; choose from {', '.join(RANK_MEASURES)}")


def _table(g: nx.Graph, scores: dict[str, float], nodes: Iterable[str], top: int | None) -> pd.DataFrame:
    rows = [{"node": n, "label": str(g.nodes[n].get("label", n)), "type": g.nodes[n].get("type", ""),
             "score": scores.get(n, 0.0), "degree": g.degree(n)} for n in nodes]
    df = pd.DataFrame(rows, columns=RANK_COLUMNS[1:])
    df = df.sort_values(["score", "degree", "label", "node"], ascending=[False, False, True, True],
                        ignore_index=True)
    if top is not None:
        df = df.head(top)
    df.insert(0, "rank", range(1, len(df) + 1))
    return df.reset_index(drop=True)


def rank(g: nx.Graph, measure: RankMeasure = "degree", *, node_type: str | None = None, top: int | None = 10,
         **kw: object) -> pd.DataFrame:
    """The ``top`` nodes by ``measure`` (scores computed on the whole graph), optionally of one ``node_type``.

    Returns:
        Columns ``rank``, ``node``, ``label``, ``type``, ``score``, ``degree``.
    """
    if node_type is not None and node_type not in NODE_TYPES:
        raise AnalyticsError(f"unknown node type {node_type!r}; choose from {', '.join(NODE_TYPES)}")
    scores = centrality(g, measure, **kw)  # type: ignore[arg-type]
    nodes = [n for n, t in g.nodes(data="type") if node_type is None or t == node_type]
    return _table(g, scores, nodes, top)


def top_entities(g: nx.Graph, measure: RankMeasure = "degree", *, n: int = 10,
                 entity_types: Iterable[str] = ENTITY_TYPES, **kw: object) -> pd.DataFrame:
    """The best ``n`` entities of every type by one centrality computed once on the whole graph.

    Returns:
        ``rank`` (within its type), ``node``, ``label``, ``type``, ``score``, ``degree``, grouped by type.
    """
    scores = centrality(g, measure, **kw)  # type: ignore[arg-type]
    parts = []
    for t in entity_types:
        nodes = [x for x, tt in g.nodes(data="type") if tt == t]
        if nodes:
            parts.append(_table(g, scores, nodes, n))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=RANK_COLUMNS)
