"""``/graph``: the interactive graph view; ``/static/graph/*``: its scripts, style and icon; ``/favicon.ico``.

``/graph`` draws the entity-centric overview (``?view=`` picks another: the projections of ``kg.analytics.views``,
or ``papers`` for papers with their entities), ``/graph?focus=IRI`` a node's neighbourhood and
``/graph?query=CONSTRUCT…`` any constructed graph. Views are read through the read layer (``kg.store.read``:
bounded, named SPARQL queries, cached per store generation), laid out on the server (``kg.viz.layout``) and
rendered by ``kg.viz``; a page is kept with its generation, so the layout is computed once. A browser asking for
a bad view gets the page with a readable error box and the same 4xx status a JSON client gets as
``{"error": …}``. All assets come from this server.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import networkx as nx
from flask import Blueprint, Response, abort, current_app, request, send_file
from werkzeug.exceptions import HTTPException

from kg.analytics.views import VIEW_KINDS, graph_view
from kg.errors import KGError, QueryError
from kg.store.read import GraphReader, check_construct, view_summary
from kg.viz import render_html
from kg.viz.html import STATIC, STATIC_FILES, VIEWS
from server.errors import error_response
from server.params import check_iri
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


def wants_html() -> bool:
    """True when the client prefers an HTML page to JSON (a browser), from its Accept header."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and request.accept_mimetypes["text/html"] > request.accept_mimetypes["application/json"]


def _page(reader: GraphReader, view: nx.Graph, title: str, kind: str | None = None) -> str:
    for _, attrs in view.nodes(data=True):  # labels are data: no bidi control may reorder what is displayed
        if isinstance(attrs.get("label"), str):
            attrs["label"] = neutralise_bidi(attrs["label"])
    title = neutralise_bidi(title)
    if not reader.ready("search_index"):  # load the search index while the page renders in the browser
        threading.Thread(target=reader.search_index, name="kg-search-index", daemon=True).start()
    return render_html(view, asset_base="/static/graph", title=title, api_base="/api",
                       families=reader.family_names(), summary=view_summary(view), view=kind)


def error_page(status: int, code: str, message: str) -> Response:
    """The graph page with nothing drawn and the error in its error box, answered with ``status``."""
    html = render_html(nx.Graph(view="error"), asset_base="/static/graph", title="kg — graph view: error",
                       api_base="/api", error={"status": status, "code": code, "message": message}, positions={})
    return Response(html, status=status, mimetype="text/html")


def _render(build: Callable[[], str]) -> Response:
    """The page ``build`` makes; errors as a page with an error box for browsers, the JSON shape for others."""
    try:
        return Response(build(), mimetype="text/html")
    except KGError as exc:
        if exc.status >= 500 or not wants_html():
            raise
        return error_page(exc.status, exc.code, str(exc))
    except HTTPException as exc:
        if not wants_html() or (exc.code or 500) >= 500:
            raise
        return error_page(exc.code or 400, (exc.name or "error").lower().replace(" ", "_"), exc.description or "")


@bp.get("/graph")
def graph_page() -> Response:
    def build() -> str:
        reader, engine = get_reader(), get_engine()
        focus = request.args.get("focus") or None
        query = request.args.get("query") or None
        kind = request.args.get("view") or "entities"
        if focus and query:
            raise QueryError("give either focus=IRI or query=CONSTRUCT…, not both")
        if kind not in VIEWS:
            raise QueryError(f"unknown view {kind!r}: choose one of {', '.join(VIEWS)}")
        default = current_app.config["KG_GRAPH_MAX_NODES"]
        if query:
            cfg = current_app.config
            check_construct(query, max_bytes=int(cfg["KG_QUERY_MAX_BYTES"]), max_depth=int(cfg["KG_QUERY_MAX_DEPTH"]))
            limit = _limit(MAX_DRAWN)
            triples = engine.construct(get_store(), query, limit)  # in a worker, under the query budget
            return _page(reader, reader.construct_view(query, limit, triples), "kg — CONSTRUCT view", "construct")
        if focus:
            check_iri(focus, "focus")
            limit = _limit(default)

            def focus_page() -> str:
                view = engine.read(lambda: reader.neighbourhood(focus, limit))
                return _page(reader, view, "kg — " + str(view.nodes[focus].get("label", focus)), "focus")

            return reader.memo("focus_page", (focus, limit), focus_page)
        limit = _limit(default)
        # Building 5,000 nodes' page (layout included) takes seconds, serving it none: kept per generation; the
        # reads run under the query time budget.
        if kind == "papers":
            return reader.memo("view_page", (kind, limit), lambda: _page(
                reader, engine.read(lambda: reader.first_view(limit)), "kg — papers and entities", kind))
        assert kind in VIEW_KINDS
        return reader.memo("view_page", (kind, limit), lambda: _page(
            reader, engine.read(lambda: graph_view(reader, kind, limit)), "kg — graph view", kind))

    return _render(build)


@bp.get("/static/graph/<name>")
def asset(name: str) -> Response:
    if name not in STATIC_FILES:
        abort(404)
    return send_file(STATIC / name, max_age=3600)


@bp.get("/favicon.ico")
def favicon() -> Response:
    return send_file(STATIC / "favicon.svg", mimetype="image/svg+xml", max_age=86400)


__all__ = ["bp", "error_page", "error_response", "wants_html"]
