"""``/sparql``: the SPARQL 1.1 Protocol endpoint.

In: a query by GET ``?query=``, POST form (``query=``) or POST ``application/sparql-query``, with optional
``default-graph-uri`` / ``named-graph-uri`` (they replace the query's own FROM / FROM NAMED) and an ``Accept``
header (or ``?format=``). Out: SELECT/ASK results as SPARQL JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE graphs as
Turtle, N-Triples, RDF/XML or JSON-LD; ``406`` when nothing acceptable can be served; ``400`` with the parser's
message for a malformed query; the SPARQL 1.1 Service Description when there is no query at all.

Safe by default:

* read-only: SPARQL Update (POST ``application/sparql-update`` or form ``update=``) only runs when the
  ``update_enabled`` setting is on AND the request carries ``Authorization: Bearer <update_token>``;
* ``SERVICE`` is refused (Oxigraph would fetch the URL for the client), and so is ``LOAD`` in updates;
* a per-query time budget (``query_timeout``): every query runs in a worker thread of a per-app pool and the
  request thread waits at most the budget, then answers ``503 query_timeout`` and moves on;
* a row cap (``row_limit``): longer results are cut and marked with ``X-KG-Truncated: true``;
* a request size limit (``max_request_bytes``, Flask's MAX_CONTENT_LENGTH → 413);
* CORS: any origin may query (``Access-Control-Allow-Origin: *``), preflight ``OPTIONS`` answered.

Why a thread pool (measured on a 10k-paper store, README "SPARQL endpoint"): pyoxigraph releases the GIL while it
evaluates, so a worker thread gives the deadline for ~0.1 ms per query; while a runaway query blocked one worker,
71 other queries were answered (median 2.1 ms). Oxigraph cannot cancel a query in-process, so a query past its
budget is *abandoned*: the worker stops at the next row it pulls (rows are pulled one by one with the deadline
checked as they stream), but a single engine call that blocks (a big GROUP BY / ORDER BY) runs to its end in
the background (10.5 s for the measured runaway). The pool is bounded (``threads`` workers), so abandoned queries
can slow the endpoint down but never multiply. A pool of worker processes would make cancellation real (kill
the process); its per-query cost measured small (ASK round trip 0.06 ms vs 0.05 ms in-process, 0.3 s to start
a worker) but it needs one store handle per process and cannot serve in-memory stores — the next step if
abusive clients become a problem.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, current_app, render_template, request

from kg.errors import KGError, QueryError, QueryRefused, QueryTimeout
from kg.store import GraphStore
from kg.store.guard import check_allowed, has_dataset_clause
from server.negotiation import OFFERS, negotiate
from server.store_access import EXTENSION_KEY, StoreHandle, get_store

bp = Blueprint("sparql", __name__)

POOL_KEY = "kg.sparql.pool"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
BOOLEAN_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
CHECK_EVERY = 256  # rows between deadline checks while results stream out of the engine

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type",
    "Access-Control-Expose-Headers": "X-KG-Truncated, X-KG-Row-Limit",
    "Access-Control-Max-Age": "86400",
}


class NotAcceptable(KGError):
    """Nothing in the Accept header can carry this kind of result."""

    status = 406
    code = "not_acceptable"


class Unauthorized(KGError):
    """An update without the right bearer token."""

    status = 401
    code = "unauthorized"


# Query checks (form, FROM, SERVICE/LOAD refusal) live in kg.store.guard, shared with the graph view.


# ---------------------------------------------------------------------------------------------- serialisers
def _json_term(t: Any) -> dict[str, Any]:
    kind = type(t)
    if kind is ox.NamedNode:
        return {"type": "uri", "value": t.value}
    if kind is ox.Literal:
        out: dict[str, Any] = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            out["datatype"] = t.datatype.value
        return out
    if kind is ox.BlankNode:
        return {"type": "bnode", "value": t.value}
    return {"type": "triple", "value": {"subject": _json_term(t.subject), "predicate": _json_term(t.predicate),
                                        "object": _json_term(t.object)}}


def _xml_term(t: Any) -> str:
    kind = type(t)
    if kind is ox.NamedNode:
        return f"<uri>{xml_escape(t.value)}</uri>"
    if kind is ox.Literal:
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{xml_escape(t.value)}</literal>"
        if t.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{xml_escape(t.value)}</literal>"
        return f"<literal>{xml_escape(t.value)}</literal>"
    if kind is ox.BlankNode:
        return f"<bnode>{xml_escape(t.value)}</bnode>"
    return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>{_xml_term(t.predicate)}</predicate>"
            f"<object>{_xml_term(t.object)}</object></triple>")


def _csv_field(t: Any) -> str:
    if t is None:
        return ""
    kind = type(t)
    text = t.value if kind in (ox.NamedNode, ox.Literal) else (f"_:{t.value}" if kind is ox.BlankNode else str(t))
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _tsv_field(t: Any) -> str:
    return "" if t is None else str(t).replace("\t", "\\t")


@dataclass
class Budget:
    """The deadline of one query and the flag the request thread sets when it gives up."""

    deadline: float
    cancelled: threading.Event = field(default_factory=threading.Event)

    def check(self) -> None:
        if self.cancelled.is_set() or time.monotonic() > self.deadline:
            self.cancelled.set()
            raise _Abandoned


class _Abandoned(Exception):
    """Raised inside a worker to stop pulling rows of a query nobody waits for any more."""


def _rows(solutions: ox.QuerySolutions, budget: Budget, limit: int, state: dict[str, bool]) -> Iterable[Any]:
    for i, sol in enumerate(solutions):
        if i % CHECK_EVERY == 0:
            budget.check()
        if i >= limit:
            state["truncated"] = True
            return
        yield sol


def serialize_solutions(solutions: ox.QuerySolutions, fmt: str, budget: Budget, limit: int) -> tuple[bytes, bool]:
    """SELECT results → (body, truncated) in ``fmt`` (json/xml/csv/tsv), at most ``limit`` rows."""
    names = [v.value for v in solutions.variables]
    state = {"truncated": False}
    rows = _rows(solutions, budget, limit, state)
    if fmt == "json":
        bindings = [{n: _json_term(t) for n, t in zip(names, sol, strict=True) if t is not None} for sol in rows]
        body = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False)
    elif fmt == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        parts += [f"<variable name={quoteattr(n)}/>" for n in names]
        parts.append("</head><results>")
        for sol in rows:
            parts.append("<result>")
            parts += [f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
                      for n, t in zip(names, sol, strict=True) if t is not None]
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        body = "".join(parts)
    elif fmt == "csv":
        lines = [",".join(_csv_field(ox.Literal(n)) for n in names)]
        lines += [",".join(_csv_field(t) for t in sol) for sol in rows]
        body = "\r\n".join(lines) + "\r\n"
    elif fmt == "tsv":
        lines = ["\t".join("?" + n for n in names)]
        lines += ["\t".join(_tsv_field(t) for t in sol) for sol in rows]
        body = "\n".join(lines) + "\n"
    else:  # pragma: no cover - negotiation only offers the formats above
        raise NotAcceptable(f"no serialiser for {fmt!r}")
    return body.encode("utf-8"), state["truncated"]


def serialize_triples(triples: ox.QueryTriples, fmt: str, budget: Budget, limit: int) -> tuple[bytes, bool]:
    """CONSTRUCT/DESCRIBE results → (body, truncated), at most ``limit`` triples, by Oxigraph's serialisers."""
    state = {"truncated": False}
    body = ox.serialize(_rows(triples, budget, limit, state), format=GRAPH_FORMATS[fmt])  # type: ignore[arg-type]
    return body or b"", state["truncated"]


# ---------------------------------------------------------------------------------------------- evaluation
@dataclass
class Answer:
    body: bytes
    media: str
    truncated: bool = False
    html: tuple[list[str], list[list[str | None]]] | None = None


def _pool(app: Flask) -> ThreadPoolExecutor:
    pool = app.extensions.get(POOL_KEY)
    if pool is None:
        with _POOL_LOCK:
            pool = app.extensions.get(POOL_KEY)
            if pool is None:
                workers = max(2, int(app.config.get("KG_THREADS", 8)))
                pool = app.extensions[POOL_KEY] = ThreadPoolExecutor(workers, thread_name_prefix="kg-sparql")
    return pool


_POOL_LOCK = threading.Lock()


def _drop_tracebacks(exc: BaseException | None) -> None:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        exc.__traceback__ = None
        if exc.__cause__ is not None:
            _drop_tracebacks(exc.__cause__)
        exc = exc.__context__


def run_with_budget(fn: Callable[[Budget], Any]) -> Any:
    """Run ``fn(budget)`` in the query pool; wait at most ``query_timeout`` seconds, then give up (503)."""
    timeout = float(current_app.config["KG_QUERY_TIMEOUT"])
    budget = Budget(time.monotonic() + timeout)

    def job() -> Any:
        try:
            budget.check()  # queued past the deadline: do not start at all
            return fn(budget)
        except BaseException as exc:
            # Oxigraph result objects may only be dropped by the thread that made them: cut the traceback here so
            # the frames holding them die in this worker, not in the request thread that re-raises the error.
            _drop_tracebacks(exc)
            raise

    future: Future[Any] = _pool(current_app).submit(job)
    try:
        return future.result(timeout=max(0.0, budget.deadline - time.monotonic()))
    except (FutureTimeout, _Abandoned):
        budget.cancelled.set()
        future.cancel()
        raise QueryTimeout(f"the query ran past its time budget of {timeout:g} s (setting query_timeout) and was "
                           "abandoned; narrow it (LIMIT, more specific patterns) or ask the operator to raise "
                           "the budget") from None


def evaluate(store: GraphStore, query: str, dataset: dict[str, Any], accept: str | None, fmt: str | None,
             row_limit: int, budget: Budget, union_default: bool = True) -> Answer:
    """Parse and run ``query`` against ``store`` and serialise the result in the negotiated format."""
    union = union_default and not dataset and not has_dataset_clause(query)
    try:
        result = store.query(query, union=union, **dataset)
    except RuntimeError as exc:  # Oxigraph's evaluation errors, e.g. "The custom function <…> is not supported"
        raise QueryError(str(exc)) from None
    budget.check()
    if isinstance(result, ox.QueryBoolean):
        kind = "solutions"
    elif isinstance(result, ox.QueryTriples):
        kind = "graph"
    else:
        kind = "solutions"
    chosen = negotiate(accept, kind, fmt)
    if chosen is None:
        what = "a graph (CONSTRUCT/DESCRIBE)" if kind == "graph" else "query solutions (SELECT/ASK)"
        raise NotAcceptable(f"cannot serve {what} as {fmt or accept!r}; acceptable: "
                            + ", ".join(sorted({m for _, m in _offers(kind)})))
    name, media = chosen
    if name == "html":
        return Answer(b"", media, html=_html_rows(result, budget, row_limit))
    if isinstance(result, ox.QueryBoolean):
        return Answer(result.serialize(format=BOOLEAN_FORMATS[name]) or b"", media)
    if isinstance(result, ox.QueryTriples):
        body, truncated = serialize_triples(result, name, budget, row_limit)
    else:
        body, truncated = serialize_solutions(result, name, budget, row_limit)
    return Answer(body, media, truncated)


def _offers(kind: str) -> list[tuple[str, str]]:
    return OFFERS[kind]


def _html_rows(result: Any, budget: Budget, limit: int) -> tuple[list[str], list[list[str | None]]]:
    if isinstance(result, ox.QueryBoolean):
        return ["ASK"], [[str(bool(result)).lower()]]
    if isinstance(result, ox.QueryTriples):
        state = {"truncated": False}
        return ["subject", "predicate", "object"], [[str(t.subject), str(t.predicate), str(t.object)]
                                                    for t in _rows(result, budget, limit, state)]
    names = [v.value for v in result.variables]
    state = {"truncated": False}
    return names, [[None if t is None else t.value for t in sol] for sol in _rows(result, budget, limit, state)]


# ---------------------------------------------------------------------------------------------- request parsing
@dataclass
class ProtocolRequest:
    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    using_graphs: list[str] = field(default_factory=list)


def parse_request() -> ProtocolRequest:
    """The operation and dataset of this request, per SPARQL 1.1 Protocol §2.1–2.2."""
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


def _dataset(preq: ProtocolRequest) -> dict[str, Any]:
    """Protocol dataset → Oxigraph keyword arguments (empty: the store's default, the union of all graphs)."""
    if not preq.default_graphs and not preq.named_graphs:
        return {}
    try:
        return {"default_graph": [ox.NamedNode(g) for g in preq.default_graphs],
                "named_graphs": [ox.NamedNode(g) for g in preq.named_graphs]}
    except ValueError as exc:
        raise QueryError(f"default-graph-uri / named-graph-uri must be absolute IRIs: {exc}") from None


# ---------------------------------------------------------------------------------------------- service description
SD = "http://www.w3.org/ns/sparql-service-description#"
RESULT_FORMAT_IRIS = [f"http://www.w3.org/ns/formats/{n}" for n in (
    "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
    "Turtle", "N-Triples", "RDF_XML", "JSON-LD")]


def service_description(endpoint: str, update_enabled: bool, timeout: float, row_limit: int,
                        union_default: bool = True) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of this endpoint, as triples."""
    def nn(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    svc, dataset, graph = nn(endpoint), ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")
    rdf_type = nn("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    triples = [
        (svc, rdf_type, nn(SD + "Service")),
        (svc, nn(SD + "endpoint"), svc),
        (svc, nn(SD + "supportedLanguage"), nn(SD + "SPARQL11Query")),
        (svc, nn(SD + "defaultEntailmentRegime"), nn("http://www.w3.org/ns/entailment/Simple")),
        (svc, nn(SD + "defaultDataset"), dataset),
        (dataset, rdf_type, nn(SD + "Dataset")),
        (dataset, nn(SD + "defaultGraph"), graph),
        (graph, rdf_type, nn(SD + "Graph")),
        (svc, nn("http://purl.org/dc/terms/title"), ox.Literal("kg — paper knowledge graph")),
        (svc, nn("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal(
            f"Read-only unless updates are enabled; SERVICE refused; query time budget {timeout:g} s; "
            f"at most {row_limit} result rows.")),
    ]
    if update_enabled:
        triples.append((svc, nn(SD + "supportedLanguage"), nn(SD + "SPARQL11Update")))
    if union_default:
        triples.append((svc, nn(SD + "feature"), nn(SD + "UnionDefaultGraph")))
    triples += [(svc, nn(SD + "resultFormat"), nn(iri)) for iri in RESULT_FORMAT_IRIS]
    return [ox.Triple(*t) for t in triples]


def _service_description_response() -> Response:
    cfg = current_app.config
    chosen = negotiate(request.headers.get("Accept"), "graph", request.args.get("format")) or ("turtle", "text/turtle")
    name, media = chosen
    triples = service_description(request.base_url, bool(cfg["KG_UPDATE_ENABLED"]), float(cfg["KG_QUERY_TIMEOUT"]),
                                  int(cfg["KG_ROW_LIMIT"]), bool(cfg["KG_UNION_DEFAULT_GRAPH"]))
    prefixes = {"sd": SD} if name in ("turtle", "rdfxml") else None
    body = ox.serialize(triples, format=GRAPH_FORMATS[name], prefixes=prefixes)
    return Response(body, mimetype=media)


# ---------------------------------------------------------------------------------------------- updates
@bp.record_once
def _setup(state: Any) -> None:
    app = state.app
    handle = app.extensions.get(EXTENSION_KEY)
    if app.config.get("KG_UPDATE_ENABLED") and type(handle) is StoreHandle:
        app.extensions[EXTENSION_KEY] = StoreHandle(Path(handle.root), read_only=False)


def _authorise_update() -> None:
    cfg = current_app.config
    if not cfg["KG_UPDATE_ENABLED"]:
        raise QueryRefused("this endpoint is read-only: SPARQL Update is disabled (setting update_enabled)")
    token = str(cfg["KG_UPDATE_TOKEN"] or "")
    if not token:
        raise QueryRefused("SPARQL Update is enabled but no update_token is set; the operator must set one")
    sent = request.headers.get("Authorization", "")
    scheme, _, value = sent.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
        raise Unauthorized("SPARQL Update needs the header 'Authorization: Bearer <update_token>'")


def _run_update(preq: ProtocolRequest) -> Response:
    _authorise_update()
    text = preq.update or ""
    if not text.strip():
        raise QueryError("empty update")
    if preq.using_graphs:
        raise QueryError("using-graph-uri / using-named-graph-uri are not supported; use USING in the update")
    check_allowed(text, update=True)
    handle = current_app.extensions[EXTENSION_KEY]
    store = handle.get()
    if store.read_only:
        raise QueryRefused("the store is open read-only; restart the server with update_enabled set")

    def apply(budget: Budget) -> None:
        try:
            store.ox.update(text)
        except SyntaxError as exc:
            raise QueryError(str(exc)) from exc
        store.ox.flush()

    run_with_budget(apply)
    handle.changed()  # readers key on the generation: the graph view and /api/search must see the change
    return Response(status=204)


# ---------------------------------------------------------------------------------------------- routes
@bp.after_request
def _cors(resp: Response) -> Response:
    resp.headers.update(CORS_HEADERS)
    resp.vary.add("Accept")
    return resp


@bp.route("/sparql", methods=["OPTIONS"])
def preflight() -> Response:
    return Response(status=204)


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    preq = parse_request()
    if preq.update is not None:
        return _run_update(preq)
    if preq.query is None:
        return _service_description_response()
    query = preq.query
    if not query.strip():
        raise QueryError("empty query")
    check_allowed(query)
    accept, fmt = request.headers.get("Accept"), request.args.get("format")
    if negotiate(accept, "solutions", fmt) is None and negotiate(accept, "graph", fmt) is None:
        raise NotAcceptable(f"cannot serve SPARQL results as {fmt or accept!r}")
    dataset = _dataset(preq)
    store = get_store()
    row_limit = int(current_app.config["KG_ROW_LIMIT"])
    union_default = bool(current_app.config["KG_UNION_DEFAULT_GRAPH"])
    answer: Answer = run_with_budget(
        lambda budget: evaluate(store, query, dataset, accept, fmt, row_limit, budget, union_default))
    if answer.html is not None:
        names, rows = answer.html
        return Response(render_template("results.html", query=query, names=names, rows=rows), mimetype="text/html")
    resp = Response(answer.body, mimetype=answer.media)
    if answer.truncated:
        resp.headers["X-KG-Truncated"] = "true"
        resp.headers["X-KG-Row-Limit"] = str(row_limit)
    return resp
