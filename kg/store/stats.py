"""Materialised statistics: the stats named graph — written from ``StatsCounts`` tallies (a build merges the ones its
extraction batches count), recomputed from the paper graphs, and read back.

``refresh_stats(store)`` replaces ``kg.namespace.STATS_GRAPH`` with counts computed
from three named queries (``stats_papers``, ``stats_links``, ``stats_entity_classes``):

* ``<entity> kg:paperCount n`` — papers linked to each entity;
* ``kg:PaperCount`` nodes — all papers, papers per year (``kg:forYear``) and per month
  (``kg:forMonth``, from ``dcterms:date``); ``kg:EntityPaperCount`` nodes — the same per entity
  (``kg:forEntity``);
* ``kg:EntityCount`` nodes — linked entities per class (``kg:forClass``);
* ``kg:LinkCount`` nodes — links per role property (``kg:forProperty``).

Statistic IRIs are deterministic (``RES/stats/…``), so the same graph gives the same
statistics. Aggregating in Python over one streamed pass is several times faster than
GROUP BY in Oxigraph, and readers then answer "top entities" or "papers per year"
by reading numbers instead of grouping links (see ``bench/stats_queries.py``).

The readers (``entity_counts``, ``class_counts``, ``property_counts``, ``paper_periods``,
``entity_periods``) return plain Python values; ``kg.analytics`` turns them into tables.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from rdflib import RDF, XSD, URIRef

from kg.namespace import KG, RESOURCE_BASE, STATS_GRAPH, TYPE_CLASS, local_name, resource_path
from kg.store.oxigraph_store import GraphStore
from kg.store.queries import load_query

Granularity = TypingLiteral["year", "month"]

STATS_BASE = RESOURCE_BASE + "stats/"
_MONTH = re.compile(r"^\s*(\d{4})-(\d{2})")
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_XSD_INTEGER = ox.NamedNode(str(XSD.integer))
_XSD_YEAR_MONTH = ox.NamedNode(str(XSD.gYearMonth))


def _n(term: URIRef | str) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_XSD_INTEGER)


def _month(n: str) -> ox.Literal:
    return ox.Literal(n, datatype=_XSD_YEAR_MONTH)


def _entity_key(iri: str) -> str:
    return resource_path(iri) or "x/" + local_name(iri)


def month_of(date: str | None) -> str | None:
    """"2025-03-14" → "2025-03"; None for missing or undated text."""
    if not date:
        return None
    m = _MONTH.match(date)
    return f"{m.group(1)}-{m.group(2)}" if m and 1 <= int(m.group(2)) <= 12 else None


@dataclass
class StatsReport:
    """What ``refresh_stats`` wrote."""

    papers: int = 0
    entities: int = 0
    links: int = 0
    quads: int = 0


@dataclass
class StatsCounts:
    """The tallies the stats graph is written from; mergeable, so extraction batches can count their own papers
    and a build merges them instead of re-reading millions of quads with SPARQL afterwards."""

    papers: int = 0
    links: int = 0
    years: Counter[int] = field(default_factory=Counter)
    months: Counter[str] = field(default_factory=Counter)
    per_entity: Counter[str] = field(default_factory=Counter)
    per_property: Counter[str] = field(default_factory=Counter)
    per_entity_year: Counter[tuple[str, int]] = field(default_factory=Counter)
    per_entity_month: Counter[tuple[str, str]] = field(default_factory=Counter)
    entity_class: dict[str, str] = field(default_factory=dict)  # linked entity IRI → top-level class IRI

    def add_paper(self, year: int | None, month: str | None) -> None:
        self.papers += 1
        if year is not None:
            self.years[year] += 1
        if month is not None:
            self.months[month] += 1

    def add_links(self, year: int | None, month: str | None, links: Iterable[tuple[str, str, str | None]]) -> None:
        """Links of one paper (its year, month) as (property IRI, entity IRI, class IRI or None)."""
        # One kg:Link per (paper, entity) pair by construction (the link IRI is minted from both), so counting
        # links counts distinct papers.
        for prop, entity, cls in links:
            self.links += 1
            self.per_entity[entity] += 1
            self.per_property[prop] += 1
            if year is not None:
                self.per_entity_year[entity, year] += 1
            if month is not None:
                self.per_entity_month[entity, month] += 1
            if cls is not None:
                self.entity_class[entity] = cls

    def merge(self, other: StatsCounts) -> None:
        self.papers += other.papers
        self.links += other.links
        self.years.update(other.years)
        self.months.update(other.months)
        self.per_entity.update(other.per_entity)
        self.per_property.update(other.per_property)
        self.per_entity_year.update(other.per_entity_year)
        self.per_entity_month.update(other.per_entity_month)
        self.entity_class.update(other.entity_class)


def _rows(store: GraphStore, name: str) -> Iterator[ox.QuerySolution]:
    return iter(store.query(load_query(name)))


def count_store(store: GraphStore) -> StatsCounts:
    """Tallies read from the paper graphs of ``store`` with the three ``stats_*`` queries."""
    years: dict[str, int] = {}
    months: dict[str, str] = {}
    papers: dict[str, None] = {}  # distinct, in order (OPTIONALs give a paper with two dates two rows)
    for sol in _rows(store, "stats_papers"):
        paper = sol["paper"].value
        papers[paper] = None
        y, d = sol["year"], sol["date"]
        if y is not None:
            with contextlib.suppress(ValueError):
                years[paper] = int(y.value)
        m = month_of(d.value if d is not None else None)
        if m is not None:
            months[paper] = m
    links: dict[str, list[tuple[str, str, str | None]]] = {}
    for sol in _rows(store, "stats_links"):
        links.setdefault(sol["paper"].value, []).append((sol["property"].value, sol["entity"].value, None))
    counts = StatsCounts()
    for paper in papers:
        counts.add_paper(years.get(paper), months.get(paper))
    for paper, paper_links in links.items():
        counts.add_links(years.get(paper), months.get(paper), paper_links)
    for sol in _rows(store, "stats_entity_classes"):
        e = sol["entity"].value
        if e in counts.per_entity:
            counts.entity_class[e] = sol["class"].value
    return counts


def refresh_stats(store: GraphStore) -> StatsReport:
    """Recompute the stats graph from the paper graphs (the store must be writable)."""
    return write_stats(store, count_store(store))


def write_stats(store: GraphStore, counts: StatsCounts) -> StatsReport:
    """Write ``counts`` as the stats graph: streamed in when the graph is empty (a build), else only the
    statistics that changed are rewritten (an incremental update)."""
    classes: dict[str, set[str]] = {str(c): set() for c in TYPE_CLASS.values()}
    for e, c in counts.entity_class.items():
        if e in counts.per_entity and c in classes:
            classes[c].add(e)

    graph = _n(STATS_GRAPH)
    count, for_entity, for_year, for_month = _n(KG.count), _n(KG.forEntity), _n(KG.forYear), _n(KG.forMonth)
    paper_count_cls = _n(KG.PaperCount)
    entity_count_cls = _n(KG.EntityPaperCount)

    def stat(iri: str, cls: ox.NamedNode, n: int, *facts: tuple[ox.NamedNode, ox.NamedNode | ox.Literal]
             ) -> Iterator[ox.Quad]:
        s = ox.NamedNode(STATS_BASE + iri)
        yield ox.Quad(s, _RDF_TYPE, cls, graph)
        for p, o in facts:
            yield ox.Quad(s, p, o, graph)
        yield ox.Quad(s, count, _int(n), graph)

    def quads() -> Iterator[ox.Quad]:
        yield from stat("papers", paper_count_cls, counts.papers)
        for y, n in sorted(counts.years.items()):
            yield from stat(f"papers/{y}", paper_count_cls, n, (for_year, _int(y)))
        for m, n in sorted(counts.months.items()):
            yield from stat(f"papers/{m}", paper_count_cls, n, (for_month, _month(m)))
        for e, n in sorted(counts.per_entity.items()):
            yield ox.Quad(ox.NamedNode(e), _n(KG.paperCount), _int(n), graph)
        for (e, y), n in sorted(counts.per_entity_year.items()):
            yield from stat(f"papers/{_entity_key(e)}/{y}", entity_count_cls, n,
                            (for_entity, ox.NamedNode(e)), (for_year, _int(y)))
        for (e, m), n in sorted(counts.per_entity_month.items()):
            yield from stat(f"papers/{_entity_key(e)}/{m}", entity_count_cls, n,
                            (for_entity, ox.NamedNode(e)), (for_month, _month(m)))
        for c, members in classes.items():
            yield from stat(f"entities/{local_name(c)}", _n(KG.EntityCount), len(members), (_n(KG.forClass), _n(c)))
        for p, n in sorted(counts.per_property.items()):
            yield from stat(f"links/{local_name(p)}", _n(KG.LinkCount), n, (_n(KG.forProperty), _n(p)))

    report = StatsReport(papers=counts.papers, entities=len(counts.per_entity), links=counts.links)
    if next(iter(store.ox.quads_for_pattern(None, None, None, graph)), None) is None:
        # First write of this store (every full build): stream straight in.
        def counted() -> Iterator[ox.Quad]:
            for q in quads():
                report.quads += 1
                yield q

        store.ox.bulk_extend(counted())
        return report
    # A refresh after an incremental change: only the statistics that changed are rewritten (removing a
    # whole graph from Oxigraph costs far more than the few quads a small change touches).
    new = set(quads())
    old = set(store.ox.quads_for_pattern(None, None, None, graph))
    for q in old - new:
        store.ox.remove(q)
    added = [q for q in new if q not in old]
    (store.ox.bulk_extend if len(added) > 10_000 else store.ox.extend)(added)
    report.quads = len(new)
    return report


# ---------------------------------------------------------------- readers


@dataclass(frozen=True)
class EntityCountRow:
    entity: str
    label: str
    entity_class: str
    papers: int


def entity_counts(store: GraphStore, entity_class: URIRef | None = None) -> list[EntityCountRow]:
    """Entities with their materialised paper count, most papers first (ties by label)."""
    bind = {"class": entity_class} if entity_class is not None else {}
    rows = [EntityCountRow(str(r["entity"]), str(r["label"]) if r["label"] is not None else local_name(str(r["entity"])),
                           str(r["class"]), int(r["count"].toPython()))  # type: ignore[union-attr]
            for r in store.named("stats_entity_counts", **bind)]
    return sorted(rows, key=lambda r: (-r.papers, r.label.lower(), r.entity))


def class_counts(store: GraphStore) -> dict[str, int]:
    """Linked entities per entity class IRI."""
    return {str(r["class"]): int(r["count"].toPython()) for r in store.named("stats_class_counts")}  # type: ignore[union-attr]


def property_counts(store: GraphStore) -> dict[str, int]:
    """Links per role property IRI."""
    return {str(r["property"]): int(r["count"].toPython())  # type: ignore[union-attr]
            for r in store.named("stats_property_counts")}


def paper_total(store: GraphStore) -> int:
    """All papers (0 when the stats graph is empty)."""
    rows = store.named("stats_paper_total")
    return int(rows[0]["count"].toPython()) if rows else 0  # type: ignore[union-attr]


def paper_periods(store: GraphStore, granularity: Granularity = "year") -> dict[str, int]:
    """Papers per period ("2025" or "2025-03"), oldest first."""
    name = "stats_papers_per_year" if granularity == "year" else "stats_papers_per_month"
    return {str(r["period"]): int(r["count"].toPython()) for r in store.named(name)}  # type: ignore[union-attr]


@dataclass(frozen=True)
class EntityPeriodRow:
    entity: str
    label: str
    entity_class: str
    period: str
    papers: int


def entity_periods(store: GraphStore, granularity: Granularity = "year",
                   entity_class: URIRef | None = None) -> list[EntityPeriodRow]:
    """Papers per entity per period, from the materialised counts."""
    name = "stats_entity_per_year" if granularity == "year" else "stats_entity_per_month"
    bind = {"class": entity_class} if entity_class is not None else {}
    rows = [EntityPeriodRow(str(r["entity"]), str(r["label"]), str(r["class"]), str(r["period"]),
                            int(r["count"].toPython()))  # type: ignore[union-attr]
            for r in store.named(name, **bind)]
    return sorted(rows, key=lambda r: (r.entity, r.period))
