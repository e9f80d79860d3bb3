"""IRI minting policy: deterministic IRIs from ids, so the same input always gives the same graph.

paper          RES/paper/<paper id>
entity         RES/<type>/<slug>             (Entity.id is "<type>/<slug>")
link           RES/paper/<paper id>/link/<type>/<slug>
mention        RES/paper/<paper id>/link/<type>/<slug>/m<n>
paper graph    RES/graph/paper/<paper id>    (one named graph per paper)
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

from rdflib import URIRef

from kg.mapping.namespace import RES, RESOURCE_BASE

_SLUG_DROP = re.compile(r"[^a-z0-9]+")

ENTITIES_GRAPH = URIRef(RESOURCE_BASE + "graph/entities")
ONTOLOGY_GRAPH = URIRef(RESOURCE_BASE + "graph/ontology")
STATS_GRAPH = URIRef(RESOURCE_BASE + "graph/stats")


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by '-': "Vision Transformer (ViT)" → "vision-transformer-vit"."""
    ascii_only = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _SLUG_DROP.sub("-", ascii_only.lower()).strip("-")
    # Names with no ASCII letters or digits get a stable hash instead of an empty slug.
    return slug or "x" + hashlib.sha1(text.encode()).hexdigest()[:10]


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


def entity_id_from_iri(iri: str) -> str | None:
    """Inverse of ``entity_iri`` for IRIs in the resource namespace, else None."""
    return iri[len(RESOURCE_BASE):] if iri.startswith(RESOURCE_BASE) else None
