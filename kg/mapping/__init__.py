"""Mapping: typed extraction records → RDF triples under the kg ontology, and the ``kg extract`` JSON (pure,
deterministic); the one IRI minting policy."""

from kg.mapping.iris import entity_iri, paper_graph_iri, paper_iri
from kg.mapping.triples import entity_triples, link_property, paper_triples

__all__ = ["entity_iri", "entity_triples", "link_property", "paper_graph_iri", "paper_iri", "paper_triples"]
