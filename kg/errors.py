"""One exception hierarchy for the library; every message says what went wrong and what to do next."""

from __future__ import annotations


class KGError(Exception):
    """Base of every error the library raises on purpose.

    ``status`` is the HTTP status the server maps the error to.
    """

    status: int = 500
    code: str = "kg_error"


class InputError(KGError):
    """Bad input data: names the file, line and field when known."""

    status = 400
    code = "bad_input"

    def __init__(self, message: str, *, path: str = "", line: int | None = None, field: str = "") -> None:
        self.path, self.line, self.field = path, line, field
        where = path
        if line is not None:
            where += f":{line}"
        if field:
            where += f" (field {field!r})"
        super().__init__(f"{where}: {message}" if where else message)


class ConfigError(KGError):
    """A setting has a value that cannot be used."""

    status = 500
    code = "bad_config"


class StoreError(KGError):
    """The store is missing, locked or unreadable."""

    status = 503
    code = "store_unavailable"


class StoreBusy(StoreError):
    """Another write to the store holds its lock."""

    code = "store_busy"


class ShapeViolation(KGError):
    """The built graph does not conform to ontology/shapes.ttl; ``report`` is pySHACL's text report."""

    status = 500
    code = "shape_violation"

    def __init__(self, report: str) -> None:
        self.report = report
        super().__init__("the graph violates ontology/shapes.ttl; nothing was replaced:\n" + report)


class QueryError(KGError):
    """A SPARQL query that cannot be parsed or run; the message is the engine's."""

    status = 400
    code = "bad_query"


class QueryRefused(KGError):
    """A query the server will not run (e.g. SERVICE, or an update while read-only)."""

    status = 403
    code = "query_refused"


class QueryTimeout(KGError):
    """A query ran past its time budget."""

    status = 503
    code = "query_timeout"


class QueryMemory(KGError):
    """A query or update ran past its memory budget (its worker process was stopped)."""

    status = 503
    code = "query_memory"


class EngineCrashed(KGError):
    """The query engine died while running one request (its worker process is replaced; others go on)."""

    status = 503
    code = "engine_crashed"


class WorkerBusy(KGError):
    """Every query worker stayed busy for the whole time budget of a request."""

    status = 503
    code = "server_busy"
