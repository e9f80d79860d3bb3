"""SPARQL 1.1 Protocol request parsing (§2.1 query, §2.2 update), pure apart from reading the Flask request.

In: a query by GET ``?query=``, POST form (``query=``) or POST ``application/sparql-query``; an update by POST
``application/sparql-update`` or form ``update=``; optional ``default-graph-uri`` / ``named-graph-uri`` (they
replace the query's own FROM / FROM NAMED) and ``using-graph-uri`` / ``using-named-graph-uri``.
Out: a ``ProtocolRequest``; protocol misuse raises ``QueryError`` (400) saying what to send instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Request

from kg.errors import QueryError


@dataclass
class ProtocolRequest:
    """The operation (query or update, or neither: the service description) and the dataset of one request."""

    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    using_graphs: list[str] = field(default_factory=list)


def parse_request(request: Request) -> ProtocolRequest:
    """The operation and dataset of ``request``, per SPARQL 1.1 Protocol §2.1–2.2."""
    args = request.args.to_dict(flat=False)
    if request.method == "POST":
        ctype = (request.mimetype or "").lower()
        if ctype == "application/sparql-query":
            if "query" in args:
                raise QueryError("a POST with Content-Type application/sparql-query carries the query in its body; "
                                 "do not also pass ?query=")
            preq = ProtocolRequest(query=request.get_data(as_text=True))
        elif ctype == "application/sparql-update":
            preq = ProtocolRequest(update=request.get_data(as_text=True))
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = request.form.to_dict(flat=False)
            if "query" in form and "update" in form:
                raise QueryError("send either query= or update=, not both")
            args = args | form
            preq = ProtocolRequest(query=request.form.get("query"), update=request.form.get("update"))
        elif not request.get_data():
            preq = ProtocolRequest(query=request.args.get("query"))
        else:
            raise QueryError(f"unsupported Content-Type {ctype!r}: use application/sparql-query, "
                             "application/sparql-update or an HTML form (application/x-www-form-urlencoded)")
    else:
        if "update" in args:
            raise QueryError("SPARQL Update must be sent with POST (SPARQL 1.1 Protocol §2.2)")
        preq = ProtocolRequest(query=request.args.get("query"))
    if preq.query is not None and len(args.get("query", [])) > 1:
        raise QueryError("more than one query= parameter")
    preq.default_graphs = args.get("default-graph-uri", [])
    preq.named_graphs = args.get("named-graph-uri", [])
    preq.using_graphs = args.get("using-graph-uri", []) + args.get("using-named-graph-uri", [])
    return preq


def check_graph_iris(iris: list[str]) -> None:
    """``QueryError`` unless every protocol graph IRI is an absolute IRI."""
    try:
        for iri in iris:
            ox.NamedNode(iri)
    except ValueError as exc:
        raise QueryError(f"default-graph-uri / named-graph-uri must be absolute IRIs: {exc}") from None
