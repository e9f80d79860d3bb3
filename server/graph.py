"""``/graph``: the interactive graph view (pyvis, offline); ``/static/vendor/*``: vis-network from the pyvis package."""

from __future__ import annotations

import threading

import networkx as nx
from flask import Blueprint, Response, abort, current_app, request, send_file

from kg.analytics import to_networkx
from kg.viz import render_html
from kg.viz.pyvis_html import VIS_CSS, VIS_JS
from server.store_access import get_store, store_generation

bp = Blueprint("graph", __name__)
_cache: dict[int, nx.Graph] = {}
_cache_lock = threading.Lock()


def full_graph() -> nx.Graph:
    """The whole paper–entity graph of the served generation, built once per generation."""
    gen = store_generation()
    with _cache_lock:
        g = _cache.get(gen)
        if g is None:
            _cache.clear()
            g = _cache[gen] = to_networkx(get_store())
        return g


def bounded_view(g: nx.Graph, focus: str | None, max_nodes: int) -> nx.Graph:
    """The focus node's neighbourhood, or the ``max_nodes`` highest-degree nodes and the edges among them."""
    if focus:
        if focus not in g:
            abort(404, description=f"no node {focus!r} in the graph")
        return nx.ego_graph(g, focus, radius=1)
    top = sorted(g.degree, key=lambda nd: (-nd[1], str(nd[0])))[:max_nodes]
    return g.subgraph(n for n, _ in top).copy()


@bp.get("/graph")
def graph_view() -> Response:
    g = full_graph()
    focus = request.args.get("focus") or None
    max_nodes = min(int(request.args.get("limit", current_app.config["KG_GRAPH_MAX_NODES"])), 5000)
    view = bounded_view(g, focus, max_nodes)
    html = render_html(view, asset_base="/static/vendor", title="kg — graph view")
    return Response(html, mimetype="text/html")


@bp.get("/static/vendor/<name>")
def vendor(name: str) -> Response:
    files = {"vis-network.min.js": VIS_JS, "vis-network.css": VIS_CSS}
    if name not in files:
        abort(404)
    return send_file(files[name], max_age=3600)
