"""Store → what the graph view draws and shows: bounded networkx views, search hits and node details.

Every function reads the store through named, parameter-bound queries (``kg/store/queries/graph_*.rq`` and
``api_*.rq``) and stays bounded: no function walks the whole graph, so a 75k-paper store answers as fast as the
bundled one. Views are ``networkx.Graph`` objects whose node attributes are ``label``, ``type`` ("paper",
"method", "task", "dataset", "metric", "architecture", or "other" for IRIs of CONSTRUCT results), ``degree``
(papers of an entity, links of a paper), ``families`` (architecture family labels) and ``year``; edge attributes
are ``relation`` (the property's local name) and ``confidence``. ``g.graph`` carries ``focus``, ``total`` and
``shown`` where a view was cut.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import networkx as nx
import pyoxigraph as ox
from rdflib import Literal, URIRef

from kg.errors import KGError, QueryError, QueryRefused
from kg.namespace import KG
from kg.store import GraphStore, load_query
from kg.store.guard import check_allowed, is_update, query_form

TYPE_NAME: dict[str, str] = {
    str(KG.Paper): "paper",
    str(KG.Method): "method",
    str(KG.Task): "task",
    str(KG.Dataset): "dataset",
    str(KG.Metric): "metric",
    str(KG.Architecture): "architecture",
}
# Relations in the order the details panel groups them.
ROLE_ORDER = ("proposes", "uses", "addresses", "evaluatesOn", "comparesWith", "hasArchitecture", "mentions")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL_PROPS = {"http://www.w3.org/2000/01/rdf-schema#label", "http://purl.org/dc/terms/title"}
LINK_SCAN_CAP = 2000  # most links of one entity read to choose the ones drawn or listed
MAX_LABEL_LOOKUPS = 2000  # CONSTRUCT views look up labels/types of at most this many nodes


class NodeNotFound(KGError):
    """The IRI is not a paper or entity of the graph."""

    status = 404
    code = "not_found"


def local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _rows(store: GraphStore, name: str, limit: int | None = None, **bindings: Any) -> Iterator[dict[str, Any]]:
    """Rows of a named query as plain Python values, read lazily (``limit`` stops reading early)."""
    res = store.query(load_query(name), {k: v if isinstance(v, URIRef | Literal) else Literal(v)
                                         for k, v in bindings.items()})
    names = [v.value for v in res.variables]
    for sol in islice(res, limit):
        yield {n: (None if sol[n] is None else _py(sol[n])) for n in names}


def _values(store: GraphStore, name: str) -> Iterator[tuple[str, ...]]:
    """Rows of an unparameterised named query as tuples of lexical values (fast path for bulk loads)."""
    for sol in store.query(load_query(name)):
        yield tuple(t.value for t in sol)


def _py(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Any:
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt.endswith("#integer"):
            return int(term.value)
        if dt.endswith("#decimal") or dt.endswith("#double") or dt.endswith("#float"):
            return float(term.value)
        return term.value
    return term.value


# ---------------------------------------------------------------- per-store caches
class _PerStore:
    """One value per open store (a new generation is a new store object), built once under a lock."""

    def __init__(self, build: Any) -> None:
        self.build = build
        self.values: weakref.WeakKeyDictionary[GraphStore, Any] = weakref.WeakKeyDictionary()
        self.lock = threading.Lock()

    def ready(self, store: GraphStore) -> bool:
        return store in self.values

    def __call__(self, store: GraphStore) -> Any:
        with self.lock:
            if store not in self.values:
                self.values[store] = self.build(store)
            return self.values[store]


def _build_families(store: GraphStore) -> dict[str, list[str]]:
    acc: dict[str, set[str]] = {}
    for row in _rows(store, "graph_entity_families"):
        acc.setdefault(row["node"], set()).add(row["flabel"])
    return {k: sorted(v) for k, v in acc.items()}


families = _PerStore(_build_families)
families.__doc__ = "IRI → sorted architecture family labels, for architectures, methods and papers that have one."
class_types = _PerStore(lambda store: {r["cls"]: _type(r["etype"]) for r in _rows(store, "graph_class_types")})
_info_cache = _PerStore(lambda store: {})
INFO_CACHE_MAX = 200_000


def family_names(store: GraphStore) -> list[str]:
    return sorted({f for fs in families(store).values() for f in fs})


def node_info(store: GraphStore, iri: str) -> dict[str, Any] | None:
    """``{type, label, n, year, comment}`` of a paper or entity (cached per store), or None for other IRIs."""
    cache = _info_cache(store)
    if iri in cache:
        return cache[iri]
    kinds = class_types(store)
    info = None
    for row in _rows(store, "graph_node_info", None, node=URIRef(iri)):
        ntype = kinds.get(row["cls"])
        if ntype is None:
            continue
        label = row["title"] if ntype == "paper" and row["title"] else row["label"] or row["title"]
        info = {"type": ntype, "label": label or local_name(iri), "n": row["n"], "year": row["year"],
                "comment": row["comment"]}
        break
    if len(cache) >= INFO_CACHE_MAX:
        cache.clear()
    cache[iri] = info
    return info


# ---------------------------------------------------------------- building views
def _type(iri: str | None) -> str:
    return TYPE_NAME.get(iri or "", "other")


def _add_node(g: nx.Graph, store: GraphStore, iri: str, degree: int | None = None) -> bool:
    """Add a paper or entity node with its attributes; False (nothing added) for other IRIs."""
    if iri in g:
        if degree is not None:
            g.nodes[iri]["degree"] = degree
        return True
    info = node_info(store, iri)
    if info is None:
        return False
    attrs: dict[str, Any] = {"label": info["label"], "type": info["type"],
                             "degree": degree if degree is not None else (info["n"] or 0),
                             "families": families(store).get(iri, [])}
    if info["year"] is not None:
        attrs["year"] = info["year"]
    g.add_node(iri, **attrs)
    return True


def node_kind(store: GraphStore, iri: str) -> tuple[str, str] | None:
    """("paper" | entity type, label) of ``iri``, or None when it is no paper or entity."""
    info = node_info(store, iri)
    return (info["type"], info["label"]) if info else None


def _paper_links(store: GraphStore, paper: str) -> list[dict[str, Any]]:
    """A paper's links with entity info, ordered by role, confidence and label."""
    out = []
    for row in _rows(store, "api_paper_links", paper=URIRef(paper)):
        info = node_info(store, row["entity"])
        if info is not None and info["type"] != "paper":
            out.append({**row, "relation": local_name(row["property"]), **info})
    rank = {r: i for i, r in enumerate(ROLE_ORDER)}
    return sorted(out, key=lambda r: (rank.get(r["relation"], 99), -r["confidence"], r["label"].lower()))


def _entity_papers(store: GraphStore, entity: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    """An entity's ``limit`` most confident links (newest first among those) with paper info, and its link count.

    At most ``LINK_SCAN_CAP`` links are read (in index order), so a hub with 17k papers costs the same as one with
    2k; its count then comes from the materialised ``kg:paperCount``. Only the kept links are looked up.
    """
    links = list(_rows(store, "graph_entity_papers", max(LINK_SCAN_CAP, limit), entity=URIRef(entity)))
    total = len(links)
    if total >= max(LINK_SCAN_CAP, limit):
        info = node_info(store, entity)
        total = max(total, (info or {}).get("n") or 0)
    links.sort(key=lambda r: (-r["confidence"], r["paper"]))
    out = []
    for row in links[:limit]:
        info = node_info(store, row["paper"])
        if info is not None and info["type"] == "paper":
            out.append({**row, "relation": local_name(row["property"]), **info})
    out.sort(key=lambda r: (-r["confidence"], -(r["year"] or 0), r["paper"]))
    return out, total


def _link_count(store: GraphStore, paper: str) -> int:
    return sum(1 for _ in _rows(store, "api_paper_links", paper=URIRef(paper)))


def _add_paper_links(g: nx.Graph, store: GraphStore, paper: str, only_drawn: bool) -> int:
    """Edges from ``paper`` to its entities (to drawn ones only if ``only_drawn``); returns its link count."""
    if not only_drawn:
        links = _paper_links(store, paper)
        for row in links:
            if _add_node(g, store, row["entity"]):
                g.add_edge(paper, row["entity"], relation=row["relation"], confidence=row["confidence"])
        return len(links)
    n = 0
    for row in _rows(store, "api_paper_links", paper=URIRef(paper)):
        n += 1
        if row["entity"] in g and g.nodes[row["entity"]]["type"] != "paper":
            g.add_edge(paper, row["entity"], relation=local_name(row["property"]), confidence=row["confidence"])
    return n


def _architecture_neighbours(store: GraphStore, node: str) -> list[str]:
    """Method → its architectures; architecture → the methods built on it."""
    out = [r["other"] for r in _rows(store, "graph_architectures_of", node=URIRef(node))]
    return out + [r["other"] for r in _rows(store, "graph_architecture_users", node=URIRef(node))]


def _add_architecture_edges(g: nx.Graph, store: GraphStore, node: str, only_drawn: bool, limit: int | None) -> int:
    added = 0
    for other in _architecture_neighbours(store, node)[:limit]:
        if only_drawn and other not in g:
            continue
        if _add_node(g, store, other):
            added += not g.has_edge(node, other)
            g.add_edge(node, other, relation="hasArchitecture", confidence=1.0)
    return added


def _build_first_view(store: GraphStore, max_nodes: int) -> nx.Graph:
    g = nx.Graph(view="overview")
    want = max(1, min(max_nodes // 4, 250))
    entities: list[str] = []
    ranked = sorted(_rows(store, "graph_top_entities"), key=lambda r: (-r["n"], r["entity"]))
    for row in ranked:
        if len(entities) >= want:
            break
        info = node_info(store, row["entity"])
        if info is not None and info["type"] != "paper" and _add_node(g, store, row["entity"]):
            entities.append(row["entity"])
    budget = max_nodes - g.number_of_nodes()
    if entities and budget > 0:
        per_entity = max(1, -(-budget // len(entities)))
        # The first links in index order: a deterministic sample that costs per_entity rows per entity.
        queues = [[r["paper"] for r in _rows(store, "graph_entity_papers", per_entity + 2, entity=URIRef(e))]
                  for e in entities]
        picked: list[str] = []
        for rank in range(per_entity + 2):
            for q in queues:
                if len(picked) < budget and rank < len(q) and q[rank] not in g and _add_node(g, store, q[rank]):
                    picked.append(q[rank])
        for paper in picked:
            g.nodes[paper]["degree"] = _add_paper_links(g, store, paper, only_drawn=True)
    for e in entities:
        if g.nodes[e]["type"] in ("method", "architecture"):
            _add_architecture_edges(g, store, e, only_drawn=True, limit=None)
    g.graph["total"] = g.number_of_nodes()
    return g


_first_views = _PerStore(lambda store: {})


def first_view(store: GraphStore, max_nodes: int) -> nx.Graph:
    """The bounded overview: the most-linked entities and, for each, some of its papers, with the edges among them.

    At most ``max_nodes`` nodes; about a quarter are entities (ranked by the materialised ``kg:paperCount``),
    the rest papers taken round-robin from those entities. Built once per store and size, then served from
    memory. Clicking a node expands it from the JSON API.
    """
    views = _first_views(store)
    if max_nodes not in views:
        if len(views) > 8:
            views.clear()
        views[max_nodes] = _build_first_view(store, max(1, max_nodes))
    return views[max_nodes]


def neighbourhood(store: GraphStore, iri: str, limit: int = 200) -> nx.Graph:
    """``iri`` and its neighbours: a paper's entities, or an entity's best ``limit`` papers and architecture edges.

    Raises ``NodeNotFound`` when ``iri`` is no paper or entity. ``g.graph["total"]`` is the number of neighbours
    the node has, ``g.graph["shown"]`` how many are drawn.
    """
    g = nx.Graph(view="focus", focus=iri)
    if not _add_node(g, store, iri):
        raise NodeNotFound(f"no paper or entity {iri!r} in the graph: search for it with /api/search?q=…")
    if g.nodes[iri]["type"] == "paper":
        g.nodes[iri]["degree"] = total = _add_paper_links(g, store, iri, only_drawn=False)
    else:
        papers, total = _entity_papers(store, iri, limit)
        for row in papers:
            if _add_node(g, store, row["paper"], _link_count(store, row["paper"])):
                g.add_edge(iri, row["paper"], relation=row["relation"], confidence=row["confidence"])
        total += _add_architecture_edges(g, store, iri, only_drawn=False, limit=limit)
    g.graph.update(total=total, shown=g.number_of_nodes() - 1)
    return g


# ---------------------------------------------------------------- CONSTRUCT views
def check_construct(query: str) -> None:
    """Accept only a SPARQL CONSTRUCT without SERVICE; else ``QueryRefused``/``QueryError`` saying what to send."""
    check_allowed(query)
    form = query_form(query)
    if not form and is_update(query):
        raise QueryRefused("the graph view draws CONSTRUCT queries only, not updates")
    if not form:
        raise QueryError("not a SPARQL query: send a CONSTRUCT { … } WHERE { … } query")
    if form != "CONSTRUCT":
        raise QueryRefused(f"the graph view draws CONSTRUCT queries only, not {form}: "
                           "write CONSTRUCT { ?s ?p ?o } WHERE { … } to choose the triples to draw")


def construct_view(store: GraphStore, query: str, max_nodes: int = 5000) -> nx.Graph:
    """The graph a CONSTRUCT query builds: IRIs and blank nodes are nodes, resource-to-resource triples edges.

    ``rdf:type``, ``rdfs:label`` and ``dcterms:title`` triples of the result name and type nodes; other nodes
    are looked up in the store (at most ``MAX_LABEL_LOOKUPS``). Stops at ``max_nodes`` nodes.
    """
    check_construct(query)
    result = store.query(query)
    if not isinstance(result, ox.QueryTriples):
        raise QueryRefused("the graph view draws CONSTRUCT queries only")
    g = nx.Graph(view="construct")
    labels: dict[str, str] = {}
    types: dict[str, str] = {}
    cut = False
    for t in result:
        s, p, o = t.subject, t.predicate.value, t.object
        sid = s.value if isinstance(s, ox.NamedNode) else "_:" + s.value
        if isinstance(o, ox.Literal):
            if p in LABEL_PROPS:
                labels.setdefault(sid, o.value)
            if sid not in g and g.number_of_nodes() < max_nodes:
                g.add_node(sid)
            continue
        oid = o.value if isinstance(o, ox.NamedNode) else "_:" + o.value
        if p == RDF_TYPE and o.value in TYPE_NAME:
            types[sid] = TYPE_NAME[o.value]
            if sid not in g and g.number_of_nodes() < max_nodes:
                g.add_node(sid)
            continue
        if g.number_of_nodes() + (sid not in g) + (oid not in g) > max_nodes:
            cut = True
            continue
        g.add_edge(sid, oid, relation=local_name(p), confidence=1.0)
    fams = families(store)
    for n, node in enumerate(list(g.nodes)):
        kind = None
        if (node not in labels or node not in types) and n < MAX_LABEL_LOOKUPS and not node.startswith("_:"):
            kind = node_kind(store, node)
        g.nodes[node].update(label=labels.get(node) or (kind[1] if kind else local_name(node)),
                             type=types.get(node) or (kind[0] if kind else "other"),
                             degree=g.degree(node), families=fams.get(node, []))
    g.graph.update(total=g.number_of_nodes(), cut=cut)
    return g


# ---------------------------------------------------------------- search and details
class SearchIndex:
    """Lower-cased titles, labels and aliases of one store, scanned in memory (loaded once: three plain scans).

    A substring scan over ~100k short strings takes milliseconds, where a SPARQL ``CONTAINS`` filter over the
    same texts takes seconds on a 75k-paper graph; user text never reaches a query either way.
    """

    def __init__(self, store: GraphStore) -> None:
        kinds = {node: _type(cls) for node, cls in _values(store, "graph_entity_types")}
        self.counts = {node: int(n) for node, n in _values(store, "graph_paper_counts")}
        self.labels: dict[str, str] = {}
        entries: list[tuple[str, str, str, str]] = []  # (lowered text, text, iri, type)
        for node, text, kind in _values(store, "graph_search_texts"):
            ntype = "paper" if kind == "title" else kinds.get(node)
            if ntype is None:
                continue
            if kind != "alias":
                self.labels.setdefault(node, text)
            entries.append((text.lower(), text, node, ntype))
        self.entries = entries

    def search(self, q: str, limit: int = 20) -> list[dict[str, Any]]:
        needle = " ".join(q.lower().split())
        if len(needle) < 2:
            return []
        best: dict[str, tuple[tuple, dict[str, Any]]] = {}
        for low, text, iri, ntype in self.entries:
            if needle not in low:
                continue
            rank = 0 if low == needle else 1 if low.startswith(needle) else 2
            papers = self.counts.get(iri)
            label = self.labels.get(iri, text)
            key = (rank, -(papers or 0), len(label), iri)
            if iri not in best or key < best[iri][0]:
                best[iri] = (key, {"iri": iri, "label": label, "type": ntype, "matched": text, "papers": papers})
        return [hit for _, hit in sorted(best.values(), key=lambda kv: kv[0])[:limit]]


search_index = _PerStore(SearchIndex)


def search(store: GraphStore, q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Papers (title) and entities (label or alias) containing ``q`` (case-insensitive), best matches first:
    exact, then prefix, then anywhere; ties by number of papers, then shorter label."""
    return search_index(store).search(q, limit)


def highlight_segments(text: str, spans: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cut ``text`` into plain and highlighted segments from mention spans ``{start, end, ...}``.

    Spans out of range or overlapping an earlier (longer-first) span are dropped; every other key of a span is
    copied onto its segment. The segments' texts concatenate to ``text``.
    """
    chosen: list[dict[str, Any]] = []
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        start, end = int(span["start"]), int(span["end"])
        if not 0 <= start < end <= len(text) or (chosen and start < chosen[-1]["end"]):
            continue
        chosen.append({**span, "start": start, "end": end})
    out: list[dict[str, Any]] = []
    pos = 0
    for span in chosen:
        if span["start"] > pos:
            out.append({"text": text[pos:span["start"]]})
        extra = {k: v for k, v in span.items() if k not in ("start", "end", "text")}
        out.append({"text": text[span["start"]:span["end"]], "highlight": True, **extra})
        pos = span["end"]
    if pos < len(text):
        out.append({"text": text[pos:]})
    return out


def node_details(store: GraphStore, iri: str, max_papers: int = 50) -> dict[str, Any]:
    """What the details panel shows.

    Paper: title and abstract as highlighted segments (evidence spans), year, url, authors, and its entities
    grouped by role. Entity: label, type, aliases, number of papers, its best ``max_papers`` papers, families.
    """
    info = node_info(store, iri)
    if info is None:
        raise NodeNotFound(f"no paper or entity {iri!r} in the graph: search for it with /api/search?q=…")
    if info["type"] == "paper":
        meta = next(_rows(store, "api_paper", 1, paper=URIRef(iri)), {})
        links = _paper_links(store, iri)
        by_entity = {row["entity"]: row for row in links}
        spans: dict[str, list[dict[str, Any]]] = {"title": [], "abstract": []}
        for m in _rows(store, "api_paper_mentions", paper=URIRef(iri)):
            ent = by_entity.get(m["entity"]) or node_info(store, m["entity"]) or {}
            spans.setdefault(m["field"], []).append({
                "start": m["start"], "end": m["end"], "entity": m["entity"], "role": local_name(m["property"]),
                "type": ent.get("type", "other"), "label": ent.get("label", local_name(m["entity"]))})
        roles: dict[str, list[dict[str, Any]]] = {}
        for row in links:
            roles.setdefault(row["relation"], []).append({
                "iri": row["entity"], "label": row["label"], "type": row["type"],
                "confidence": row["confidence"], "papers": row["n"]})
        title = meta.get("title") or info["label"]
        abstract = meta.get("abstract") or ""
        return {
            "iri": iri, "type": "paper", "label": title, "title": title, "abstract": abstract,
            "year": meta.get("year"), "url": meta.get("url"), "identifier": meta.get("identifier"),
            "authors": [r["name"] for r in _rows(store, "api_paper_authors", paper=URIRef(iri))],
            "title_segments": highlight_segments(title, spans.get("title", [])),
            "abstract_segments": highlight_segments(abstract, spans.get("abstract", [])),
            "roles": roles, "families": families(store).get(iri, []),
        }
    links, total = _entity_papers(store, iri, max_papers)
    papers = [{"iri": r["paper"], "title": r["label"], "year": r["year"], "role": r["relation"],
               "confidence": r["confidence"]} for r in links]
    related = []
    for other in _architecture_neighbours(store, iri)[:100]:
        o = node_info(store, other)
        if o is not None:
            related.append({"iri": other, "label": o["label"], "type": o["type"]})
    return {
        "iri": iri, "type": info["type"], "label": info["label"], "comment": info["comment"],
        "aliases": [r["alias"] for r in _rows(store, "api_entity_aliases", entity=URIRef(iri))],
        "paper_count": info["n"] if info["n"] is not None else total,
        "papers": papers, "papers_shown": len(papers), "papers_total": total, "related": related,
        "families": families(store).get(iri, []),
    }


def view_summary(g: nx.Graph) -> dict[str, Any]:
    """Counts shown in the page header: nodes, edges, and how much of a neighbourhood is drawn."""
    return {"nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
            **{k: v for k, v in g.graph.items() if k in ("view", "focus", "total", "shown", "cut")}}


__all__ = [
    "NodeNotFound", "ROLE_ORDER", "TYPE_NAME", "check_construct", "construct_view", "families", "family_names",
    "first_view", "highlight_segments", "neighbourhood", "node_details", "node_info", "node_kind", "search",
    "search_index", "view_summary",
]
