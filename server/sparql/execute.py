"""Run one SPARQL query under a budget: the seam between the endpoint and the engine.

In: an open ``GraphStore``, a ``QueryJob`` (plain values only, so a later worker process can receive it), the
``Budget`` and an ``emit`` callback. Out, through ``emit``: a ``Head`` (the negotiated format), then the answer —
``bytes`` pieces of about ``CHUNK_BYTES`` as the rows are produced, or one ``Table`` for the HTML page. Returns
True when the answer was cut at ``job.row_limit``. Errors before the head (a malformed query → ``QueryError``,
nothing acceptable → ``NotAcceptable``) are raised, so the endpoint can still answer them as JSON errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, cast

import pyoxigraph as ox

from kg.errors import QueryError
from kg.store import GraphStore
from kg.store.guard import has_dataset_clause
from server.errors import NotAcceptable
from server.negotiation import OFFERS, negotiate
from server.sparql.budget import Budget
from server.sparql.results import BOOLEAN_FORMATS, GRAPH_FORMATS, html_table, write_solutions

CHUNK_BYTES = 64 * 1024  # pieces handed to the client (the first one is read before the status is sent)
CHECK_EVERY = 256  # rows between deadline checks while results stream out of the engine


@dataclass(frozen=True)
class QueryJob:
    """One query and how to answer it."""

    query: str
    row_limit: int  # most rows (or triples) answered
    max_bytes: int = 0  # most bytes answered (0: no cap); cut like the row cap
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    fmt: str | None = None  # a ?format= override of ``accept``
    union_default: bool = True  # the default graph is the union of all graphs unless the query names a dataset


@dataclass(frozen=True)
class Head:
    format: str  # the negotiated format name (json, xml, csv, tsv, html, turtle, nt, rdfxml, jsonld)
    media: str


@dataclass(frozen=True)
class Table:
    """The HTML results page's content: column names and cell texts."""

    names: list[str]
    rows: list[list[str | None]]


class _Chunks:
    """A file-like sink that hands what is written to ``emit`` in pieces of more than ``size`` bytes."""

    def __init__(self, emit: Callable[[Any], None], size: int = CHUNK_BYTES) -> None:
        self.emit, self.size = emit, size
        self.parts: list[bytes] = []
        self.length = 0
        self.total = 0  # bytes written so far

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.length += len(data)
        self.total += len(data)
        if self.length > self.size:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.parts:
            self.emit(b"".join(self.parts))
            self.parts, self.length = [], 0


def _capped(rows: Iterable[Any], budget: Budget, limit: int, state: dict[str, bool],
            out: _Chunks | None = None, max_bytes: int = 0) -> Iterator[Any]:
    """At most ``limit`` of ``rows`` (and none once ``out`` holds ``max_bytes``), checking the budget as they are
    pulled; ``state["truncated"]`` if cut."""
    for i, row in enumerate(rows):
        if i % CHECK_EVERY == 0:
            budget.check()
        if i >= limit or (max_bytes and out is not None and out.total >= max_bytes):
            state["truncated"] = True
            return
        yield row


def run_query(store: GraphStore, job: QueryJob, budget: Budget, emit: Callable[[Any], None]) -> bool:
    """Evaluate ``job.query`` on ``store`` and emit the head and the answer (see the module docstring)."""
    dataset: dict[str, Any] = {}
    if job.default_graphs or job.named_graphs:
        dataset = {"default_graph": [ox.NamedNode(g) for g in job.default_graphs],
                   "named_graphs": [ox.NamedNode(g) for g in job.named_graphs]}
    union = job.union_default and not dataset and not has_dataset_clause(job.query)
    try:
        result = store.query(job.query, union=union, **dataset)
    except RuntimeError as exc:  # Oxigraph's evaluation errors, e.g. "The custom function <…> is not supported"
        raise QueryError(str(exc)) from None
    budget.check()
    kind = "graph" if isinstance(result, ox.QueryTriples) else "solutions"
    chosen = negotiate(job.accept, kind, job.fmt)
    if chosen is None:
        what = "a graph (CONSTRUCT/DESCRIBE)" if kind == "graph" else "query solutions (SELECT/ASK)"
        raise NotAcceptable(f"cannot serve {what} as {job.fmt or job.accept!r}; acceptable: "
                            + ", ".join(sorted({m for _, m in OFFERS[kind]})))
    name, media = chosen
    emit(Head(name, media))
    state = {"truncated": False}
    if name == "html":
        rows = [] if isinstance(result, ox.QueryBoolean) else _capped(result, budget, job.row_limit, state)
        emit(Table(*html_table(result, rows)))
        return False
    out = _Chunks(emit)
    if isinstance(result, ox.QueryBoolean):
        out.write(result.serialize(format=BOOLEAN_FORMATS[name]) or b"")
    elif isinstance(result, ox.QueryTriples):
        ox.serialize(_capped(result, budget, job.row_limit, state, out, job.max_bytes), cast(IO[bytes], out),
                     format=GRAPH_FORMATS[name])
    else:
        names = [v.value for v in result.variables]
        for piece in write_solutions(names, _capped(result, budget, job.row_limit, state, out, job.max_bytes), name):
            out.write(piece.encode("utf-8"))
    out.flush()
    return state["truncated"]
