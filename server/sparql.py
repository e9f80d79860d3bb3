"""``/sparql``: the SPARQL 1.1 Protocol endpoint (query via GET, POST form, POST application/sparql-query).

Read-only; ``SERVICE`` is refused (the server never fetches URLs for a client);
results are serialised by Oxigraph in the negotiated format.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from kg.errors import QueryError, QueryRefused
from server.errors import error_response
from server.negotiation import negotiate
from server.store_access import get_store

bp = Blueprint("sparql", __name__)

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
# Strings, IRIs and comments are blanked before keyword checks so "SERVICE" inside them does not count.
_OPAQUE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_SERVICE = re.compile(r"\bSERVICE\b", re.I)
_UPDATE = re.compile(r"\b(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)\b", re.I)
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)


def query_form(query: str) -> str:
    """"SELECT" | "ASK" | "CONSTRUCT" | "DESCRIBE" of a query (after prologue), or "" when none is found."""
    m = _FORM.search(_OPAQUE.sub(" ", query))
    return m.group(1).upper() if m else ""


def check_allowed(query: str) -> None:
    """Refuse SERVICE (no fetching URLs for clients) with ``QueryRefused``."""
    bare = _OPAQUE.sub(" ", query)
    if _SERVICE.search(bare):
        raise QueryRefused("SERVICE is not allowed on this endpoint: the server does not fetch remote data")


def _request_query() -> tuple[str | None, list[str], list[str]]:
    if request.method == "POST":
        ctype = (request.mimetype or "").lower()
        if ctype == "application/sparql-query":
            q = request.get_data(as_text=True)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if "update" in request.form:
                raise QueryRefused("this endpoint is read-only: SPARQL Update is disabled")
            q = request.form.get("query")
        elif ctype == "application/sparql-update":
            raise QueryRefused("this endpoint is read-only: SPARQL Update is disabled")
        else:
            raise QueryError(f"unsupported Content-Type {ctype!r}: use application/sparql-query or a form")
        args = request.args.to_dict(flat=False) | request.form.to_dict(flat=False)
    else:
        if "update" in request.args:
            raise QueryRefused("this endpoint is read-only: SPARQL Update is disabled")
        q = request.args.get("query")
        args = request.args.to_dict(flat=False)
    return q, args.get("default-graph-uri", []), args.get("named-graph-uri", [])


def service_description() -> Response:
    base = request.base_url
    ttl = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix ssd: <http://www.w3.org/ns/sparql-service-description#> .
<{base}> a sd:Service ;
    sd:endpoint <{base}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>, <http://www.w3.org/ns/formats/SPARQL_Results_XML>,
        <http://www.w3.org/ns/formats/SPARQL_Results_CSV>, <http://www.w3.org/ns/formats/SPARQL_Results_TSV>,
        <http://www.w3.org/ns/formats/Turtle>, <http://www.w3.org/ns/formats/N-Triples>,
        <http://www.w3.org/ns/formats/RDF_XML>, <http://www.w3.org/ns/formats/JSON-LD> ;
    sd:feature sd:UnionDefaultGraph ;
    sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ] ] .
"""
    return Response(ttl, mimetype="text/turtle")


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    query, default_graphs, named_graphs = _request_query()
    if query is None:
        return service_description()
    if not query.strip():
        raise QueryError("empty query")
    check_allowed(query)
    form = query_form(query)
    kind = "graph" if form in ("CONSTRUCT", "DESCRIBE") else "solutions"
    chosen = negotiate(request.headers.get("Accept"), kind, request.args.get("format"))
    if chosen is None:
        return error_response(406, "not_acceptable",
                              f"cannot serve {form or 'this query'} results as {request.headers.get('Accept')!r}")
    fmt, media = chosen
    kw = {}
    if default_graphs:
        kw["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    if named_graphs:
        kw["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    store = get_store()
    result = store.query(query, union=not default_graphs, **kw)
    if fmt == "html":
        rows, names = [], [v.value for v in result.variables] if isinstance(result, ox.QuerySolutions) else []
        if isinstance(result, ox.QuerySolutions):
            limit = current_app.config["KG_ROW_LIMIT"]
            for i, sol in enumerate(result):
                if i >= limit:
                    break
                rows.append([None if sol[n] is None else sol[n].value for n in names])
        else:
            names, rows = ["ASK"], [[str(bool(result)).lower()]]
        return Response(render_template("results.html", query=query, names=names, rows=rows), mimetype="text/html")
    if kind == "graph":
        body = ox.serialize(result, format=GRAPH_FORMATS[fmt])
    else:
        body = result.serialize(format=RESULT_FORMATS[fmt])
    return Response(body, mimetype=media)
