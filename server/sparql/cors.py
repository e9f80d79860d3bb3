"""CORS for ``/sparql``: any origin may query (browser tools such as YASGUI elsewhere); preflight answered."""

from __future__ import annotations

from flask import Response

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type",
    "Access-Control-Expose-Headers": "X-KG-Truncated, X-KG-Row-Limit",
    "Access-Control-Max-Age": "86400",
}


def add_cors_headers(resp: Response) -> Response:
    """``after_request`` hook: CORS headers on every answer (errors included); answers vary by ``Accept``."""
    resp.headers.update(CORS_HEADERS)
    resp.vary.add("Accept")
    return resp


def preflight() -> Response:
    return Response(status=204)
