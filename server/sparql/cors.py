"""CORS for ``/sparql``: which web origins may query from a browser (setting ``cors_origins``: ``*`` for any — the
default, for browser tools such as YASGUI elsewhere —, a comma-separated list, or empty for none); preflight
answered."""

from __future__ import annotations

from flask import Response, current_app, request

CORS_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type",
    "Access-Control-Expose-Headers": "X-KG-Truncated, X-KG-Row-Limit, X-KG-Update",
    "Access-Control-Max-Age": "86400",
}


def allowed_origin(setting: str, origin: str | None) -> str | None:
    """The ``Access-Control-Allow-Origin`` value for a request from ``origin`` (None: no CORS for it)."""
    entries = [o.strip().rstrip("/") for o in setting.split(",") if o.strip()]
    if "*" in entries:
        return "*"
    if origin and origin.rstrip("/") in entries:
        return origin
    return None


def add_cors_headers(resp: Response) -> Response:
    """``after_request`` hook: CORS headers on every answer (errors included); answers vary by ``Accept``."""
    resp.vary.add("Accept")
    allow = allowed_origin(str(current_app.config.get("KG_CORS_ORIGINS", "*")), request.headers.get("Origin"))
    if allow is not None:
        resp.headers.update(CORS_HEADERS)
        resp.headers["Access-Control-Allow-Origin"] = allow
        if allow != "*":
            resp.vary.add("Origin")
    return resp


def preflight() -> Response:
    return Response(status=204)
