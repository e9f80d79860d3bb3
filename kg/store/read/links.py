"""The links around one node, read through bounded named queries: a paper's entities, an entity's best papers,
the architecture edges of a method or architecture.

In: a ``GraphReader`` (for its store and cached node info) and an IRI. Out: lists of plain dicts with the link's
``relation`` (the role property's local name), ``confidence`` and the other node's info.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import URIRef

from kg.namespace import KG, local_name
from kg.store.read.base import rows

if TYPE_CHECKING:
    from kg.store.read.reader import GraphReader

# Relations in the order the details panel groups them.
ROLE_ORDER = ("proposes", "uses", "addresses", "evaluatesOn", "comparesWith", "hasArchitecture", "mentions")
LINK_SCAN_CAP = 2000  # most links of one entity read to choose the ones drawn or listed


def paper_links(reader: GraphReader, paper: str) -> list[dict[str, Any]]:
    """A paper's links with entity info, ordered by role, confidence and label."""
    out = []
    for row in rows(reader.store, "api_paper_links", paper=URIRef(paper)):
        info = reader.node_info(row["entity"])
        if info is not None and info["type"] != "paper":
            out.append({**row, "relation": local_name(row["property"]), **info})
    rank = {r: i for i, r in enumerate(ROLE_ORDER)}
    return sorted(out, key=lambda r: (rank.get(r["relation"], 99), -r["confidence"], r["label"].lower()))


def entity_papers(reader: GraphReader, entity: str, limit: int, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """An entity's most confident links (ties by IRI, so pages never overlap) with paper info — ``limit`` of them
    from ``offset`` on — and its link count.

    At most ``LINK_SCAN_CAP`` links (or ``offset + limit`` if more) are read, in index order, so a hub with 17k
    papers costs the same as one with 2k; its count then comes from the materialised ``kg:paperCount``. Only the
    kept links are looked up.
    """
    cap = max(LINK_SCAN_CAP, offset + limit)

    def read() -> tuple[list[dict[str, Any]], int]:
        found = list(rows(reader.store, "graph_entity_papers", cap, entity=URIRef(entity)))
        n = len(found)
        if n >= cap:
            info = reader.node_info(entity)
            n = max(n, (info or {}).get("n") or 0)
        found.sort(key=lambda r: (-r["confidence"], r["paper"]))
        return found, n

    # kept per generation: the next page ("show more") and the details panel read the same sorted links
    links, total = reader.memo("entity_links", (entity, cap), read, max_keys=256)
    out = []
    for row in links[offset:offset + limit]:
        info = reader.node_info(row["paper"])
        if info is not None and info["type"] == "paper":
            out.append({**row, "relation": local_name(row["property"]), **info})
    return out, total


def link_count(reader: GraphReader, paper: str) -> int:
    return sum(1 for _ in rows(reader.store, "api_paper_links", paper=URIRef(paper)))


ROLE_NODES = tuple(ox.NamedNode(str(KG[r])) for r in ROLE_ORDER if r != "hasArchitecture")


def paper_entity_links(reader: GraphReader, paper: str) -> list[dict[str, Any]]:
    """A paper's links as ``{entity, relation}``, read straight from the store's indexes (the paper → entity triple
    of each role; no SPARQL, no confidence): a few microseconds each, for joining a paper to entities already drawn."""
    quads = reader.store.ox.quads_for_pattern
    node = ox.NamedNode(paper)
    return [{"entity": q.object.value, "relation": local_name(prop.value)}
            for prop in ROLE_NODES for q in quads(node, prop, None) if isinstance(q.object, ox.NamedNode)]


def architecture_neighbours(reader: GraphReader, node: str) -> list[str]:
    """Method → its architectures; architecture → the methods built on it."""
    out = [r["other"] for r in rows(reader.store, "graph_architectures_of", node=URIRef(node))]
    return out + [r["other"] for r in rows(reader.store, "graph_architecture_users", node=URIRef(node))]
