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

import re
import threading
import weakref
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import networkx as nx
import pyoxigraph as ox
from rdflib import Literal, URIRef

from kg.errors import KGError, QueryError, QueryRefused
from kg.mapping.namespace import KG
from kg.store import GraphStore, load_query

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


def _py(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Any:
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt.endswith("#integer"):
            return int(term.value)
        if dt.endswith("#decimal") or dt.endswith("#double") or dt.endswith("#float"):
            return float(term.value)
        return term.value
    return term.value


# ---------------------------------------------------------------- architecture families (cached per store)
_families: weakref.WeakKeyDictionary[GraphStore, dict[str, list[str]]] = weakref.WeakKeyDictionary()
_families_lock = threading.Lock()


def families(store: GraphStore) -> dict[str, list[str]]:
    """IRI → sorted architecture family labels, for architectures, methods and papers that have one."""
    with _families_lock:
        found = _families.get(store)
        if found is None:
            acc: dict[str, set[str]] = {}
            for row in _rows(store, "graph_entity_families"):
                acc.setdefault(row["node"], set()).add(row["flabel"])
            found = _families[store] = {k: sorted(v) for k, v in acc.items()}
        return found


def family_names(store: GraphStore) -> list[str]:
    return sorted({f for fs in families(store).values() for f in fs})


# ---------------------------------------------------------------- building views
def _add_node(g: nx.Graph, store: GraphStore, iri: str, ntype: str, label: str, degree: int | None = None,
              year: int | None = None) -> None:
    if iri in g:
        if degree is not None and not g.nodes[iri].get("degree"):
            g.nodes[iri]["degree"] = degree
        return
    attrs: dict[str, Any] = {"label": label, "type": ntype, "degree": degree or 0,
                             "families": families(store).get(iri, [])}
    if year is not None:
        attrs["year"] = year
    g.add_node(iri, **attrs)


def _type(iri: str | None) -> str:
    return TYPE_NAME.get(iri or "", "other")


def node_kind(store: GraphStore, iri: str) -> tuple[str, str] | None:
    """("paper" | entity type, label) of ``iri``, or None when it is no paper or entity."""
    for row in _rows(store, "graph_node_kind", 1, node=URIRef(iri)):
        return _type(row["etype"]), row["label"] or local_name(iri)
    return None


def _paper_links(store: GraphStore, paper: str) -> list[dict[str, Any]]:
    return list(_rows(store, "api_paper_links", paper=URIRef(paper)))


def _add_paper_links(g: nx.Graph, store: GraphStore, paper: str, only_drawn: bool) -> int:
    """Edges from ``paper`` to its entities (to drawn ones only if ``only_drawn``); returns its link count."""
    links = _paper_links(store, paper)
    for row in links:
        if only_drawn and row["entity"] not in g:
            continue
        _add_node(g, store, row["entity"], _type(row["etype"]), row["label"], row["n"])
        g.add_edge(paper, row["entity"], relation=local_name(row["property"]), confidence=row["confidence"])
    return len(links)


def _add_architecture_edges(g: nx.Graph, store: GraphStore, node: str, only_drawn: bool, limit: int | None) -> None:
    for row in _rows(store, "api_entity_architectures", limit, node=URIRef(node)):
        if only_drawn and row["other"] not in g:
            continue
        _add_node(g, store, row["other"], _type(row["etype"]), row["label"], row["n"])
        g.add_edge(node, row["other"], relation="hasArchitecture", confidence=1.0)


def first_view(store: GraphStore, max_nodes: int) -> nx.Graph:
    """The bounded overview: the most-linked entities and, for each, its best papers, with the edges among them.

    At most ``max_nodes`` nodes; about a quarter are entities (ranked by the materialised ``kg:paperCount``),
    the rest papers taken round-robin from those entities. Clicking a node expands it from the JSON API.
    """
    g = nx.Graph(view="overview")
    max_nodes = max(1, max_nodes)
    entities = list(_rows(store, "graph_top_entities", max(1, min(max_nodes // 4, 250))))
    for row in entities:
        _add_node(g, store, row["entity"], _type(row["etype"]), row["label"], row["n"])
    budget = max_nodes - g.number_of_nodes()
    if entities and budget > 0:
        per_entity = max(1, -(-budget // len(entities)))
        queues = [list(_rows(store, "graph_entity_papers", per_entity * 2, entity=URIRef(r["entity"])))
                  for r in entities]
        picked: list[dict[str, Any]] = []
        seen: set[str] = set()
        for rank in range(per_entity * 2):
            for q in queues:
                if len(picked) >= budget:
                    break
                if rank < len(q) and q[rank]["paper"] not in seen:
                    seen.add(q[rank]["paper"])
                    picked.append(q[rank])
        for row in picked:
            _add_node(g, store, row["paper"], "paper", row["title"], year=row["year"])
        for row in picked:
            g.nodes[row["paper"]]["degree"] = _add_paper_links(g, store, row["paper"], only_drawn=True)
    for row in entities:
        if row["etype"] in (str(KG.Method), str(KG.Architecture)):
            _add_architecture_edges(g, store, row["entity"], only_drawn=True, limit=None)
    g.graph["total"] = g.number_of_nodes()
    return g


def neighbourhood(store: GraphStore, iri: str, limit: int = 200) -> nx.Graph:
    """``iri`` and its neighbours: a paper's entities, or an entity's best ``limit`` papers and architecture edges.

    Raises ``NodeNotFound`` when ``iri`` is no paper or entity. ``g.graph["total"]`` is the number of neighbours
    the node has, ``g.graph["shown"]`` how many are drawn.
    """
    kind = node_kind(store, iri)
    if kind is None:
        raise NodeNotFound(f"no paper or entity {iri!r} in the graph: search for it with /api/search?q=…")
    ntype, label = kind
    g = nx.Graph(view="focus", focus=iri)
    _add_node(g, store, iri, ntype, label)
    if ntype == "paper":
        g.nodes[iri]["degree"] = total = _add_paper_links(g, store, iri, only_drawn=False)
    else:
        total = 0
        for row in _rows(store, "api_entity_papers", None, entity=URIRef(iri)):
            total += 1
            if total <= limit:
                _add_node(g, store, row["paper"], "paper", row["title"], row["degree"], row["year"])
                g.add_edge(iri, row["paper"], relation=local_name(row["property"]), confidence=row["confidence"])
        before = g.number_of_nodes()
        _add_architecture_edges(g, store, iri, only_drawn=False, limit=limit)
        total += g.number_of_nodes() - before
        g.nodes[iri]["degree"] = g.nodes[iri]["degree"] or total
    g.graph.update(total=total, shown=g.number_of_nodes() - 1)
    return g


# ---------------------------------------------------------------- CONSTRUCT views
# Strings, IRIs and comments are blanked before keyword checks so "SERVICE" inside them does not count.
_OPAQUE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)\b", re.I)
_SERVICE = re.compile(r"\bSERVICE\b", re.I)


def check_construct(query: str) -> None:
    """Accept only a SPARQL CONSTRUCT without SERVICE; else ``QueryRefused``/``QueryError`` saying what to send."""
    bare = _OPAQUE.sub(" ", query)
    if _SERVICE.search(bare):
        raise QueryRefused("SERVICE is not allowed: the graph view does not fetch remote data")
    m = _FORM.search(bare)
    if not m:
        raise QueryError("not a SPARQL query: send a CONSTRUCT { … } WHERE { … } query")
    if m.group(1).upper() != "CONSTRUCT":
        raise QueryRefused(f"the graph view draws CONSTRUCT queries only, not {m.group(1).upper()}: "
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
        if node not in labels or node not in types:
            kind = node_kind(store, node) if n < MAX_LABEL_LOOKUPS and not node.startswith("_:") else None
        g.nodes[node].update(label=labels.get(node) or (kind[1] if kind else local_name(node)),
                             type=types.get(node) or (kind[0] if kind else "other"),
                             degree=g.degree(node), families=fams.get(node, []))
    g.graph.update(total=g.number_of_nodes(), cut=cut)
    return g


# ---------------------------------------------------------------- search and details
def search(store: GraphStore, q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Papers (title) and entities (label or alias) containing ``q`` (case-insensitive), best matches first."""
    needle = q.strip().lower()
    if len(needle) < 2:
        return []
    hits: dict[str, dict[str, Any]] = {}
    for row in _rows(store, "api_search", None, q=needle):
        if row["node"] in hits:
            continue
        hits[row["node"]] = {"iri": row["node"], "label": row["label"], "type": _type(row["etype"]),
                             "matched": row["matched"], "papers": row["n"]}
        if len(hits) >= limit:
            break
    return list(hits.values())


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
    kind = node_kind(store, iri)
    if kind is None:
        raise NodeNotFound(f"no paper or entity {iri!r} in the graph: search for it with /api/search?q=…")
    ntype, label = kind
    if ntype == "paper":
        meta = next(_rows(store, "api_paper", 1, paper=URIRef(iri)), {})
        links = _paper_links(store, iri)
        info = {row["entity"]: row for row in links}
        spans: dict[str, list[dict[str, Any]]] = {"title": [], "abstract": []}
        for m in _rows(store, "api_paper_mentions", paper=URIRef(iri)):
            ent = info.get(m["entity"], {})
            spans.setdefault(m["field"], []).append({
                "start": m["start"], "end": m["end"], "entity": m["entity"], "role": local_name(m["property"]),
                "type": _type(ent.get("etype")), "label": ent.get("label", local_name(m["entity"]))})
        roles: dict[str, list[dict[str, Any]]] = {}
        for row in links:
            roles.setdefault(local_name(row["property"]), []).append({
                "iri": row["entity"], "label": row["label"], "type": _type(row["etype"]),
                "confidence": row["confidence"], "papers": row["n"]})
        ordered = {r: roles[r] for r in ROLE_ORDER if r in roles} | {r: v for r, v in roles.items()
                                                                     if r not in ROLE_ORDER}
        title = meta.get("title") or label
        abstract = meta.get("abstract") or ""
        return {
            "iri": iri, "type": "paper", "label": title, "title": title, "abstract": abstract,
            "year": meta.get("year"), "url": meta.get("url"), "identifier": meta.get("identifier"),
            "authors": [r["name"] for r in _rows(store, "api_paper_authors", paper=URIRef(iri))],
            "title_segments": highlight_segments(title, spans.get("title", [])),
            "abstract_segments": highlight_segments(abstract, spans.get("abstract", [])),
            "roles": ordered, "families": families(store).get(iri, []),
        }
    meta = next(_rows(store, "api_entity", 1, entity=URIRef(iri)), {})
    papers: list[dict[str, Any]] = []
    total = 0
    for row in _rows(store, "api_entity_papers", None, entity=URIRef(iri)):
        total += 1
        if len(papers) < max_papers:
            papers.append({"iri": row["paper"], "title": row["title"], "year": row["year"],
                           "role": local_name(row["property"]), "confidence": row["confidence"]})
    related = [{"iri": r["other"], "label": r["label"], "type": _type(r["etype"])}
               for r in _rows(store, "api_entity_architectures", 100, node=URIRef(iri))]
    return {
        "iri": iri, "type": ntype, "label": meta.get("label", label), "comment": meta.get("comment"),
        "aliases": [r["alias"] for r in _rows(store, "api_entity_aliases", entity=URIRef(iri))],
        "paper_count": meta.get("n") if meta.get("n") is not None else total, "papers": papers,
        "papers_shown": len(papers), "papers_total": total, "related": related,
        "families": families(store).get(iri, []),
    }


def view_summary(g: nx.Graph) -> dict[str, Any]:
    """Counts shown in the page header: nodes, edges, and how much of a neighbourhood is drawn."""
    return {"nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
            **{k: v for k, v in g.graph.items() if k in ("view", "focus", "total", "shown", "cut")}}


__all__ = [
    "NodeNotFound", "ROLE_ORDER", "TYPE_NAME", "check_construct", "construct_view", "families", "family_names",
    "first_view", "highlight_segments", "neighbourhood", "node_details", "node_kind", "search", "view_summary",
]
