"""What every part of the read layer shares: rows of named queries as plain Python values, the node kinds the graph
view draws and ``NodeNotFound``.

In: a ``GraphStore`` and the name of a ``kg/store/queries/*.rq`` file with its parameters (rdflib terms or plain
values, bound by the engine). Out: dicts or tuples of ``str`` / ``int`` / ``float`` / ``None``.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

import pyoxigraph as ox
from rdflib import XSD, Literal, URIRef

from kg.errors import KGError
from kg.namespace import CLASS_TYPE, KG
from kg.store.oxigraph_store import GraphStore
from kg.store.queries import load_query

# Class IRI → the node type the graph view draws.
TYPE_NAME: dict[str, str] = {str(KG.Paper): "paper", **CLASS_TYPE}
_INTEGER = str(XSD.integer)
_REAL = {str(XSD.decimal), str(XSD.double), str(XSD.float)}


class NodeNotFound(KGError):
    """The IRI is not a paper or entity of the graph."""

    status = 404
    code = "not_found"


def not_found(iri: str) -> NodeNotFound:
    return NodeNotFound(f"no paper or entity {iri!r} in the graph: search for it with /api/search?q=…")


def type_name(cls: str | None) -> str:
    """The view's node type of a class IRI ("paper", "method", …), "other" for any other class."""
    return TYPE_NAME.get(cls or "", "other")


def py_value(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Any:
    """An Oxigraph term as a plain value: xsd:integer → int, xsd:decimal/double/float → float, else its text."""
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt == _INTEGER:
            return int(term.value)
        if dt in _REAL:
            return float(term.value)
    return term.value


def rows(store: GraphStore, name: str, limit: int | None = None, **bindings: Any) -> Iterator[dict[str, Any]]:
    """Rows of a named query as plain Python values, read lazily (``limit`` stops reading early)."""
    res = store.query(load_query(name), {k: v if isinstance(v, URIRef | Literal) else Literal(v)
                                         for k, v in bindings.items()})
    names = [v.value for v in res.variables]
    for sol in islice(res, limit):
        yield {n: (None if sol[n] is None else py_value(sol[n])) for n in names}


def values(store: GraphStore, name: str) -> Iterator[tuple[str, ...]]:
    """Rows of an unparameterised named query as tuples of lexical values (fast path for bulk loads)."""
    for sol in store.query(load_query(name)):
        yield tuple(t.value for t in sol)
