"""Conversions between rdflib terms (the project's RDF API) and pyoxigraph terms (the engine's)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

_NAMED: dict[str, ox.NamedNode] = {}


def named_node(iri: str) -> ox.NamedNode:
    """An IRI as a pyoxigraph term (the first 10,000 distinct IRIs are cached: the closed vocabulary repeats)."""
    node = _NAMED.get(iri)
    if node is None:
        node = ox.NamedNode(iri)
        if len(_NAMED) < 10_000:
            _NAMED[iri] = node
    return node


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """rdflib term → pyoxigraph term."""
    if isinstance(term, URIRef):
        return named_node(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=named_node(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"cannot convert {term!r} to an Oxigraph term")


def from_ox(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Node | None:
    """pyoxigraph term → rdflib term (None stays None, for unbound variables)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r} to an rdflib term")
