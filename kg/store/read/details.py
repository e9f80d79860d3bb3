"""What the details panel of the graph view shows about one node (the JSON of ``/api/node``).

In: a ``GraphReader`` and an IRI. Out: a paper's title and abstract cut into evidence-highlighted segments, its
metadata and its entities by role; or an entity's aliases, paper count, best papers and related architectures.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from kg.namespace import local_name, parse_span
from kg.store.read.base import not_found, rows
from kg.store.read.links import architecture_neighbours, entity_papers, paper_links

if TYPE_CHECKING:
    from kg.store.read.reader import GraphReader


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


def node_details(reader: GraphReader, iri: str, max_papers: int = 50, offset: int = 0) -> dict[str, Any]:
    """What the details panel shows.

    Paper: title and abstract as highlighted segments (evidence spans), year, url, authors, and its entities
    grouped by role. Entity: label, type, aliases, number of papers, ``max_papers`` of its best papers from
    ``offset`` on (paging), families.
    Raises ``NodeNotFound`` for an IRI that is no paper or entity.
    """
    info = reader.node_info(iri)
    if info is None:
        raise not_found(iri)
    if info["type"] == "paper":
        return _paper_details(reader, iri, info)
    return _entity_details(reader, iri, info, max_papers, offset)


def _paper_details(reader: GraphReader, iri: str, info: dict[str, Any]) -> dict[str, Any]:
    store = reader.store
    meta = next(rows(store, "api_paper", 1, paper=URIRef(iri)), {})
    links = paper_links(reader, iri)
    by_entity = {row["entity"]: row for row in links}
    spans: dict[str, list[dict[str, Any]]] = {"title": [], "abstract": []}
    # Mentions are stored by reference (RFC 5147 span IRIs of the stored title/abstract): field and offsets come
    # from the IRI, the text from the field itself (highlight_segments cuts it).
    for m in sorted(rows(store, "api_paper_mentions", paper=URIRef(iri)), key=lambda r: (r["mention"], r["entity"])):
        span = parse_span(m["mention"])
        if span is None or span[0] != iri:
            continue
        _, field, start, end = span
        ent = by_entity.get(m["entity"]) or reader.node_info(m["entity"]) or {}
        spans.setdefault(field, []).append({
            "start": start, "end": end, "entity": m["entity"], "role": local_name(m["property"]),
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
        "authors": [r["name"] for r in rows(store, "api_paper_authors", paper=URIRef(iri))],
        "title_segments": highlight_segments(title, spans.get("title", [])),
        "abstract_segments": highlight_segments(abstract, spans.get("abstract", [])),
        "roles": roles, "families": reader.families().get(iri, []),
    }


def _entity_details(reader: GraphReader, iri: str, info: dict[str, Any], max_papers: int,
                    offset: int = 0) -> dict[str, Any]:
    links, total = entity_papers(reader, iri, max_papers, offset)
    papers = [{"iri": r["paper"], "title": r["label"], "year": r["year"], "role": r["relation"],
               "confidence": r["confidence"]} for r in links]
    related = []
    for other in architecture_neighbours(reader, iri)[:100]:
        o = reader.node_info(other)
        if o is not None:
            related.append({"iri": other, "label": o["label"], "type": o["type"]})
    return {
        "iri": iri, "type": info["type"], "label": info["label"], "comment": info["comment"],
        "aliases": [r["alias"] for r in rows(reader.store, "api_entity_aliases", entity=URIRef(iri))],
        "paper_count": info["n"] if info["n"] is not None else total,
        "papers": papers, "papers_shown": len(papers), "papers_offset": offset, "papers_total": total,
        "related": related,
        "families": reader.families().get(iri, []),
    }
