"""Explanation paths: the shortest chain of papers connecting two entities.

``explain_path(g, "BERT", "ImageNet")`` finds a shortest path in the paper–entity graph that only
steps entity → paper → entity (method–architecture edges are not used, so every hop is backed by a
paper), and returns it as a table: one row per node with the relation to the next one. ``path_text``
renders it as one line, e.g. ``BERT ←uses– "Paper A" –evaluatesOn→ GLUE``.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from kg.analytics.graph import AnalyticsError, find_node

PATH_COLUMNS = ["step", "node", "label", "type", "relation_to_next"]


def _paper_hops(g: nx.Graph) -> nx.Graph:
    """View of ``g`` with only paper–entity edges."""

    def keep(u: str, v: str) -> bool:
        return (g.nodes[u].get("type") == "paper") != (g.nodes[v].get("type") == "paper")

    return nx.subgraph_view(g, filter_edge=keep)


def explain_path(g: nx.Graph, source: str, target: str) -> pd.DataFrame:
    """Shortest source → target path through papers, as a table (``PATH_COLUMNS``).

    Args:
        g: a ``to_networkx`` graph.
        source, target: entity (or paper) IRIs or exact labels (case-insensitive).

    Raises:
        AnalyticsError: unknown or ambiguous node, or no path through papers.
    """
    s, t = find_node(g, source), find_node(g, target)
    view = _paper_hops(g)
    try:
        nodes = nx.shortest_path(view, s, t)
    except nx.NetworkXNoPath:
        raise AnalyticsError(f"no chain of papers connects {source!r} and {target!r}") from None
    rows = []
    for i, n in enumerate(nodes):
        rel = g.edges[n, nodes[i + 1]].get("relation", "") if i + 1 < len(nodes) else ""
        rows.append({"step": i, "node": n, "label": str(g.nodes[n].get("label", n)),
                     "type": g.nodes[n].get("type", ""), "relation_to_next": rel})
    return pd.DataFrame(rows, columns=PATH_COLUMNS)


def path_text(path: pd.DataFrame) -> str:
    """One line for an ``explain_path`` table; arrows point from paper to entity, papers are quoted."""
    parts: list[str] = []
    rows = list(path.itertuples(index=False))
    for i, row in enumerate(rows):
        parts.append(f'"{row.label}"' if row.type == "paper" else str(row.label))
        if i + 1 < len(rows):
            rel = row.relation_to_next
            parts.append(f"–{rel}→" if row.type == "paper" else f"←{rel}–")
    return " ".join(parts)
