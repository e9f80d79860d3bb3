"""``/api/*``: the JSON API behind the graph view.

- ``GET /api/search?q=TEXT&limit=N`` → ``{"results": [{iri, label, type, matched, papers}]}``: papers by title,
  entities by label or alias (skos:altLabel), case-insensitive, best first.
- ``GET /api/node?iri=IRI`` → the details panel: a paper's title/abstract as evidence-highlighted segments and
  its entities by role; an entity's aliases, paper count and papers.
- ``GET /api/neighbours?iri=IRI&limit=N`` → ``{"nodes", "edges", "summary"}`` in vis-network form, to add to
  the drawn graph.

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
from kg.viz import vis_elements
from server.graph import check_iri
from server.security import neutralise
from server.sparql.engine import get_engine
from server.store_access import get_reader

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_SEARCH = 100
MAX_NEIGHBOURS = 2000


def _arg(name: str) -> str:
    value = request.args.get(name, "").strip()
    if not value:
        raise QueryError(f"missing query parameter {name!r}: e.g. /api/{request.path.rsplit('/', 1)[-1]}?{name}=…")
    return value


def _int_arg(name: str, default: int, most: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        return max(1, min(int(raw), most))
    except ValueError:
        raise QueryError(f"{name} must be a whole number between 1 and {most}, not {raw!r}") from None


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
    return _json(get_engine().read(lambda: reader.node_details(iri)))


@bp.get("/neighbours")
def api_neighbours() -> Response:
    default = current_app.config["KG_GRAPH_MAX_NODES"]
    iri, limit, reader = check_iri(_arg("iri")), _int_arg("limit", default, MAX_NEIGHBOURS), get_reader()
    g = get_engine().read(lambda: reader.neighbourhood(iri, limit))
    nodes, edges = vis_elements(g)
    return _json({"nodes": nodes, "edges": edges, "summary": view_summary(g)})
