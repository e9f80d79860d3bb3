"""One JSON error shape for every error the server returns: ``{"error": {"status", "code", "message"}}``."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from kg.errors import KGError

log = logging.getLogger("kg.server")


class NotAcceptable(KGError):
    """Nothing in the Accept header (or ?format=) can carry this kind of result."""

    status = 406
    code = "not_acceptable"


class Unauthorized(KGError):
    """A SPARQL Update without the right bearer token."""

    status = 401
    code = "unauthorized"


def error_response(status: int, code: str, message: str) -> Response:
    resp = jsonify({"error": {"status": status, "code": code, "message": message}})
    resp.status_code = status
    return resp


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(KGError)
    def _kg_error(exc: KGError) -> Response:
        if exc.status >= 500:
            log.error("%s: %s", exc.code, exc)
        return error_response(exc.status, exc.code, str(exc))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # A bug, not the client's fault: log it with the traceback and say so.
        log.exception("unexpected error")
        return error_response(500, "internal_error", "internal server error (logged)")
