"""``/api/*``: the JSON API behind the graph view.

- ``GET /api/search?q=TEXT&limit=N`` → ``{"results": [{iri, label, type, matched, papers}]}``: papers by title,
  entities by label or alias (skos:altLabel), case-insensitive, best first.
- ``GET /api/node?iri=IRI&offset=K&limit=N`` → the details panel: a paper's title/abstract as evidence-highlighted
  segments and its entities by role; an entity's aliases, paper count and papers (N of them from K on).
- ``GET /api/neighbours?iri=IRI&limit=N&offset=K`` → ``{"nodes", "edges", "summary"}`` in the page's record form
  (``kg.viz.html.graph_elements``): one page of the node's neighbours, plus the links of the papers drawn to
  other entities (the page keeps those whose other end it shows). ``summary`` has ``total`` and ``shown``.

Answers come from the read layer (``kg.store.read``) of the generation being served, so a build or an update is
seen at once; each read runs under the query time budget (``Engine.read``), and an IRI that is not absolute is a
``400``. User text only ever reaches SPARQL as bound parameters (kg/store/queries/api_*.rq). Errors use the
one JSON shape.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from kg.errors import QueryError
from kg.store.read import view_summary
from kg.viz import graph_elements
from kg.viz.html import graph_edge
from server.params import check_iri
from server.security import neutralise
from server.sparql.engine import get_engine
from server.store_access import get_reader

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_SEARCH = 100
MAX_NEIGHBOURS = 2000
MAX_PAPERS = 500  # papers per details page
MAX_OFFSET = 100_000


def _arg(name: str) -> str:
    value = request.args.get(name, "").strip()
    if not value:
        raise QueryError(f"missing query parameter {name!r}: e.g. /api/{request.path.rsplit('/', 1)[-1]}?{name}=…")
    return value


def _int_arg(name: str, default: int, most: int, least: int = 1) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        return max(least, min(int(raw), most))
    except ValueError:
        raise QueryError(f"{name} must be a whole number between {least} and {most}, not {raw!r}") from None


def _json(payload: dict[str, Any]) -> Response:
    """The JSON answer, with bidi controls neutralised in every displayed string (labels, titles, segments)."""
    return jsonify(neutralise(payload))


@bp.after_request
def _no_sniff(resp: Response) -> Response:
    # Titles are data: browsers must never sniff a JSON answer into HTML.
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@bp.get("/search")
def api_search() -> Response:
    q = _arg("q")
    limit = _int_arg("limit", 20, MAX_SEARCH)
    reader = get_reader()
    return _json({"query": q, "results": get_engine().read(lambda: reader.search(q, limit))})


@bp.get("/node")
def api_node() -> Response:
    iri, reader = check_iri(_arg("iri")), get_reader()
    limit, offset = _int_arg("limit", 50, MAX_PAPERS), _int_arg("offset", 0, MAX_OFFSET, least=0)
    return _json(get_engine().read(lambda: reader.node_details(iri, limit, offset)))


@bp.get("/neighbours")
def api_neighbours() -> Response:
    default = current_app.config["KG_GRAPH_MAX_NODES"]
    iri, reader = check_iri(_arg("iri")), get_reader()
    limit, offset = _int_arg("limit", default, MAX_NEIGHBOURS), _int_arg("offset", 0, MAX_OFFSET, least=0)
    g = get_engine().read(lambda: reader.neighbourhood(iri, limit, offset))
    nodes, edges = graph_elements(g)
    seen = {e["id"] for e in edges}
    for paper, entity, relation in g.graph.get("links", []):
        edge = graph_edge(paper, entity, {"relation": relation})
        if edge["id"] not in seen:
            seen.add(edge["id"])
            edges.append(edge)
    return _json({"nodes": nodes, "edges": edges, "summary": view_summary(g)})
