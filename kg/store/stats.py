"""Materialised statistics: the stats named graph — written from ``StatsCounts`` tallies (a build merges the ones its
extraction batches count), recomputed from the paper graphs, and read back.

``refresh_stats(store)`` replaces ``kg.namespace.STATS_GRAPH`` with counts computed
from three named queries (``stats_papers``, ``stats_links``, ``stats_entity_classes``):

* ``<entity> kg:paperCount n`` — papers linked to each entity;
* ``kg:PaperCount`` nodes — all papers, papers per year (``kg:forYear``) and per month
  (``kg:forMonth``, from ``dcterms:date``); ``kg:EntityPaperCount`` nodes — the same per entity
  (``kg:forEntity``);
* ``kg:EntityCount`` nodes — linked entities per class (``kg:forClass``);
* ``kg:LinkCount`` nodes — links per role property (``kg:forProperty``);
* projections for the aggregates users run most: ``kg:TaskDatasetCount`` (papers addressing task ``kg:forEntity``
  and evaluating on dataset ``kg:withEntity``: "top datasets per task") and ``kg:MethodPairCount`` (papers using
  both methods: "methods used together"), for every pair seen in at least ``PAIR_MIN`` papers.

A build writes the graph as N-Quads from the tallies its extraction batches counted (``stats_nquads``), in the same
bulk load as everything else; ``kg add``/``kg remove`` apply the difference their papers make
(``apply_stats_delta``: the few statistics they touch are rewritten, nothing is recounted);
``refresh_stats(store)`` recomputes everything from the paper graphs (``kg stats --refresh``).

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
from typing import Any
from typing import Literal as TypingLiteral
from urllib.parse import unquote

import pyoxigraph as ox
from rdflib import RDF, XSD, URIRef

from kg.namespace import KG, RESOURCE_BASE, STATS_GRAPH, TYPE_CLASS, local_name, resource_path
from kg.store.oxigraph_store import GraphStore
from kg.store.queries import load_query

Granularity = TypingLiteral["year", "month"]

STATS_BASE = RESOURCE_BASE + "stats/"
_MONTH = re.compile(r"^\s*(\d{4})-(\d{2})")


def _n(term: URIRef | str) -> ox.NamedNode:
    return ox.NamedNode(str(term))


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
    pairs: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (projection, entity, other entity)
    proposals: list[tuple[str, str, int | None]] = field(default_factory=list)  # (paper id, proposed entity, year)
    # year (None: papers without one) → (methods proposed, papers proposing)
    proposed: dict[int | None, tuple[int, int]] = field(default_factory=dict)

    def add_paper(self, year: int | None, month: str | None) -> None:
        self.papers += 1
        if year is not None:
            self.years[year] += 1
        if month is not None:
            self.months[month] += 1

    def add_links(self, year: int | None, month: str | None, links: Iterable[tuple[str, str, str | None]]) -> None:
        """All the links of one paper (its year, month) as (property IRI, entity IRI, class IRI or None)."""
        # One kg:Link per (paper, entity) pair by construction (the link IRI is minted from both), so counting
        # links counts distinct papers.
        links = list(links)
        self.pairs.update(paper_pairs(links))
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
        self.pairs.update(other.pairs)
        self.proposals.extend(other.proposals)

    def subtract(self, other: StatsCounts) -> None:
        """Take ``other``'s tallies away (counts may go to zero or below: a difference to apply)."""
        self.papers -= other.papers
        self.links -= other.links
        self.years.subtract(other.years)
        self.months.subtract(other.months)
        self.per_entity.subtract(other.per_entity)
        self.per_property.subtract(other.per_property)
        self.per_entity_year.subtract(other.per_entity_year)
        self.per_entity_month.subtract(other.per_entity_month)
        self.pairs.subtract(other.pairs)
        for e, c in other.entity_class.items():
            self.entity_class.setdefault(e, c)


# Projections: kind → (statistic class, property and class of the first entity, property and class of the other).
# Batches tally the pairs of linked entities by property (an entity's class is only decided once the corpus has
# been read: kg.build.entities); a pair is materialised when both entities have the classes named here. A pair of
# one paper counts once; pairs of one property are ordered by IRI (as FILTER(STR(?m1) < STR(?m2)) would order them).
# A pair's node carries its count under a predicate of its own (kg:taskDatasetCount, kg:methodPairCount; both
# sub-properties of kg:count whose domain is the statistic's class, which is therefore not stated): "the top pairs"
# is then one scan of that predicate, sorted, and only the top rows are joined — Oxigraph's random lookups on disk
# cost tens of µs each, so a query that looked up every pair's count would take seconds on a large store.
PAIR_KINDS: dict[str, tuple[URIRef, URIRef, URIRef, URIRef, URIRef]] = {
    "task-dataset": (KG.taskDatasetCount, KG.addresses, KG.Task, KG.evaluatesOn, KG.Dataset),
    "method-method": (KG.methodPairCount, KG.uses, KG.Method, KG.uses, KG.Method),
}
PAIR_MIN = 2  # a pair seen in one paper only is no pattern; its tally is kept in the entity index, not the graph
_PAIR_SPECS = [(kind, str(p1), str(p2)) for kind, (_, p1, _c1, p2, _c2) in PAIR_KINDS.items()]
PAIR_CLASSES = {kind: (str(c1), str(c2)) for kind, (_, _p1, c1, _p2, c2) in PAIR_KINDS.items()}


def paper_pairs(links: list[tuple[str, str, str | None]]) -> Iterator[tuple[str, str, str]]:
    """The projection pairs one paper's links (property, entity, class) make, whatever the entities' classes."""
    for kind, p1, p2 in _PAIR_SPECS:
        firsts = sorted({e for p, e, _ in links if p == p1})
        if not firsts:
            continue
        seconds = firsts if p1 == p2 else sorted({e for p, e, _ in links if p == p2})
        for a in firsts:
            for b in seconds:
                if p1 != p2 or a < b:
                    yield kind, a, b


def pair_materialised(kind: str, a: str, b: str, n: int, classes: dict[str, str], pair_min: int = PAIR_MIN) -> bool:
    """Whether a pair is in the stats graph: seen in ``pair_min`` papers or more, the entities of the classes the
    projection is about (``classes``: entity IRI → its decided class IRI)."""
    c1, c2 = PAIR_CLASSES[kind]
    return n >= pair_min and classes.get(a) == c1 and classes.get(b) == c2


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
    classes = {sol["entity"].value: sol["class"].value for sol in _rows(store, "stats_entity_classes")}
    links: dict[str, list[tuple[str, str, str | None]]] = {}
    for sol in _rows(store, "stats_links"):
        e = sol["entity"].value
        links.setdefault(sol["paper"].value, []).append((sol["property"].value, e, classes.get(e)))
    counts = StatsCounts()
    for paper in papers:
        counts.add_paper(years.get(paper), months.get(paper))
    for paper, paper_links in links.items():
        counts.add_links(years.get(paper), months.get(paper), paper_links)
        pid = unquote(paper.rsplit("/paper/", 1)[-1])
        counts.proposals.extend((pid, e, years.get(paper)) for p, e, _ in paper_links if p == _PROPOSES)
    return counts


def count_graphs(store: GraphStore, graphs: Iterable[str]) -> StatsCounts:
    """Tallies of the paper graphs named ``graphs`` (what they add to the statistics), read quad by quad — what an
    update takes away before it drops them; entity classes as the store has them now."""
    counts = StatsCounts()
    paper_type, subject, predicate, obj = str(KG.Paper), str(RDF.subject), str(RDF.predicate), str(RDF.object)
    for g in graphs:
        triples = [(_v(q.subject), q.predicate.value, _v(q.object))
                   for q in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(g))]
        direct = set(triples)
        nodes: dict[str, dict[str, str]] = {}
        paper = year = date = None
        for s, p, o in triples:
            if p in (subject, predicate, obj):
                nodes.setdefault(s, {})[p] = o
            elif p == _TYPE and o == paper_type:
                paper = s
            elif p == _YEAR:
                with contextlib.suppress(ValueError):
                    year = int(o)
            elif p == _DATE:
                date = o
        if paper is None:
            continue
        links: list[tuple[str, str, str | None]] = [
            (n[predicate], n[obj], None) for n in nodes.values()
            if len(n) == 3 and n[subject] == paper and (paper, n[predicate], n[obj]) in direct]
        counts.add_paper(year, month_of(date))
        counts.add_links(year, month_of(date), links)
    counts.entity_class.update(entity_classes(store, counts.per_entity))
    return counts


_YEAR, _DATE, _PROPOSES = str(KG.year), "http://purl.org/dc/terms/date", str(KG.proposes)


def _v(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    return str(term) if isinstance(term, ox.Triple) else term.value


def entity_classes(store: GraphStore, entities: Iterable[str]) -> dict[str, str]:
    """The top-level class of each entity (its decided type; an architecture individual's class hierarchy walked up),
    for those the store types."""
    query = load_query("stats_entity_classes")
    out: dict[str, str] = {}
    for e in entities:
        for sol in store.query(query, {"entity": URIRef(e)}):
            out[e] = sol["class"].value
            break
    return out


def refresh_stats(store: GraphStore) -> StatsReport:
    """Recompute the stats graph from the paper graphs (the store must be writable)."""
    counts = count_store(store)
    counts.proposed = proposed_per_year(counts.proposals, counts.entity_class)
    return write_stats(store, counts)


# A statistic's quads before they become Oxigraph terms or N-Quads text: (subject, predicate, object, datatype of a
# literal object or None for an IRI). All IRIs are minted here or are entity IRIs (no characters to escape).
StatQuad = tuple[str, str, str, str | None]
_COUNT, _FOR_ENTITY, _WITH_ENTITY = str(KG.count), str(KG.forEntity), str(KG.withEntity)
_FOR_YEAR, _FOR_MONTH, _FOR_CLASS, _FOR_PROPERTY = str(KG.forYear), str(KG.forMonth), str(KG.forClass), str(KG.forProperty)
_PAPER_COUNT_CLS, _ENTITY_COUNT_CLS, _ENTITY_COUNT, _LINK_COUNT = (str(KG.PaperCount), str(KG.EntityPaperCount),
                                                                   str(KG.EntityCount), str(KG.LinkCount))
_PAPER_COUNT_P, _TYPE = str(KG.paperCount), str(RDF.type)
_PROPOSED_METHODS, _PROPOSING_PAPERS = str(KG.proposedMethods), str(KG.proposingPapers)
_INT, _YM = str(XSD.integer), str(XSD.gYearMonth)


def _stat(iri: str, cls: str, n: int, *facts: tuple[str, str, str | None]) -> list[StatQuad]:
    s = STATS_BASE + iri
    return [(s, _TYPE, cls, None), *((s, p, o, dt) for p, o, dt in facts), (s, _COUNT, str(n), _INT)]


def _year_stat(y: int, n: int) -> list[StatQuad]:
    return _stat(f"papers/{y}", _PAPER_COUNT_CLS, n, (_FOR_YEAR, str(y), _INT))


def _month_stat(m: str, n: int) -> list[StatQuad]:
    return _stat(f"papers/{m}", _PAPER_COUNT_CLS, n, (_FOR_MONTH, m, _YM))


def _entity_year_stat(e: str, y: int, n: int) -> list[StatQuad]:
    return _stat(f"papers/{_entity_key(e)}/{y}", _ENTITY_COUNT_CLS, n, (_FOR_ENTITY, e, None), (_FOR_YEAR, str(y), _INT))


def _entity_month_stat(e: str, m: str, n: int) -> list[StatQuad]:
    return _stat(f"papers/{_entity_key(e)}/{m}", _ENTITY_COUNT_CLS, n, (_FOR_ENTITY, e, None), (_FOR_MONTH, m, _YM))


def _class_stat(c: str, n: int) -> list[StatQuad]:
    return _stat(f"entities/{local_name(c)}", _ENTITY_COUNT, n, (_FOR_CLASS, c, None))


def _property_stat(p: str, n: int) -> list[StatQuad]:
    return _stat(f"links/{local_name(p)}", _LINK_COUNT, n, (_FOR_PROPERTY, p, None))


def _pair_stat(kind: str, a: str, b: str, n: int) -> list[StatQuad]:
    s = f"{STATS_BASE}pairs/{kind}/{_entity_key(a)}/{_entity_key(b)}"
    return [(s, _FOR_ENTITY, a, None), (s, _WITH_ENTITY, b, None), (s, str(PAIR_KINDS[kind][0]), str(n), _INT)]


def year_order(y: int | None) -> tuple[bool, int]:
    """Sort key of a year that may be missing (undated last)."""
    return (y is None, y or 0)


def _proposed_iri(y: int | None) -> str:
    return f"{STATS_BASE}proposed/{'undated' if y is None else y}"


def _proposed_stats(y: int | None, methods: int, papers: int) -> list[StatQuad]:
    # Counts under predicates of their own and no stated type (the kg:ProposalCount domain gives it), as for pairs.
    # Papers without a year (the bundled Daily Papers dumps carry "Mar 13"-style dates) count on a node without
    # kg:forYear.
    s = _proposed_iri(y)
    year = [] if y is None else [(s, _FOR_YEAR, str(y), _INT)]
    return [*year, (s, _PROPOSED_METHODS, str(methods), _INT), (s, _PROPOSING_PAPERS, str(papers), _INT)]


def proposed_per_year(proposals: Iterable[tuple[str, str, int | None]], classes: dict[str, str]
                      ) -> dict[int | None, tuple[int, int]]:
    """Year (None: undated) → (distinct methods proposed, papers proposing one), from (paper, entity, year)
    proposals and the entities' decided classes."""
    methods: dict[int | None, set[str]] = {}
    papers: dict[int | None, set[str]] = {}
    method = str(KG.Method)
    for paper, entity, year in proposals:
        if classes.get(entity) == method:
            methods.setdefault(year, set()).add(entity)
            papers.setdefault(year, set()).add(paper)
    return {y: (len(methods[y]), len(papers[y])) for y in sorted(methods, key=year_order)}


def _paper_count_stat(e: str, n: int) -> list[StatQuad]:
    return [(e, _PAPER_COUNT_P, str(n), _INT)]


def stat_quads(counts: StatsCounts, pair_min: int = PAIR_MIN) -> Iterator[StatQuad]:
    """The stats graph of ``counts``, in a fixed order."""
    classes: dict[str, set[str]] = {str(c): set() for c in TYPE_CLASS.values()}
    for e, c in counts.entity_class.items():
        if counts.per_entity[e] > 0 and c in classes:
            classes[c].add(e)
    yield from _stat("papers", _PAPER_COUNT_CLS, counts.papers)
    for y, n in sorted(counts.years.items()):
        if n > 0:
            yield from _year_stat(y, n)
    for m, n in sorted(counts.months.items()):
        if n > 0:
            yield from _month_stat(m, n)
    for e, n in sorted(counts.per_entity.items()):
        if n > 0:
            yield from _paper_count_stat(e, n)
    for (e, y), n in sorted(counts.per_entity_year.items()):
        if n > 0:
            yield from _entity_year_stat(e, y, n)
    for (e, m), n in sorted(counts.per_entity_month.items()):
        if n > 0:
            yield from _entity_month_stat(e, m, n)
    for c, members in classes.items():
        yield from _class_stat(c, len(members))
    for p, n in sorted(counts.per_property.items()):
        if n > 0:
            yield from _property_stat(p, n)
    for (kind, a, b), n in sorted(counts.pairs.items()):
        if pair_materialised(kind, a, b, n, counts.entity_class, pair_min):
            yield from _pair_stat(kind, a, b, n)
    for py, (methods, papers) in sorted(counts.proposed.items(), key=lambda kv: year_order(kv[0])):
        yield from _proposed_stats(py, methods, papers)


def _ox(q: StatQuad, graph: ox.NamedNode) -> ox.Quad:
    s, p, o, dt = q
    obj = ox.NamedNode(o) if dt is None else ox.Literal(o, datatype=ox.NamedNode(dt))
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), obj, graph)


def stats_nquads(counts: StatsCounts, pair_min: int = PAIR_MIN) -> Iterator[str]:
    """The stats graph of ``counts`` as N-Quads lines (what a build bulk-loads with everything else)."""
    g = f"<{STATS_GRAPH}>"
    for s, p, o, dt in stat_quads(counts, pair_min):
        yield f"<{s}> <{p}> <{o}> {g} .\n" if dt is None else f'<{s}> <{p}> "{o}"^^<{dt}> {g} .\n'


def write_stats(store: GraphStore, counts: StatsCounts, pair_min: int = PAIR_MIN) -> StatsReport:
    """Write ``counts`` as the stats graph: streamed in when the graph is empty, else only the statistics that
    changed are rewritten (``refresh_stats``)."""
    graph = _n(STATS_GRAPH)
    report = StatsReport(papers=counts.papers, entities=sum(1 for n in counts.per_entity.values() if n > 0),
                         links=counts.links)
    quads = (_ox(q, graph) for q in stat_quads(counts, pair_min))
    if next(iter(store.ox.quads_for_pattern(None, None, None, graph)), None) is None:
        def counted() -> Iterator[ox.Quad]:
            for q in quads:
                report.quads += 1
                yield q

        store.ox.bulk_extend(counted())
        return report
    # A refresh: only the statistics that changed are rewritten (removing a whole graph from Oxigraph costs far
    # more than the few quads a small change touches).
    new = set(quads)
    old = set(store.ox.quads_for_pattern(None, None, None, graph))
    for q in old - new:
        store.ox.remove(q)
    added = [q for q in new if q not in old]
    (store.ox.bulk_extend if len(added) > 10_000 else store.ox.extend)(added)
    report.quads = len(new)
    return report


def apply_stats_delta(store: GraphStore, delta: StatsCounts, old_classes: dict[str, str | None],
                      new_classes: dict[str, str | None], pair_totals: dict[tuple[str, str, str], int],
                      pair_classes: dict[str, str], proposed: dict[int | None, tuple[int, int]] | None = None,
                      pair_min: int = PAIR_MIN) -> StatsReport:
    """Apply what an update changed to the stats graph in place: each statistic it touches is read, changed and
    rewritten — the graph ``stat_quads`` would give for the new totals, without recounting anything.

    ``delta``: the added papers' tallies minus the removed ones'. ``old_classes`` / ``new_classes``: the class of
    every entity the update recomputed, before and after (None: absent), for the entity counts per class.
    ``pair_totals``: the new total of every projection pair the update touched or whose entities changed class (the
    entity index keeps every pair's tally); ``pair_classes``: the classes of those pairs' entities now;
    ``proposed``: methods proposed and papers proposing per year, all years, now (None: unchanged)."""
    graph = _n(STATS_GRAPH)
    count_p = _n(KG.count)
    removals: list[ox.Quad] = []
    additions: list[StatQuad] = []

    def current(subject: str, predicate: ox.NamedNode = count_p) -> int:
        for q in store.ox.quads_for_pattern(ox.NamedNode(subject), predicate, None, graph):
            return int(_v(q.object))
        return 0

    def replace(subject: str, new: list[StatQuad] | None) -> None:
        removals.extend(store.ox.quads_for_pattern(ox.NamedNode(subject), None, None, graph))
        if new:
            additions.extend(new)

    def bump(iri: str, d: int, make: Any, always: bool = False) -> int:
        n = current(STATS_BASE + iri) + d
        replace(STATS_BASE + iri, make(n) if n > 0 or always else None)
        return n

    bump("papers", delta.papers, lambda n: _stat("papers", _PAPER_COUNT_CLS, n), always=True)
    for y, d in sorted(delta.years.items()):
        if d:
            bump(f"papers/{y}", d, lambda n, y=y: _year_stat(y, n))
    for m, d in sorted(delta.months.items()):
        if d:
            bump(f"papers/{m}", d, lambda n, m=m: _month_stat(m, n))
    class_change: Counter[str] = Counter()
    paper_count = _n(KG.paperCount)
    for e in sorted(set(delta.per_entity) | set(old_classes) | set(new_classes)):
        d = delta.per_entity.get(e, 0)
        old = current(e, paper_count)
        new = old + d
        if d:
            removals.extend(store.ox.quads_for_pattern(ox.NamedNode(e), paper_count, None, graph))
            if new > 0:
                additions.extend(_paper_count_stat(e, new))
        old_cls = old_classes.get(e, delta.entity_class.get(e))
        new_cls = new_classes.get(e, old_cls)
        if old > 0 and old_cls is not None:
            class_change[old_cls] -= 1
        if new > 0 and new_cls is not None:
            class_change[new_cls] += 1
    for (e, y), d in sorted(delta.per_entity_year.items()):
        if d:
            bump(f"papers/{_entity_key(e)}/{y}", d, lambda n, e=e, y=y: _entity_year_stat(e, y, n))
    for (e, m), d in sorted(delta.per_entity_month.items()):
        if d:
            bump(f"papers/{_entity_key(e)}/{m}", d, lambda n, e=e, m=m: _entity_month_stat(e, m, n))
    for c, d in sorted(class_change.items()):
        if d and c in {str(t) for t in TYPE_CLASS.values()}:
            bump(f"entities/{local_name(c)}", d, lambda n, c=c: _class_stat(c, n), always=True)
    for p, d in sorted(delta.per_property.items()):
        if d:
            bump(f"links/{local_name(p)}", d, lambda n, p=p: _property_stat(p, n))
    for (kind, a, b), n in sorted(pair_totals.items()):
        subject = f"{STATS_BASE}pairs/{kind}/{_entity_key(a)}/{_entity_key(b)}"
        replace(subject, _pair_stat(kind, a, b, n) if pair_materialised(kind, a, b, n, pair_classes, pair_min)
                else None)
    if proposed is not None:
        prefix = f"{STATS_BASE}proposed/"
        old_years = {None if (k := _v(q.subject)[len(prefix):]) == "undated" else int(k)
                     for q in store.ox.quads_for_pattern(None, _n(KG.proposedMethods), None, graph)}
        for py in sorted(old_years | set(proposed), key=year_order):
            replace(_proposed_iri(py), None)
            if py in proposed:
                additions.extend(_proposed_stats(py, *proposed[py]))
    for q in removals:
        store.ox.remove(q)
    store.ox.extend([_ox(q, graph) for q in additions])
    return StatsReport(papers=delta.papers, entities=len(delta.per_entity), links=delta.links, quads=len(additions))


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
