"""``/graph``: the interactive graph view; ``/static/vendor/*`` and ``/static/graph/*``: its scripts and styles.

``/graph`` draws a bounded overview (most-linked entities and their papers), ``/graph?focus=IRI`` a node's
neighbourhood and ``/graph?query=CONSTRUCT…`` any constructed graph. Every view is read through the read layer
(``kg.store.read``: bounded, named SPARQL queries, cached per store generation) and rendered by ``kg.viz``, so
the first page stays fast on a big graph. All assets come from this server.
"""

from __future__ import annotations

import threading

import networkx as nx
from flask import Blueprint, Response, abort, current_app, request, send_file

from kg.errors import QueryError
from kg.store.read import GraphReader, check_construct, view_summary
from kg.viz import render_html
from kg.viz.pyvis_html import STATIC, STATIC_FILES, VIS_CSS, VIS_JS
from server.security import neutralise_bidi
from server.sparql.engine import get_engine
from server.store_access import get_reader, get_store

bp = Blueprint("graph", __name__)
MAX_DRAWN = 5000  # most nodes any /graph request draws


def _limit(default: int) -> int:
    raw = request.args.get("limit")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"limit must be a whole number of nodes (1–{MAX_DRAWN}), not {raw!r}") from None
    return max(1, min(value, MAX_DRAWN))


def check_iri(value: str, name: str = "iri") -> str:
    """``value`` if it is an absolute IRI the store can look up; else ``QueryError`` (400) saying so."""
    import pyoxigraph as ox

    try:
        ox.NamedNode(value)
    except ValueError:
        raise QueryError(f"{name} must be an absolute IRI such as https://w3id.org/kg-papers/resource/…, "
                         f"not {value[:200]!r}") from None
    return value


def _page(reader: GraphReader, view: nx.Graph, title: str) -> str:
    for _, attrs in view.nodes(data=True):  # labels are data: no bidi control may reorder what is displayed
        if isinstance(attrs.get("label"), str):
            attrs["label"] = neutralise_bidi(attrs["label"])
    title = neutralise_bidi(title)
    if not reader.ready("search_index"):  # load the search index while the page renders in the browser
        threading.Thread(target=reader.search_index, name="kg-search-index", daemon=True).start()
    return render_html(view, asset_base="/static/graph", title=title, api_base="/api",
                       families=reader.family_names(), summary=view_summary(view))


@bp.get("/graph")
def graph_view() -> Response:
    reader = get_reader()
    focus = request.args.get("focus") or None
    query = request.args.get("query") or None
    if focus and query:
        raise QueryError("give either focus=IRI or query=CONSTRUCT…, not both")
    if query:
        cfg = current_app.config
        check_construct(query, max_bytes=int(cfg["KG_QUERY_MAX_BYTES"]), max_depth=int(cfg["KG_QUERY_MAX_DEPTH"]))
        limit = _limit(MAX_DRAWN)
        triples = get_engine().construct(get_store(), query, limit)  # in a worker, under the query budget
        html = _page(reader, reader.construct_view(query, limit, triples), "kg — CONSTRUCT view")
    elif focus:
        iri, limit = check_iri(focus, "focus"), _limit(current_app.config["KG_GRAPH_MAX_NODES"])
        view = get_engine().read(lambda: reader.neighbourhood(iri, limit))
        html = _page(reader, view, "kg — " + str(view.nodes[focus].get("label", focus)))
    else:
        # Building 5,000 nodes' HTML takes seconds, serving it none: the page is kept with its generation.
        limit, engine = _limit(current_app.config["KG_GRAPH_MAX_NODES"]), get_engine()
        html = reader.memo("overview_page", limit,
                           lambda: _page(reader, engine.read(lambda: reader.first_view(limit)), "kg — graph view"))
    return Response(html, mimetype="text/html")


@bp.get("/static/graph/<name>")
@bp.get("/static/vendor/<name>")
def asset(name: str) -> Response:
    files = {"vis-network.min.js": VIS_JS, "vis-network.css": VIS_CSS} | {f: STATIC / f for f in STATIC_FILES}
    if name not in files:
        abort(404)
    return send_file(files[name], max_age=3600)
