"""PaperExtraction / Entity → RDF triples (rdflib terms). Pure functions, deterministic order.

Evidence is stored by reification: each paper–entity link is a ``kg:Link``
(an ``rdf:Statement``) with ``rdf:subject/predicate/object``, ``kg:confidence``
and one ``kg:Mention`` per piece of evidence. The direct triple
``paper –role→ entity`` is asserted too, so plain queries stay simple.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from rdflib import RDF, RDFS, SKOS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.mapping.iris import entity_iri, link_iri, mention_iri, paper_iri, support_iri
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
_LINK, _MENTION, _CONFIDENCE, _HAS_MENTION = KG.Link, KG.Mention, KG.confidence, KG.hasMention
_IN_FIELD, _START, _END, _TEXT = KG.inField, KG.startOffset, KG.endOffset, KG.mentionText
_SENTENCE, _EXTRACTOR, _SCORE = KG.sentence, KG.extractor, KG.score
_XSD_DECIMAL, _XSD_INTEGER = XSD.decimal, XSD.integer


@lru_cache(maxsize=4096)
def _decimal(x: float) -> Literal:
    return Literal(f"{x:.3f}", datatype=_XSD_DECIMAL)


@lru_cache(maxsize=8192)
def _integer(n: int) -> Literal:
    return Literal(str(n), datatype=_XSD_INTEGER)


@lru_cache(maxsize=1024)
def _plain(text: str) -> Literal:
    """Cached plain literal, for the few strings that repeat on every mention (field, extractor)."""
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


def link_triples(paper_id: str, link: Link) -> Iterator[Triple]:
    s, o = paper_iri(paper_id), entity_iri(link.entity.id)
    prop = link_property(link.entity.type, link.role)
    yield s, prop, o
    node = link_iri(paper_id, link.entity.id)
    yield node, _TYPE, _LINK
    yield node, _SUBJECT, s
    yield node, _PREDICATE, prop
    yield node, _OBJECT, o
    yield node, _CONFIDENCE, _decimal(link.confidence)
    sentences: dict[str, Literal] = {}
    for n, m in enumerate(link.mentions):
        mn = mention_iri(paper_id, link.entity.id, n)
        yield node, _HAS_MENTION, mn
        yield mn, _TYPE, _MENTION
        yield mn, _IN_FIELD, _plain(m.field)
        yield mn, _START, _integer(m.start)
        yield mn, _END, _integer(m.end)
        yield mn, _TEXT, Literal(m.text)
        if m.sentence:
            if m.sentence not in sentences:
                sentences[m.sentence] = Literal(m.sentence)
            yield mn, _SENTENCE, sentences[m.sentence]
        if m.component:
            yield mn, _EXTRACTOR, _plain(m.component)
        yield mn, _SCORE, _decimal(m.score)


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
