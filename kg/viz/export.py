"""``kg viz``: one self-contained graph view file (vis-network, page script and styles inlined; no requests).

The same views as the server's ``/graph``, read by ``kg.store.read``: the bounded overview, a node's neighbourhood
(``focus``), or the graph a CONSTRUCT query builds (``query``). Without a server the page searches the drawn nodes
and cannot expand them.
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import QueryError
from kg.store import GraphStore
from kg.store.read import GraphReader, view_summary
from kg.viz.pyvis_html import render_html


def export_html(store_dir: str | Path, out: str | Path, *, focus: str | None = None, query: str | None = None,
                max_nodes: int = 400) -> dict:
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
        g = reader.first_view(max_nodes)
        title = "kg — graph view"
    summary = view_summary(g)
    html = render_html(g, asset_base=None, title=title, api_base=None, families=reader.family_names(),
                       summary=summary)
    Path(out).write_text(html, encoding="utf-8")
    return summary
