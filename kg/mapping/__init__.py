"""Mapping: typed extraction records → RDF triples under the kg ontology (pure, deterministic)."""

from kg.mapping.iris import entity_iri, paper_graph_iri, paper_iri
from kg.mapping.namespace import KG, RES
from kg.mapping.triples import entity_triples, link_property, paper_triples

__all__ = ["KG", "RES", "entity_iri", "entity_triples", "link_property", "paper_graph_iri", "paper_iri", "paper_triples"]
