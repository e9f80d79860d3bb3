"""IRI minting policy: deterministic IRIs from ids, so the same input always gives the same graph.

paper          RES/paper/<paper id>
entity         RES/<type>/<slug>             (Entity.id is "<type>/<slug>", kg.ids)
link           RES/paper/<paper id>/link/<type>/<slug>
mention        RES/paper/<paper id>/<field>#char=<start>,<end>   (an RFC 5147 span of the paper's title/abstract)
support        RES/<type>/<slug>/support/<extractor>   (an entity's support by one extractor)
paper graph    RES/graph/paper/<paper id>    (one named graph per paper)
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from rdflib import URIRef

from kg.namespace import RES


@lru_cache(maxsize=4096)
def _seg(text: str) -> str:
    # Cached: every link and mention IRI of a paper quotes the same paper id again.
    return quote(text, safe="-._~")


def paper_iri(paper_id: str) -> URIRef:
    return RES["paper/" + _seg(paper_id)]


def paper_graph_iri(paper_id: str) -> URIRef:
    return RES["graph/paper/" + _seg(paper_id)]


def entity_iri(entity_id: str) -> URIRef:
    return RES[entity_id]


def link_iri(paper_id: str, entity_id: str) -> URIRef:
    return RES[f"paper/{_seg(paper_id)}/link/{entity_id}"]


def support_iri(entity_id: str, extractor: str) -> URIRef:
    return RES[f"{entity_id}/support/{_seg(extractor)}"]


def span_iri(paper_id: str, field: str, start: int, end: int) -> URIRef:
    """The mention ``field[start:end]`` of a paper: an RFC 5147 fragment of the field's text (``kg.namespace.parse_span``
    reads it back)."""
    return RES[f"paper/{_seg(paper_id)}/{field}#char={start},{end}"]
