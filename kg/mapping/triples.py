"""PaperExtraction / Entity → RDF triples (rdflib terms). Pure functions, deterministic order.

Evidence is stored by reification: each paper–entity link is a ``kg:Link``
(an ``rdf:Statement``) with ``rdf:subject/predicate/object``, ``kg:confidence``
and one ``kg:Mention`` per piece of evidence. The direct triple
``paper –role→ entity`` is asserted too, so plain queries stay simple.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import RDF, RDFS, SKOS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.mapping.iris import entity_iri, link_iri, mention_iri, paper_iri
from kg.mapping.namespace import KG, SCHEMA
from kg.model import Entity, EntityType, Link, Paper, PaperExtraction, Role

Triple = tuple[URIRef, URIRef, URIRef | Literal]

TYPE_CLASS: dict[EntityType, URIRef] = {
    "method": KG.Method,
    "task": KG.Task,
    "dataset": KG.Dataset,
    "metric": KG.Metric,
    "architecture": KG.Architecture,
}

ROLE_PROPERTY: dict[Role, URIRef] = {
    "proposes": KG.proposes,
    "uses": KG.uses,
    "evaluates_on": KG.evaluatesOn,
    "compares": KG.comparesWith,
    "mentions": KG.mentions,
}


def link_property(entity_type: EntityType, role: Role) -> URIRef:
    """The property a link of this role to an entity of this type is asserted with.

    Tasks a paper works on are ``kg:addresses``; architectures it builds on are
    ``kg:hasArchitecture``; a mere mention stays ``kg:mentions`` for every type.
    """
    if role == "mentions":
        return KG.mentions
    if entity_type == "architecture":
        return KG.hasArchitecture
    if entity_type == "task" and role in ("uses", "proposes"):
        return KG.addresses
    return ROLE_PROPERTY[role]


def _decimal(x: float) -> Literal:
    return Literal(f"{x:.3f}", datatype=XSD.decimal)


def paper_metadata_triples(paper: Paper) -> Iterator[Triple]:
    s = paper_iri(paper.id)
    yield s, RDF.type, KG.Paper
    yield s, DCTERMS.identifier, Literal(paper.id)
    yield s, DCTERMS.title, Literal(paper.title)
    yield s, DCTERMS.abstract, Literal(paper.abstract)
    if paper.year is not None:
        yield s, KG.year, Literal(paper.year, datatype=XSD.integer)
    if paper.date:
        yield s, DCTERMS.date, Literal(paper.date)
    if paper.url:
        yield s, SCHEMA.url, Literal(paper.url, datatype=XSD.anyURI)
    for name in paper.authors:
        yield s, DCTERMS.creator, Literal(name)
    if paper.source:
        yield s, KG.source, Literal(paper.source)


def link_triples(paper_id: str, link: Link) -> Iterator[Triple]:
    s, o = paper_iri(paper_id), entity_iri(link.entity.id)
    prop = link_property(link.entity.type, link.role)
    yield s, prop, o
    node = link_iri(paper_id, link.entity.id)
    yield node, RDF.type, KG.Link
    yield node, RDF.subject, s
    yield node, RDF.predicate, prop
    yield node, RDF.object, o
    yield node, KG.confidence, _decimal(link.confidence)
    for n, m in enumerate(link.mentions):
        mn = mention_iri(paper_id, link.entity.id, n)
        yield node, KG.hasMention, mn
        yield mn, RDF.type, KG.Mention
        yield mn, KG.inField, Literal(m.field)
        yield mn, KG.startOffset, Literal(m.start, datatype=XSD.integer)
        yield mn, KG.endOffset, Literal(m.end, datatype=XSD.integer)
        yield mn, KG.mentionText, Literal(m.text)
        if m.sentence:
            yield mn, KG.sentence, Literal(m.sentence)
        if m.component:
            yield mn, KG.extractor, Literal(m.component)
        yield mn, KG.score, _decimal(m.score)


def paper_triples(extraction: PaperExtraction) -> Iterator[Triple]:
    """All triples that belong to one paper's named graph: metadata, links, evidence."""
    yield from paper_metadata_triples(extraction.paper)
    for link in sorted(extraction.links, key=lambda lk: lk.entity.id):
        yield from link_triples(extraction.paper.id, link)


def entity_triples(entity: Entity) -> Iterator[Triple]:
    """Triples describing one canonical entity (for the shared entities graph).

    Architecture individuals are declared in the ontology; here they only get
    the aliases seen in the corpus.
    """
    s = entity_iri(entity.id)
    if entity.type != "architecture":
        yield s, RDF.type, TYPE_CLASS[entity.type]
        yield s, RDFS.label, Literal(entity.label)
    for alias in sorted(set(entity.aliases) - {entity.label}):
        yield s, SKOS.altLabel, Literal(alias)
    for arch in sorted(entity.architectures):
        if arch != entity.id:
            yield s, KG.hasArchitecture, entity_iri(arch)
    for reason in sorted(entity.merged_because):
        yield s, KG.mergeReason, Literal(reason)
