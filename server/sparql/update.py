"""SPARQL Update through ``/sparql``: off unless the ``update_enabled`` setting is on AND the request carries
``Authorization: Bearer <update_token>``; ``LOAD`` and ``SERVICE`` refused (the server never fetches URLs).

In: the update text of a ``ProtocolRequest``. Out: ``204`` with ``X-KG-Update: committed`` once the update is
applied and published (a new store generation, so readers — queries, the graph view's caches, the search index —
see it at once); a ``503`` whose message says "nothing was changed" when a budget stopped it before its commit
(``engine`` and ``workers`` say how an update commits).
"""

from __future__ import annotations

import hmac

from flask import Response, current_app, request

from kg.errors import QueryError, QueryRefused
from kg.store.guard import check_allowed
from server.errors import Unauthorized
from server.sparql.engine import get_engine
from server.sparql.protocol import ProtocolRequest
from server.store_access import EXTENSION_KEY


def authorise() -> None:
    """Refuse the update unless updates are enabled and the bearer token matches (constant-time comparison)."""
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


def run_update(preq: ProtocolRequest) -> Response:
    authorise()
    text = preq.update or ""
    if not text.strip():
        raise QueryError("empty update")
    if preq.using_graphs:
        raise QueryError("using-graph-uri / using-named-graph-uri are not supported; use USING in the update")
    cfg = current_app.config
    check_allowed(text, update=True, max_bytes=int(cfg["KG_QUERY_MAX_BYTES"]),
                  max_depth=int(cfg["KG_QUERY_MAX_DEPTH"]))
    handle = current_app.extensions[EXTENSION_KEY]
    if not handle.writable:
        raise QueryRefused("the store is served read-only; restart the server with update_enabled set")
    get_engine().update(handle.root, handle.get(), text)
    handle.changed()
    resp = Response(status=204)
    resp.headers["X-KG-Update"] = "committed"
    return resp
