"""``/sparql`` routes: read the protocol request, refuse what is not allowed, run the query in the pool, and
answer — streamed once the first piece of the answer is ready.

Before the status line is sent the query has been parsed, the format negotiated and the first ``CHUNK_BYTES`` of
the answer (or all of it) produced, within the time budget; so a malformed query is still a ``400``, an
unservable ``Accept`` a ``406`` and a query that yields nothing in time a ``503``, each in the one JSON error
shape. An answer that fits in that first piece is sent whole, with ``X-KG-Truncated: true`` (and
``X-KG-Row-Limit``) when the row cap cut it. A longer answer is streamed: it carries ``X-KG-Row-Limit`` up front
(whether the cap will cut it is not known yet), stops at the cap, and if the deadline passes while it streams,
the connection is closed before the end of the body, so clients see an error rather than a short answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request

from kg.errors import KGError, QueryError
from kg.store.guard import check_allowed
from server.errors import NotAcceptable
from server.negotiation import negotiate
from server.security import neutralise_bidi
from server.sparql import service
from server.sparql.budget import END
from server.sparql.cors import add_cors_headers, preflight
from server.sparql.engine import get_engine
from server.sparql.execute import CHUNK_BYTES, Head, QueryJob, Table
from server.sparql.protocol import check_graph_iris, parse_request
from server.sparql.update import run_update
from server.store_access import get_store

try:  # waitress closes the connection on this one without logging a traceback (nothing went wrong)
    from waitress.channel import ClientDisconnected as _Closing
except ImportError:  # pragma: no cover - another WSGI server
    _Closing = ConnectionAbortedError

log = logging.getLogger("kg.server")
bp = Blueprint("sparql", __name__)


class StreamCut(_Closing):
    """Raised into the WSGI server to close a streamed answer before its end (the budget ran out meanwhile)."""
bp.after_request(add_cors_headers)
bp.add_url_rule("/sparql", "preflight", preflight, methods=["OPTIONS"])
@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    preq = parse_request(request)
    if preq.update is not None:
        return run_update(preq)
    if preq.query is None:
        return service.respond()
    query = preq.query
    if not query.strip():
        raise QueryError("empty query")
    cfg = current_app.config
    check_allowed(query, max_bytes=int(cfg["KG_QUERY_MAX_BYTES"]), max_depth=int(cfg["KG_QUERY_MAX_DEPTH"]))
    accept, fmt = request.headers.get("Accept"), request.args.get("format")
    if negotiate(accept, "solutions", fmt) is None and negotiate(accept, "graph", fmt) is None:
        raise NotAcceptable(f"cannot serve SPARQL results as {fmt or accept!r}")
    check_graph_iris(preq.default_graphs + preq.named_graphs)
    job = QueryJob(query, int(cfg["KG_ROW_LIMIT"]), int(cfg["KG_MAX_RESPONSE_BYTES"]), tuple(preq.default_graphs),
                   tuple(preq.named_graphs), accept, fmt, union_default=bool(cfg["KG_UNION_DEFAULT_GRAPH"]))
    stream = get_engine().query(get_store(), job)
    try:
        return _answer(stream, job)
    except BaseException:
        stream.close()
        raise


def _answer(stream: Any, job: QueryJob) -> Response:
    head: Head = stream.get()
    if head.format == "html":
        table: Table = stream.get()
        stream.close()
        rows = [[None if c is None else neutralise_bidi(c) for c in row] for row in table.rows]
        return Response(render_template("results.html", query=job.query, names=table.names, rows=rows),
                        mimetype="text/html")
    first: list[bytes] = []
    size = 0
    while size <= CHUNK_BYTES and (piece := stream.get()) is not END:
        first.append(piece)
        size += len(piece)
    if stream.finished:
        resp = Response(b"".join(first), mimetype=head.media)
        if stream.result:
            resp.headers["X-KG-Truncated"] = "true"
            resp.headers["X-KG-Row-Limit"] = str(job.row_limit)
        return resp
    resp = Response(_rest(first, stream), mimetype=head.media)
    resp.headers["X-KG-Row-Limit"] = str(job.row_limit)
    resp.call_on_close(stream.close)  # also when the body is never read (HEAD, a client that went away)
    return resp


def _rest(first: list[bytes], stream: Any) -> Iterator[bytes]:
    """The streamed body: what was read before the status was sent, then the pieces as the worker emits them."""
    try:
        yield from first
        try:
            yield from stream
        except KGError as exc:
            log.warning("streamed SPARQL answer cut short (the client sees a broken connection): %s", exc)
            raise StreamCut(str(exc)) from None
    finally:
        stream.close()
