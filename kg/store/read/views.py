"""Bounded ``networkx`` views of the graph: the overview, a node's neighbourhood, the graph a CONSTRUCT builds.

In: a ``GraphReader`` (store + that generation's caches). Out: ``networkx.Graph`` objects whose node attributes are
``label``, ``type`` ("paper", "method", "task", "dataset", "metric", "architecture", or "other" for IRIs of
CONSTRUCT results), ``degree`` (papers of an entity, links of a paper), ``families`` (architecture family labels)
and ``year``; edge attributes are ``relation`` (the property's local name) and ``confidence``. ``g.graph`` carries
``view``, and ``focus``, ``total``, ``shown`` or ``cut`` where a view was cut. No function walks the whole graph,
so a 75k-paper store answers as fast as the bundled one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import networkx as nx
import pyoxigraph as ox
from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import DCTERMS

from kg.errors import QueryError, QueryRefused
from kg.namespace import KG, local_name
from kg.store.guard import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, check_allowed, is_update, query_form
from kg.store.oxigraph_store import GraphStore
from kg.store.read.base import TYPE_NAME, not_found, rows
from kg.store.read.links import (
    LINK_SCAN_CAP,
    ROLE_ORDER,
    architecture_neighbours,
    entity_papers,
    paper_entity_links,
    paper_links,
)

if TYPE_CHECKING:
    from kg.store.read.reader import GraphReader

RDF_TYPE = str(RDF.type)
LABEL_PROPS = {str(RDFS.label), str(DCTERMS.title)}
MAX_LABEL_LOOKUPS = 2000  # CONSTRUCT views look up labels/types of at most this many nodes


def add_node(g: nx.Graph, reader: GraphReader, iri: str, degree: int | None = None) -> bool:
    """Add a paper or entity node with its attributes; False (nothing added) for other IRIs."""
    if iri in g:
        if degree is not None:
            g.nodes[iri]["degree"] = degree
        return True
    info = reader.node_info(iri)
    if info is None:
        return False
    attrs: dict[str, Any] = {"label": info["label"], "type": info["type"],
                             "degree": degree if degree is not None else (info["n"] or 0),
                             "families": reader.families().get(iri, [])}
    if info["year"] is not None:
        attrs["year"] = info["year"]
    g.add_node(iri, **attrs)
    return True


def _add_paper_links(g: nx.Graph, reader: GraphReader, paper: str, only_drawn: bool) -> int:
    """Edges from ``paper`` to its entities (to drawn ones only if ``only_drawn``); returns its link count."""
    if not only_drawn:
        links = paper_links(reader, paper)
        for row in links:
            if add_node(g, reader, row["entity"]):
                g.add_edge(paper, row["entity"], relation=row["relation"], confidence=row["confidence"])
        return len(links)
    n = 0
    for row in rows(reader.store, "api_paper_links", paper=URIRef(paper)):
        n += 1
        if row["entity"] in g and g.nodes[row["entity"]]["type"] != "paper":
            g.add_edge(paper, row["entity"], relation=local_name(row["property"]), confidence=row["confidence"])
    return n


def _add_architecture_edges(g: nx.Graph, reader: GraphReader, node: str, only_drawn: bool,
                            limit: int | None) -> int:
    added = 0
    for other in architecture_neighbours(reader, node)[:limit]:
        if only_drawn and other not in g:
            continue
        if add_node(g, reader, other):
            added += not g.has_edge(node, other)
            g.add_edge(node, other, relation="hasArchitecture", confidence=1.0)
    return added


def first_view(reader: GraphReader, max_nodes: int) -> nx.Graph:
    """The bounded overview: the most-linked entities and, for each, some of its papers, with the edges among them.

    At most ``max_nodes`` nodes; about a quarter are entities (ranked by the materialised ``kg:paperCount``),
    the rest papers taken round-robin from those entities. Clicking a node expands it from the JSON API.
    """
    g = nx.Graph(view="overview")
    want = max(1, min(max_nodes // 4, 250))
    entities: list[str] = []
    ranked = sorted(rows(reader.store, "graph_top_entities"), key=lambda r: (-r["n"], r["entity"]))
    for row in ranked:
        if len(entities) >= want:
            break
        info = reader.node_info(row["entity"])
        if info is not None and info["type"] != "paper" and add_node(g, reader, row["entity"]):
            entities.append(row["entity"])
    budget = max_nodes - g.number_of_nodes()
    if entities and budget > 0:
        per_entity = max(1, -(-budget // len(entities)))
        # The first links in index order: a deterministic sample that costs per_entity rows per entity.
        queues = [[r["paper"] for r in rows(reader.store, "graph_entity_papers", per_entity + 2, entity=URIRef(e))]
                  for e in entities]
        picked: list[str] = []
        for rank in range(per_entity + 2):
            for q in queues:
                if len(picked) < budget and rank < len(q) and q[rank] not in g and add_node(g, reader, q[rank]):
                    picked.append(q[rank])
        for paper in picked:
            g.nodes[paper]["degree"] = _add_paper_links(g, reader, paper, only_drawn=True)
    for e in entities:
        if g.nodes[e]["type"] in ("method", "architecture"):
            _add_architecture_edges(g, reader, e, only_drawn=True, limit=None)
    g.graph["total"] = g.number_of_nodes()
    return g


def neighbourhood(reader: GraphReader, iri: str, limit: int = 200, offset: int = 0) -> nx.Graph:
    """``iri`` and one page of its neighbours: a paper's entities, or an entity's best papers (most confident
    first) then its architecture edges; ``limit`` of them from ``offset`` on.

    Raises ``NodeNotFound`` when ``iri`` is no paper or entity. ``g.graph["total"]`` is the number of neighbours
    the node has, ``g.graph["shown"]`` how many this page draws, and ``g.graph["links"]`` the other links of the
    papers drawn (``(paper, entity, relation)``), so a page can join them to entities it already shows.
    """
    g = nx.Graph(view="focus", focus=iri, offset=offset)
    if not add_node(g, reader, iri):
        raise not_found(iri)
    links: list[tuple[str, str, str]] = []
    if g.nodes[iri]["type"] == "paper":
        rows_ = paper_links(reader, iri)
        g.nodes[iri]["degree"] = total = len(rows_)
        for row in rows_[offset:offset + limit]:
            if add_node(g, reader, row["entity"]):
                g.add_edge(iri, row["entity"], relation=row["relation"], confidence=row["confidence"])
    else:
        papers, n_papers = entity_papers(reader, iri, limit, offset)
        for row in papers:
            own = paper_entity_links(reader, row["paper"])
            if add_node(g, reader, row["paper"], len(own)):
                g.add_edge(iri, row["paper"], relation=row["relation"], confidence=row["confidence"])
                links.extend((row["paper"], o["entity"], o["relation"]) for o in own if o["entity"] != iri)
        arch = architecture_neighbours(reader, iri)
        total = n_papers + len(arch)
        start = max(0, offset - n_papers)  # architecture edges come after the papers, page by page
        room = limit - len(papers)
        for other in arch[start:start + room] if room > 0 else []:
            if add_node(g, reader, other):
                g.add_edge(iri, other, relation="hasArchitecture", confidence=1.0)
    g.graph.update(total=total, shown=g.number_of_nodes() - 1, links=links)
    return g


PAPER_ROLES = tuple(ox.NamedNode(str(KG[r])) for r in ROLE_ORDER)  # paper → entity properties


def entity_sample(reader: GraphReader, types: set[str] | None, n_entities: int,
                  papers_per_entity: int = LINK_SCAN_CAP) -> nx.Graph:
    """A bounded paper–entity graph for projections: the ``n_entities`` entities of ``types`` (None: all) with most
    papers and their links to papers (at most ``papers_per_entity`` each, in index order: deterministic, and a hub
    with 17k papers costs what one with 2k does). Two chosen entities share a paper exactly when both link to it,
    so co-occurrence counts are exact below the cap. Papers carry only ``type``; entities their full attributes.

    Links are read straight from the store's indexes (the paper → entity triples of each role, no SPARQL): a few
    microseconds each, where a named query per entity or per paper costs a millisecond.
    """
    g = nx.Graph(view="sample")
    ranked = sorted(rows(reader.store, "graph_top_entities"), key=lambda r: (-r["n"], r["entity"]))
    chosen: list[str] = []
    for row in ranked:
        if len(chosen) >= n_entities:
            break
        info = reader.node_info(row["entity"])
        if info is None or info["type"] == "paper" or (types is not None and info["type"] not in types):
            continue
        if add_node(g, reader, row["entity"]):
            chosen.append(row["entity"])
    quads = reader.store.ox.quads_for_pattern
    for e in chosen:
        node, taken = ox.NamedNode(e), 0
        for prop in PAPER_ROLES:  # one index range per role: the links' own rdf:object triples are never scanned
            rel = local_name(prop.value)
            for q in quads(None, prop, node):
                if taken >= papers_per_entity:
                    break
                if not isinstance(q.subject, ox.NamedNode):
                    continue
                paper = q.subject.value
                if paper not in g:
                    g.add_node(paper, type="paper", label=paper)
                elif g.nodes[paper].get("type") != "paper":
                    continue
                g.add_edge(paper, e, relation=rel)
                taken += 1
    g.graph["entities"] = chosen
    return g


def architecture_edges(reader: GraphReader, nodes: list[str]) -> list[tuple[str, str]]:
    """(method, architecture) pairs among ``nodes`` (``kg:hasArchitecture``)."""
    wanted = set(nodes)
    out: list[tuple[str, str]] = []
    for n in nodes:
        if (reader.node_info(n) or {}).get("type") == "method":
            out.extend((n, other) for other in architecture_neighbours(reader, n) if other in wanted)
    return out


def check_construct(query: str, max_bytes: int = DEFAULT_MAX_BYTES, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
    """Accept only a SPARQL CONSTRUCT without SERVICE (within ``check_allowed``'s limits); else
    ``QueryRefused``/``QueryError`` saying what to send."""
    check_allowed(query, max_bytes=max_bytes, max_depth=max_depth)
    form = query_form(query)
    if not form and is_update(query):
        raise QueryRefused("the graph view draws CONSTRUCT queries only, not updates")
    if not form:
        raise QueryError("not a SPARQL query: send a CONSTRUCT { … } WHERE { … } query")
    if form != "CONSTRUCT":
        raise QueryRefused(f"the graph view draws CONSTRUCT queries only, not {form}: "
                           "write CONSTRUCT { ?s ?p ?o } WHERE { … } to choose the triples to draw")


ConstructTriple = tuple[str, str, str, bool]  # (subject id, predicate IRI, object id or literal text, is literal)
TRIPLES_PER_NODE = 20  # a CONSTRUCT view reads at most this many triples per node it may draw


def construct_triples(store: GraphStore, query: str, max_nodes: int) -> tuple[list[ConstructTriple], bool]:
    """The triples of a CONSTRUCT as plain values (picklable: a worker process reads them), and whether reading
    stopped early: once more than ``max_nodes`` resources were seen, or ``TRIPLES_PER_NODE × max_nodes`` triples
    were read, the rest of the result is never pulled from the engine."""
    check_construct(query)
    result = store.query(query)
    if not isinstance(result, ox.QueryTriples):
        raise QueryRefused("the graph view draws CONSTRUCT queries only")
    out: list[ConstructTriple] = []
    seen: set[str] = set()
    most = TRIPLES_PER_NODE * max(1, max_nodes)
    for t in result:
        if len(out) >= most or len(seen) > max_nodes:
            return out, True
        s, o = t.subject, t.object
        sid = s.value if isinstance(s, ox.NamedNode) else "_:" + str(getattr(s, "value", s))
        seen.add(sid)
        if isinstance(o, ox.Literal):
            out.append((sid, t.predicate.value, o.value, True))
            continue
        oid = o.value if isinstance(o, ox.NamedNode) else "_:" + str(getattr(o, "value", o))
        if t.predicate.value != RDF_TYPE:
            seen.add(oid)
        out.append((sid, t.predicate.value, oid, False))
    return out, False


def construct_view(reader: GraphReader, query: str, max_nodes: int = 5000,
                   triples: tuple[list[ConstructTriple], bool] | None = None) -> nx.Graph:
    """The graph a CONSTRUCT query builds: IRIs and blank nodes are nodes, resource-to-resource triples edges.

    ``rdf:type``, ``rdfs:label`` and ``dcterms:title`` triples of the result name and type nodes; other nodes
    are looked up in the store (at most ``MAX_LABEL_LOOKUPS``). Stops at ``max_nodes`` nodes. ``triples``: what
    ``construct_triples`` read already (the server runs it in a worker process under the query budget).
    """
    rows_read, cut = triples if triples is not None else construct_triples(reader.store, query, max_nodes)
    g = nx.Graph(view="construct")
    labels: dict[str, str] = {}
    types: dict[str, str] = {}
    for sid, p, obj, literal in rows_read:
        if literal:
            if p in LABEL_PROPS:
                labels.setdefault(sid, obj)
            if sid not in g and g.number_of_nodes() < max_nodes:
                g.add_node(sid)
            continue
        if p == RDF_TYPE and obj in TYPE_NAME:
            types[sid] = TYPE_NAME[obj]
            if sid not in g and g.number_of_nodes() < max_nodes:
                g.add_node(sid)
            continue
        if g.number_of_nodes() + (sid not in g) + (obj not in g) > max_nodes:
            cut = True
            continue
        g.add_edge(sid, obj, relation=local_name(p), confidence=1.0)
    fams = reader.families()
    for n, node in enumerate(list(g.nodes)):
        kind = None
        if (node not in labels or node not in types) and n < MAX_LABEL_LOOKUPS and not node.startswith("_:"):
            kind = reader.node_kind(node)
        g.nodes[node].update(label=labels.get(node) or (kind[1] if kind else local_name(node)),
                             type=types.get(node) or (kind[0] if kind else "other"),
                             degree=g.degree(node), families=fams.get(node, []))
    g.graph.update(total=g.number_of_nodes(), cut=cut)
    return g


def view_summary(g: nx.Graph) -> dict[str, Any]:
    """Counts shown in the page header: nodes, edges, and how much of a neighbourhood is drawn."""
    return {"nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
            **{k: v for k, v in g.graph.items() if k in ("view", "focus", "total", "shown", "cut", "offset", "note")}}
