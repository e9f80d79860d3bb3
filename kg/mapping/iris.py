"""IRI minting policy: deterministic IRIs from ids, so the same input always gives the same graph.

paper          RES/paper/<paper id>
entity         RES/<type>/<slug>             (Entity.id is "<type>/<slug>", kg.ids)
link           RES/paper/<paper id>/link/<type>/<slug>
mention        RES/paper/<paper id>/link/<type>/<slug>/m<n>
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


def mention_iri(paper_id: str, entity_id: str, n: int) -> URIRef:
    return RES[f"paper/{_seg(paper_id)}/link/{entity_id}/m{n}"]


def support_iri(entity_id: str, extractor: str) -> URIRef:
    return RES[f"{entity_id}/support/{_seg(extractor)}"]
