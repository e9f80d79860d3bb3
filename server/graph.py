"""``/graph``: the interactive graph view; ``/static/vendor/*`` and ``/static/graph/*``: its scripts and styles.

``/graph`` draws a bounded overview (most-linked entities and their papers), ``/graph?focus=IRI`` a node's
neighbourhood and ``/graph?query=CONSTRUCT…`` any constructed graph. Every view is built from bounded, named
SPARQL queries (kg.viz.views), so the first page stays fast on a big graph. All assets come from this server.
"""

from __future__ import annotations

import threading
import weakref

from flask import Blueprint, Response, abort, current_app, request, send_file

from kg.errors import QueryError
from kg.viz import render_html
from kg.viz.pyvis_html import STATIC, STATIC_FILES, VIS_CSS, VIS_JS
from kg.viz.views import construct_view, family_names, first_view, neighbourhood, search_index, view_summary
from server.store_access import get_store

bp = Blueprint("graph", __name__)
MAX_DRAWN = 5000  # most nodes any /graph request draws
# The overview page per store generation and size: building 5,000 nodes' HTML takes seconds, serving it none.
_overview_pages: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_overview_lock = threading.Lock()


def _limit(default: int) -> int:
    raw = request.args.get("limit")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"limit must be a whole number of nodes (1–{MAX_DRAWN}), not {raw!r}") from None
    return max(1, min(value, MAX_DRAWN))


@bp.get("/graph")
def graph_view() -> Response:
    store = get_store()
    focus = request.args.get("focus") or None
    query = request.args.get("query") or None
    if focus and query:
        raise QueryError("give either focus=IRI or query=CONSTRUCT…, not both")
    if query:
        view = construct_view(store, query, _limit(MAX_DRAWN))
        title = "kg — CONSTRUCT view"
    elif focus:
        view = neighbourhood(store, focus, _limit(current_app.config["KG_GRAPH_MAX_NODES"]))
        title = "kg — " + str(view.nodes[focus].get("label", focus))
    else:
        limit = _limit(current_app.config["KG_GRAPH_MAX_NODES"])
        with _overview_lock:
            cached = _overview_pages.setdefault(store, {}).get(limit)
        if cached is not None:
            return Response(cached, mimetype="text/html")
        view = first_view(store, limit)
        title = "kg — graph view"
    if not search_index.ready(store):  # load the search index while the page renders in the browser
        threading.Thread(target=search_index, args=(store,), name="kg-search-index", daemon=True).start()
    html = render_html(view, asset_base="/static/graph", title=title, api_base="/api",
                       families=family_names(store), summary=view_summary(view))
    if not focus and not query:
        with _overview_lock:
            pages = _overview_pages.setdefault(store, {})
            if len(pages) > 8:
                pages.clear()
            pages[limit] = html
    return Response(html, mimetype="text/html")


@bp.get("/static/graph/<name>")
@bp.get("/static/vendor/<name>")
def asset(name: str) -> Response:
    files = {"vis-network.min.js": VIS_JS, "vis-network.css": VIS_CSS} | {f: STATIC / f for f in STATIC_FILES}
    if name not in files:
        abort(404)
    return send_file(files[name], max_age=3600)
