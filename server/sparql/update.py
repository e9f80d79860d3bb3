"""SPARQL Update through ``/sparql``: off unless the ``update_enabled`` setting is on AND the request carries
``Authorization: Bearer <update_token>``; ``LOAD`` and ``SERVICE`` refused (the server never fetches URLs).

In: the update text of a ``ProtocolRequest``. Out: ``204`` once applied, within the query time budget; the store
handle then counts a new generation, so readers (the graph view's caches, the search index) start over.
"""

from __future__ import annotations

import hmac

from flask import Response, current_app, request

from kg.errors import QueryError, QueryRefused
from kg.store.guard import check_allowed
from server.errors import Unauthorized
from server.sparql.budget import Budget, QueryPool
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


def run_update(preq: ProtocolRequest, pool: QueryPool) -> Response:
    authorise()
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
        handle.changed()  # here, not after the wait: an update that outlives its budget still changes the data

    pool.call(apply, Budget(float(current_app.config["KG_QUERY_TIMEOUT"])))
    return Response(status=204)
