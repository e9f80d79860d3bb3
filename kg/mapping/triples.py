"""PaperExtraction / Entity → RDF triples (rdflib terms). Pure functions, deterministic order.

Evidence by reference: each paper–entity link is the direct triple ``paper –role→ entity`` plus its reification,
a link node with ``rdf:subject/predicate/object``, ``kg:confidence`` and the ``kg:extractor``s that found it (a
``kg:Link`` by the domain of ``kg:confidence``; the type is not stored). Each mention is only a pointer into the
text stored once as ``dcterms:title``/``dcterms:abstract``: the link's ``kg:hasMention`` names the span with an
RFC 5147 fragment IRI ``<paper>/<field>#char=<start>,<end>``. The mention's text and sentence are derived when
shown (the details panel, example query 05), not stored again.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from rdflib import RDF, RDFS, SKOS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.mapping.iris import entity_iri, link_iri, paper_iri, span_iri, support_iri
from kg.model import Entity, EntityType, Link, Paper, PaperExtraction, Role
from kg.namespace import KG, SCHEMA, TYPE_CLASS

Triple = tuple[URIRef, URIRef, URIRef | Literal]

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


# rdflib resolves namespace attributes and builds literals slowly (µs each); a build maps millions of triples,
# so the terms are looked up once here and repeated literals are cached.
_TYPE, _SUBJECT, _PREDICATE, _OBJECT = RDF.type, RDF.subject, RDF.predicate, RDF.object
_CONFIDENCE, _HAS_MENTION, _EXTRACTOR = KG.confidence, KG.hasMention, KG.extractor
_XSD_DECIMAL, _XSD_INTEGER = XSD.decimal, XSD.integer


@lru_cache(maxsize=4096)
def _decimal(x: float) -> Literal:
    return Literal(f"{x:.3f}", datatype=_XSD_DECIMAL)


@lru_cache(maxsize=8192)
def _integer(n: int) -> Literal:
    return Literal(str(n), datatype=_XSD_INTEGER)


@lru_cache(maxsize=1024)
def _plain(text: str) -> Literal:
    """Cached plain literal, for the few strings that repeat on every link (extractor names)."""
    return Literal(text)


def paper_metadata_triples(paper: Paper) -> Iterator[Triple]:
    s = paper_iri(paper.id)
    yield s, _TYPE, KG.Paper
    yield s, DCTERMS.identifier, Literal(paper.id)
    yield s, DCTERMS.title, Literal(paper.title)
    yield s, DCTERMS.abstract, Literal(paper.abstract)
    if paper.year is not None:
        yield s, KG.year, _integer(paper.year)
    if paper.date:
        yield s, DCTERMS.date, Literal(paper.date)
    if paper.url:
        yield s, SCHEMA.url, Literal(paper.url, datatype=XSD.anyURI)
    for name in paper.authors:
        yield s, DCTERMS.creator, Literal(name)
    if paper.source:
        yield s, KG.source, Literal(paper.source)


def asserted(link: Link) -> bool:
    """Whether the link's direct triple is stated (a below-threshold candidate keeps only its reified evidence)."""
    return link.asserted


def link_triples(paper_id: str, link: Link) -> Iterator[Triple]:
    """The direct triple (unless the link is not asserted), its reification with confidence and extractors, and
    one ``kg:hasMention`` span IRI per distinct mention span (sorted)."""
    s, o = paper_iri(paper_id), entity_iri(link.entity.id)
    prop = link_property(link.entity.type, link.role)
    if asserted(link):
        yield s, prop, o
    node = link_iri(paper_id, link.entity.id)
    yield node, _SUBJECT, s
    yield node, _PREDICATE, prop
    yield node, _OBJECT, o
    yield node, _CONFIDENCE, _decimal(link.confidence)
    for component in sorted({m.component for m in link.mentions if m.component}):
        yield node, _EXTRACTOR, _plain(component)
    for fld, start, end in sorted({(m.field, m.start, m.end) for m in link.mentions}):
        yield node, _HAS_MENTION, span_iri(paper_id, fld, start, end)


def paper_triples(extraction: PaperExtraction) -> Iterator[Triple]:
    """All triples that belong to one paper's named graph: metadata, links, evidence."""
    yield from paper_metadata_triples(extraction.paper)
    for link in sorted(extraction.links, key=lambda lk: lk.entity.id):
        yield from link_triples(extraction.paper.id, link)


def entity_triples(entity: Entity) -> Iterator[Triple]:
    """Triples describing one canonical entity (for the shared entities graph).

    Architecture individuals are declared in the ontology; here they only get
    the aliases seen in the corpus (and their support). Support: ``kg:supportedBy`` per extractor and, when some
    extractor found the entity in fewer than all of its papers, a ``kg:ExtractorSupport`` node per extractor with its
    paper count (otherwise each count is the entity's ``kg:paperCount``).
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
    for record in sorted(entity.curation):
        yield s, KG.curation, Literal(record)
    # Per-extractor counts only when they say more than kg:paperCount: when some extractor found the entity in fewer
    # of its papers than all (on 8,000 arXiv papers a node for every entity would add 5.9 % to the quads; these add
    # 0.7 %, the kg:supportedBy values 1.7 %).
    counted = any(n < entity.papers for _, n in entity.support)
    for extractor, papers in sorted(entity.support):
        yield s, KG.supportedBy, _plain(extractor)
        if not counted:
            continue
        node = support_iri(entity.id, extractor)
        yield s, KG.hasSupport, node
        yield node, RDF.type, KG.ExtractorSupport
        yield node, KG.supportExtractor, _plain(extractor)
        yield node, KG.supportPapers, _integer(papers)
