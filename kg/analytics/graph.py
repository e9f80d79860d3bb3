"""Store → networkx and back: papers and entities as nodes, paper–entity links as edges.

Node ids are IRIs (strings). Node attributes (never None, so every graph exports to GraphML):

* every node: ``label``, ``type`` ("paper", "method", "task", "dataset", "metric", "architecture");
* papers: ``year`` (int) and ``date`` (str) when known;
* entities: ``roles`` — the relations papers link them with, sorted and comma-joined
  (e.g. "proposes,uses"), and ``papers`` — how many papers link to them in this graph.

Edge attributes: ``relation`` (the ontology property's local name: "proposes", "uses",
"evaluatesOn", "comparesWith", "addresses", "mentions", "hasArchitecture") and ``confidence``.

Back again: ``to_rdf(g)`` turns any such graph or subgraph into an rdflib ``Graph`` in the
ontology's terms, ``to_html(g)`` into the self-contained graph view page (``kg.viz``), and
``to_notebook_html(g)`` into an ``<iframe>`` for ``IPython.display.HTML``.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Iterable
from pathlib import Path

import networkx as nx
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.errors import KGError
from kg.model import ENTITY_TYPES
from kg.namespace import CLASS_TYPE, KG, local_name
from kg.namespace import TYPE_CLASS as ENTITY_CLASS
from kg.store import GraphStore
from kg.store.oxigraph_store import PREFIXES
from kg.store.queries import load_query

NODE_TYPES: tuple[str, ...] = ("paper", *ENTITY_TYPES)
RELATIONS: tuple[str, ...] = ("proposes", "uses", "evaluatesOn", "comparesWith", "addresses", "mentions",
                              "hasArchitecture")

# Node type → class: the paper class plus the entity classes of kg.namespace.
TYPE_CLASS: dict[str, URIRef] = {"paper": KG.Paper} | {str(t): c for t, c in ENTITY_CLASS.items()}
_TYPE_NAME: dict[str, str] = {str(KG.Paper): "paper", **CLASS_TYPE}
_RELATION_PROPERTY: dict[str, URIRef] = {name: KG[name] for name in RELATIONS}


class AnalyticsError(KGError):
    """An analytics request that cannot be answered as asked (unknown node type, relation or node)."""

    status = 400
    code = "bad_analytics_request"


def open_store(store: GraphStore | str | Path) -> GraphStore:
    """An open ``GraphStore`` as is, or the served generation of a store directory."""
    return store if isinstance(store, GraphStore) else GraphStore.open(store)


def _check(values: Iterable[str] | None, known: tuple[str, ...], what: str) -> set[str] | None:
    if values is None:
        return None
    chosen = {values} if isinstance(values, str) else set(values)
    unknown = sorted(chosen - set(known))
    if unknown:
        raise AnalyticsError(f"unknown {what} {', '.join(map(repr, unknown))}; choose from {', '.join(known)}")
    return chosen or None


def to_networkx(
    store: GraphStore | str | Path,
    *,
    entity_types: Iterable[str] | None = None,
    relations: Iterable[str] | None = None,
    min_confidence: float = 0.0,
    include_method_architectures: bool = True,
) -> nx.Graph:
    """A networkx ``Graph`` of papers and the entities they link to.

    Args:
        store: an open ``GraphStore`` or a store directory.
        entity_types: keep only these entity types (default: all of ``ENTITY_TYPES``).
        relations: keep only paper–entity links with these relations (``RELATIONS`` names, e.g. "uses",
            "evaluatesOn"); default all.
        min_confidence: drop links below this confidence.
        include_method_architectures: add method → architecture edges (relation "hasArchitecture")
            known from the vocabulary, for methods in the graph.

    Returns:
        An undirected graph; papers without a kept link are not in it.

    Raises:
        AnalyticsError: an unknown entity type or relation.
    """
    gs = open_store(store)
    types = _check(entity_types, ENTITY_TYPES, "entity type")
    rels = _check(relations, RELATIONS, "relation")
    # Three scans joined here: much faster in Oxigraph than one wide join (see analytics_links.rq).
    entities = {sol["entity"].value: (sol["label"].value, _TYPE_NAME[sol["etype"].value])
                for sol in gs.query(load_query("analytics_entities"))}
    papers: dict[str, dict[str, object]] = {}
    for sol in gs.query(load_query("analytics_papers")):
        attrs: dict[str, object] = {"label": sol["title"].value, "type": "paper"}
        year, date = sol["year"], sol["date"]
        if year is not None:
            with contextlib.suppress(ValueError):
                attrs["year"] = int(year.value)
        if date is not None:
            attrs["date"] = date.value
        papers.setdefault(sol["paper"].value, attrs)
    links = []
    for sol in gs.query(load_query("analytics_links")):
        paper, entity = sol["paper"].value, sol["entity"].value
        if paper in papers and entity in entities:
            links.append((paper, entity, local_name(sol["property"].value), float(sol["confidence"].value)))
    links.sort()
    g = nx.Graph()
    roles: dict[str, set[str]] = {}
    for paper, entity, rel, conf in links:
        label, etype = entities[entity]
        if (types and etype not in types) or (rels and rel not in rels) or conf < min_confidence:
            continue
        if paper not in g:
            g.add_node(paper, **papers[paper])
        if entity not in g:
            g.add_node(entity, label=label, type=etype)
        roles.setdefault(entity, set()).add(rel)
        g.add_edge(paper, entity, relation=rel, confidence=conf)
    if include_method_architectures and (types is None or "architecture" in types):
        for row in gs.named("entity_architectures"):
            m, a = str(row["entity"]), str(row["architecture"])
            if m in g:
                if a not in g:
                    g.add_node(a, label=str(row["label"]), type="architecture")
                g.add_edge(m, a, relation="hasArchitecture", confidence=1.0)
    for node, attrs in g.nodes(data=True):
        if attrs["type"] != "paper":
            attrs["roles"] = ",".join(sorted(roles.get(node, ())))
            attrs["papers"] = sum(1 for nb in g[node] if g.nodes[nb]["type"] == "paper")
    return g


def nodes_of_type(g: nx.Graph, *types: str) -> list[str]:
    """Nodes whose ``type`` is one of ``types``, sorted."""
    return sorted(n for n, t in g.nodes(data="type") if t in types)


def find_node(g: nx.Graph, name: str) -> str:
    """The node whose IRI is ``name``, else the one whose label equals it (case-insensitive).

    Raises:
        AnalyticsError: no such node, or several nodes carry that label (their IRIs are listed).
    """
    if name in g:
        return name
    key = name.strip().casefold()
    hits = sorted(n for n, label in g.nodes(data="label") if str(label).casefold() == key)
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise AnalyticsError(f"{len(hits)} nodes are labelled {name!r}; pass one IRI: {', '.join(hits[:5])}")
    raise AnalyticsError(f"no node with IRI or label {name!r} in the graph; try `kg analytics rank` to see labels")


# ---------------------------------------------------------------- back to RDF and to the graph view


def to_rdf(g: nx.Graph) -> Graph:
    """An rdflib ``Graph`` for ``g`` (any subgraph of ``to_networkx`` output) in the ontology's terms.

    Nodes get ``rdf:type`` from their ``type``, papers ``dcterms:title`` and ``kg:year``, entities
    ``rdfs:label``; an edge whose ``relation`` is an ontology property becomes the direct triple
    (paper → entity, or method → architecture). Edges of projections (no such relation) are left out.
    """
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    for node, attrs in g.nodes(data=True):
        s = URIRef(str(node))
        ntype = attrs.get("type")
        if ntype in TYPE_CLASS and ntype != "architecture":  # architecture individuals are typed by subclasses
            out.add((s, RDF.type, TYPE_CLASS[ntype]))
        if "label" in attrs:
            out.add((s, DCTERMS.title if ntype == "paper" else RDFS.label, Literal(str(attrs["label"]))))
        if ntype == "paper" and attrs.get("year") is not None:
            out.add((s, KG.year, Literal(int(attrs["year"]), datatype=XSD.integer)))
    for u, v, attrs in g.edges(data=True):
        prop = _RELATION_PROPERTY.get(str(attrs.get("relation", "")))
        if prop is None:
            continue
        su, sv = str(u), str(v)
        tu, tv = g.nodes[u].get("type"), g.nodes[v].get("type")
        if tv == "paper" or (prop == KG.hasArchitecture and tu == "architecture"):
            su, sv = sv, su
        out.add((URIRef(su), prop, URIRef(sv)))
    return out


def to_html(g: nx.Graph, *, title: str = "kg graph") -> str:
    """The self-contained interactive graph view page for ``g`` (scripts inlined, works offline)."""
    from kg.viz import render_html

    return render_html(g, asset_base=None, title=title)


def to_notebook_html(g: nx.Graph, *, title: str = "kg graph", height: int = 600) -> str:
    """``to_html(g)`` inside an ``<iframe srcdoc>``, for ``IPython.display.HTML`` in a notebook."""
    page = html.escape(to_html(g, title=title), quote=True)
    return (f'<iframe srcdoc="{page}" style="width: 100%; height: {int(height)}px; border: 1px solid #ddd" '
            f'sandbox="allow-scripts"></iframe>')
