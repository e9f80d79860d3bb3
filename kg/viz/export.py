"""``kg viz``: one self-contained graph view file (renderer, page script and style inlined; no requests).

The same views as the server's ``/graph``, read by ``kg.store.read``: an overview (the caller passes how to build
it, e.g. ``kg.analytics.views.graph_view``; by default papers with their entities), a node's neighbourhood
(``focus``) or the graph a CONSTRUCT query builds (``query``). A file cannot ask a server for more, so it carries the
details panel of every node it draws (a paper's abstract with its evidence marked by role, an entity's aliases and
papers) and offers only what works without a server: search among the drawn nodes, select, filter, fit, downloads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import QueryError
from kg.store import GraphStore
from kg.store.read import GraphReader, NodeNotFound, view_summary
from kg.viz.html import render_html

DETAILS_PAPERS = 20  # papers listed per entity in an exported details panel


def embedded_details(reader: GraphReader, g: nx.Graph) -> dict[str, dict[str, Any]]:
    """The details panel's JSON of every paper and entity drawn in ``g`` (others are skipped)."""
    out = {}
    for node in g:
        try:
            out[str(node)] = reader.node_details(str(node), DETAILS_PAPERS)
        except (NodeNotFound, ValueError):
            continue
    return out


def export_html(store_dir: str | Path, out: str | Path, *, focus: str | None = None, query: str | None = None,
                max_nodes: int = 400, overview: Callable[[GraphReader, int], nx.Graph] | None = None) -> dict:
    """Write the page for the chosen view to ``out``; returns the view's summary (nodes, edges, …)."""
    if focus and query:
        raise QueryError("give either --focus IRI or --query CONSTRUCT…, not both")
    reader = GraphReader(GraphStore.open(store_dir))
    if query:
        g = reader.construct_view(query, max_nodes)
        title = "kg — CONSTRUCT view"
    elif focus:
        g = reader.neighbourhood(focus, max_nodes)
        title = "kg — " + str(g.nodes[focus].get("label", focus))
    else:
        g = overview(reader, max_nodes) if overview else reader.first_view(max_nodes)
        title = "kg — graph view"
    summary = view_summary(g)
    html = render_html(g, asset_base=None, title=title, api_base=None, families=reader.family_names(),
                       summary=summary, details=embedded_details(reader, g))
    Path(out).write_text(html, encoding="utf-8")
    return summary
