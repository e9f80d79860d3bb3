"""``/query``: the SPARQL query UI — YASGUI (vendored under server/static/vendor/yasgui, no CDN) pointed at
``/sparql`` and preloaded with the example queries of ``kg/store/queries/examples/*.rq``.

``/query?example=<file stem>`` opens that example; ``/query?query=<text>`` opens a query of your own.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from server.security import public_base
from server.ui import example_queries

bp = Blueprint("query_ui", __name__)


@bp.get("/query")
def query_page() -> str:
    examples = example_queries()
    initial = request.args.get("query")
    if initial is None:
        wanted = request.args.get("example")
        chosen = next((e for e in examples if e["name"] == wanted), examples[0] if examples else None)
        initial = chosen["query"] if chosen else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
    return render_template("query.html", examples=examples, initial=initial,
                           endpoint=public_base(relative=True) + "/sparql")
