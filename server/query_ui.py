"""``/query``: the SPARQL query UI — YASGUI (vendored under server/static/vendor/yasgui, no CDN) pointed at
``/sparql``, preloaded with the example queries of ``kg/store/queries/examples/*.rq``, with result plugins of our
own (``server/static/query.js``: literals as values, prefixes abbreviated, our IRIs linked to the graph view,
errors as sentences).

``/query?example=<file stem>`` opens that example and runs it; ``/query?query=<text>`` opens a query of your own.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from kg.namespace import RESOURCE_BASE
from server.security import public_base
from server.ui import PREFIXES, example_queries

bp = Blueprint("query_ui", __name__)


@bp.get("/query")
def query_page() -> str:
    examples = example_queries()
    initial = request.args.get("query")
    wanted = request.args.get("example")
    if initial is None:
        chosen = next((e for e in examples if e["name"] == wanted), examples[0] if examples else None)
        initial = chosen["query"] if chosen else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
    # Relative unless public_url is set: never built from the request's Host header.
    endpoint = public_base(relative=True) + "/sparql"
    config = {"endpoint": endpoint, "examples": examples, "initial": initial, "prefixes": PREFIXES,
              "resourceBase": RESOURCE_BASE, "run": wanted is not None}
    return render_template("query.html", examples=examples, config=config, endpoint=endpoint)
