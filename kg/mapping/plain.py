"""Plain terms: the write path's fast form of the triples ``kg.mapping.triples`` makes, and their N-Quads text.

rdflib terms cost microseconds each to build, hash and compare (an ``Identifier`` hashes a tuple of its class name
and text), and a build maps millions of them. The hot path of a build therefore maps records straight to *plain*
triples — an IRI is a ``str``, a blank node a ``BNodeId`` (a ``str`` subclass), a literal a ``Lit`` (lexical form,
datatype IRI, language) — which the per-batch shape check evaluates (``kg.build.shapes``) and ``plain_nquads``
writes. ``paper_rows(ex)`` gives exactly ``[plain(t) for t in paper_triples(ex)]`` (tests/test_mapping.py checks it
on the golden paper and a real corpus), so the rdflib mapping stays the readable reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import quote

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.mapping.triples import asserted, link_property
from kg.model import PaperExtraction
from kg.namespace import RESOURCE_BASE

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_LANGSTRING = RDF_NS + "langString"


class Lit(NamedTuple):
    """A literal: lexical form, datatype IRI (xsd:string for a plain literal, rdf:langString with a language)."""

    lex: str
    datatype: str = XSD_STRING
    lang: str = ""


class BNodeId(str):
    """A blank node (its label); a plain ``str`` is an IRI."""

    __slots__ = ()


Term = str | Lit
Row = tuple[str, str, Term]


def plain(term: Node) -> Term:
    """An rdflib term as a plain term (RDF 1.1: a plain literal is an xsd:string)."""
    if type(term) is URIRef or isinstance(term, URIRef):
        return str(term)
    if isinstance(term, Literal):
        if term.language:
            return Lit(str(term), RDF_LANGSTRING, term.language)
        return Lit(str(term), str(term.datatype) if term.datatype is not None else XSD_STRING)
    if isinstance(term, BNode):
        return BNodeId(term)
    raise TypeError(f"not an RDF term: {term!r}")


def plain_rows(triples: Iterable[tuple[Node, Node, Node]]) -> list[Row]:
    return [(plain(s), plain(p), plain(o)) for s, p, o in triples]  # type: ignore[misc]


# ------------------------------------------------------------------------------------------------ the fast mapping
# Term texts of kg.namespace / rdflib, spelled out once (a test compares paper_rows with paper_triples).
_KG = "https://w3id.org/kg-papers/ontology#"
_DCT = "http://purl.org/dc/terms/"
_TYPE, _SUBJECT, _PREDICATE, _OBJECT = RDF_NS + "type", RDF_NS + "subject", RDF_NS + "predicate", RDF_NS + "object"
_PAPER, _YEAR, _SOURCE = _KG + "Paper", _KG + "year", _KG + "source"
_IDENTIFIER, _TITLE, _ABSTRACT, _DATE, _CREATOR = (_DCT + "identifier", _DCT + "title", _DCT + "abstract",
                                                   _DCT + "date", _DCT + "creator")
_URL = "https://schema.org/url"
_CONFIDENCE, _EXTRACTOR, _HAS_MENTION = _KG + "confidence", _KG + "extractor", _KG + "hasMention"
_INTEGER, _DECIMAL, _ANY_URI = XSD + "integer", XSD + "decimal", XSD + "anyURI"


@lru_cache(maxsize=4096)
def _seg(text: str) -> str:
    return quote(text, safe="-._~")


@lru_cache(maxsize=64)
def _property(entity_type: str, role: str) -> str:
    return str(link_property(entity_type, role))  # type: ignore[arg-type]


@lru_cache(maxsize=4096)
def _decimal(x: float) -> Lit:
    return Lit(f"{x:.3f}", _DECIMAL)


def paper_rows(ex: PaperExtraction) -> list[Row]:
    """The plain triples of one paper's named graph, in ``paper_triples`` order."""
    p = ex.paper
    seg = _seg(p.id)
    s = f"{RESOURCE_BASE}paper/{seg}"
    rows: list[Row] = [(s, _TYPE, _PAPER), (s, _IDENTIFIER, Lit(p.id)), (s, _TITLE, Lit(p.title)),
                       (s, _ABSTRACT, Lit(p.abstract))]
    if p.year is not None:
        rows.append((s, _YEAR, Lit(str(p.year), _INTEGER)))
    if p.date:
        rows.append((s, _DATE, Lit(p.date)))
    if p.url:
        rows.append((s, _URL, Lit(p.url, _ANY_URI)))
    rows.extend((s, _CREATOR, Lit(name)) for name in p.authors)
    if p.source:
        rows.append((s, _SOURCE, Lit(p.source)))
    link_base = f"{s}/link/"
    for link in sorted(ex.links, key=lambda lk: lk.entity.id):
        e = link.entity
        o = RESOURCE_BASE + e.id
        prop = _property(e.type, link.role)
        if asserted(link):
            rows.append((s, prop, o))
        node = link_base + e.id
        rows += [(node, _SUBJECT, s), (node, _PREDICATE, prop), (node, _OBJECT, o),
                 (node, _CONFIDENCE, _decimal(link.confidence))]
        rows.extend((node, _EXTRACTOR, Lit(c)) for c in sorted({m.component for m in link.mentions if m.component}))
        rows.extend((node, _HAS_MENTION, f"{s}/{f}#char={a},{b}")
                    for f, a, b in sorted({(m.field, m.start, m.end) for m in link.mentions}))
    return rows


# ------------------------------------------------------------------------------------------------ N-Quads
_LIT_ESCAPE = re.compile(r'[\\"\n\r]')
_LIT_MAP = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _iri(value: str) -> str:
    if _IRI_BAD.search(value):
        value = _IRI_BAD.sub(lambda m: f"\\u{ord(m.group(0)):04X}", value)
    return f"<{value}>"


def term_text(t: Term) -> str:
    """One plain term in N-Quads syntax (what ``kg.store.nquads.term`` writes for the rdflib term)."""
    if type(t) is Lit:
        lex = t.lex
        if "\\" in lex or '"' in lex or "\n" in lex or "\r" in lex:
            lex = _LIT_ESCAPE.sub(lambda m: _LIT_MAP[m.group(0)], lex)
        if t.lang:
            return f'"{lex}"@{t.lang}'
        if t.datatype != XSD_STRING:
            return f'"{lex}"^^{_iri(t.datatype)}'
        return f'"{lex}"'
    if type(t) is BNodeId:
        return f"_:{t}"
    return _iri(t)  # type: ignore[arg-type]


def plain_nquads(rows: Iterable[Row], graph: str | None) -> str:
    """Plain triples → N-Quads lines in ``graph`` (None: the default graph), in the given order."""
    g = f" {_iri(graph)} .\n" if graph is not None else " .\n"
    cache: dict[str, str] = {}
    out = []
    for s, p, o in rows:
        st = cache.get(s) if type(s) is str else term_text(s)
        if st is None:
            st = cache[s] = _iri(s)
        pt = cache.get(p)
        if pt is None:
            pt = cache[p] = _iri(p)
        out.append(f"{st} {pt} {term_text(o)}{g}")
    return "".join(out)
