"""The ontology file → the triples of the ontology graph (loaded into every store, so ``rdf:type/rdfs:subClassOf*``
paths work in queries)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from rdflib import Graph
from rdflib.term import Node

from kg.namespace import ONTOLOGY_GRAPH
from ontology import ONTOLOGY_TTL


@cache
def _ontology_graph() -> tuple[tuple[Node, Node, Node], ...]:
    return tuple(Graph().parse(ONTOLOGY_TTL, format="turtle"))


def ontology_triples() -> Iterator[tuple[Node, Node, Node]]:
    """Every triple of ``ontology/kg.ttl`` (parsed once per process)."""
    return iter(_ontology_graph())


def ontology_quads() -> Iterator[tuple[Node, Node, Node, Node]]:
    """The ontology's triples in the ontology named graph."""
    for s, p, o in _ontology_graph():
        yield s, p, o, ONTOLOGY_GRAPH
