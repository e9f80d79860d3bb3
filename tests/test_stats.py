"""Materialised statistics (kg/store/stats.py): recomputed from the paper graphs, equal to live aggregates."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from kg.build.batches import count_extractions
from kg.mapping.iris import paper_iri
from kg.mapping.triples import entity_triples, paper_triples
from kg.model import Entity, Link, Mention, Paper, PaperExtraction
from kg.namespace import KG, RES, STATS_GRAPH
from kg.store import GraphStore
from kg.store import stats as st

LIVE_PAPER_COUNTS = """
PREFIX kg: <https://w3id.org/kg-papers/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?entity (COUNT(DISTINCT ?paper) AS ?n) WHERE {
  ?link rdf:subject ?paper ; rdf:predicate ?p ; rdf:object ?entity .
  ?paper ?p ?entity .  # asserted links only: a candidate below min_confidence counts in no statistic
} GROUP BY ?entity
"""


def _ex(pid: str, year: int | None, date: str | None, *ents: tuple[str, str, str]) -> PaperExtraction:
    links = tuple(
        Link(Entity(eid, etype, eid.split("/")[1]), role, 0.9,  # type: ignore[arg-type]
             (Mention("title", 0, 1, "x", component="gazetteer", score=0.9),))
        for eid, etype, role in ents
    )
    return PaperExtraction(Paper(pid, f"Title {pid}", "Abstract.", year=year, date=date), links)


@pytest.fixture
def small_store() -> GraphStore:
    """Three dated papers, one undated; BERT in three of them."""
    gs = GraphStore.in_memory()
    exs = [
        _ex("a", 2024, "2024-05-02", ("method/bert", "method", "uses"), ("dataset/glue", "dataset", "evaluates_on")),
        _ex("b", 2025, "2025-01-10", ("method/bert", "method", "proposes")),
        _ex("c", 2025, "2025-01-30", ("method/bert", "method", "uses"), ("task/qa", "task", "uses")),
        _ex("d", None, None, ("method/lora", "method", "uses")),
    ]
    quads = []
    for ex in exs:
        quads += [(s, p, o, None) for s, p, o in paper_triples(ex)]
        for lk in ex.links:
            quads += [(s, p, o, None) for s, p, o in entity_triples(lk.entity)]
    gs.add_quads(quads)
    return gs


def test_stats_refresh_counts_papers_per_entity(small_store):
    report = st.refresh_stats(small_store)
    assert (report.papers, report.entities, report.links) == (4, 4, 6)
    counts = {r.label: r.papers for r in st.entity_counts(small_store)}
    assert counts == {"bert": 3, "glue": 1, "qa": 1, "lora": 1}
    assert st.entity_counts(small_store)[0].label == "bert"  # most papers first


def test_stats_refresh_counts_per_period(small_store):
    st.refresh_stats(small_store)
    assert st.paper_total(small_store) == 4
    assert st.paper_periods(small_store, "year") == {"2024": 1, "2025": 2}
    assert st.paper_periods(small_store, "month") == {"2024-05": 1, "2025-01": 2}
    bert = {(r.period, r.papers) for r in st.entity_periods(small_store, "year") if r.label == "bert"}
    assert bert == {("2024", 1), ("2025", 2)}
    tasks = st.entity_periods(small_store, "month", entity_class=KG.Task)
    assert [(r.label, r.period, r.papers) for r in tasks] == [("qa", "2025-01", 1)]


def test_stats_refresh_counts_classes_and_properties(small_store):
    st.refresh_stats(small_store)
    assert st.class_counts(small_store)[str(KG.Method)] == 2
    assert st.class_counts(small_store)[str(KG.Architecture)] == 0
    props = st.property_counts(small_store)
    assert props[str(KG.uses)] == 3 and props[str(KG.proposes)] == 1 and props[str(KG.addresses)] == 1


def test_stats_refresh_replaces_stale_statistics(small_store):
    st.refresh_stats(small_store)
    # A paper removed after the first refresh: its counts must disappear on the next one.
    small_store.ox.update(
        "DELETE WHERE { ?l <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <" + paper_iri("d") + "> ; ?p ?o }")
    first = small_store.triple_count()
    st.refresh_stats(small_store)
    assert "lora" not in {r.label for r in st.entity_counts(small_store)}
    st.refresh_stats(small_store)
    assert small_store.triple_count() < first  # nothing accumulates across refreshes
    n_stats = len(list(small_store.ox.quads_for_pattern(None, None, None, st._n(STATS_GRAPH))))
    st.refresh_stats(small_store)
    assert len(list(small_store.ox.quads_for_pattern(None, None, None, st._n(STATS_GRAPH)))) == n_stats


def test_stats_month_of_parses_dates():
    assert st.month_of("2025-03-14") == "2025-03"
    assert st.month_of("2025-03") == "2025-03"
    assert st.month_of("2025-13-01") is None
    assert st.month_of("March 2025") is None
    assert st.month_of(None) is None


def test_stats_statistic_iris_are_deterministic(small_store):
    st.refresh_stats(small_store)
    rows = small_store.select("SELECT * WHERE { ?s ?fe ?e ; ?fy ?y }",
                              {"fe": KG.forEntity, "fy": KG.forYear, "e": RES["method/bert"]})
    assert {str(r["s"]) for r in rows} == {st.STATS_BASE + "papers/method/bert/2024",
                                           st.STATS_BASE + "papers/method/bert/2025"}
    month = small_store.select("SELECT * WHERE { ?s ?fm ?m }", {"fm": KG.forMonth})
    assert Literal("2025-01", datatype=XSD.gYearMonth) in {r["m"] for r in month}


def test_stats_build_materialises_counts_equal_to_live_aggregate(tiny_store: Path):
    gs = GraphStore.open(tiny_store)
    live = {str(r["entity"]): int(r["n"].toPython()) for r in gs.select(LIVE_PAPER_COUNTS)}
    materialised = {r.entity: r.papers for r in st.entity_counts(gs)}
    assert live and materialised == live
    assert st.paper_total(gs) == len(gs.select("SELECT * WHERE { ?p a ?c }", {"c": KG.Paper}))


def _stats_quads(gs: GraphStore) -> set:

    return set(gs.ox.quads_for_pattern(None, None, None, ox.NamedNode(str(STATS_GRAPH))))


def test_counts_from_extractions_equal_counts_read_back_from_the_graph(small_store):
    exs = [
        _ex("a", 2024, "2024-05-02", ("method/bert", "method", "uses"), ("dataset/glue", "dataset", "evaluates_on")),
        _ex("b", 2025, "2025-01-10", ("method/bert", "method", "proposes")),
        _ex("c", 2025, "2025-01-30", ("method/bert", "method", "uses"), ("task/qa", "task", "uses")),
        _ex("d", None, None, ("method/lora", "method", "uses")),
    ]
    halves = count_extractions(exs[:2])
    halves.merge(count_extractions(exs[2:]))
    assert halves == st.count_store(small_store)


def test_a_build_writes_the_same_stats_graph_a_refresh_computes(tmp_path, tiny_extractor):
    from kg.build import build
    from kg.config import load_settings

    build([Path(__file__).parent / "data" / "papers.jsonl"], load_settings({"store_dir": str(tmp_path)}, env={}),
          extractor=tiny_extractor)
    gs = GraphStore.open(tmp_path, read_only=False)
    built = _stats_quads(gs)
    assert len(built) > 50
    st.refresh_stats(gs)
    assert _stats_quads(gs) == built


def test_stats_delta_gives_the_graph_a_full_write_gives(small_store):
    """An update's difference applied in place (papers added and removed, an entity appearing, one disappearing,
    one changing class, projection pairs crossing the threshold) leaves the stats graph a full write of the new
    totals gives."""
    from collections import Counter

    def ex(pid, year, date, *ents):
        return _ex(pid, year, date, *ents)

    kept = [ex("a", 2024, "2024-05-02", ("method/bert", "method", "uses"), ("method/lora", "method", "uses"),
               ("task/qa", "task", "uses"), ("dataset/glue", "dataset", "evaluates_on")),
            ex("b", 2025, "2025-01-10", ("method/bert", "method", "uses"), ("method/lora", "method", "uses"))]
    removed = [ex("c", 2025, "2025-02-01", ("method/gone", "method", "uses"), ("method/bert", "method", "uses"))]
    added = [ex("d", 2025, "2025-01-30", ("method/bert", "method", "uses"), ("method/lora", "method", "uses"),
                ("task/qa", "task", "uses"), ("dataset/glue", "dataset", "evaluates_on"),
                ("method/new", "method", "proposes"))]
    # method/lora is read as a dataset by the corpus after the update (its decided class changes)
    classes = {str(RES[e]): str(KG.Method) for e in ("method/bert", "method/lora", "method/gone", "method/new")}
    classes |= {str(RES["task/qa"]): str(KG.Task), str(RES["dataset/glue"]): str(KG.Dataset)}
    after_classes = {**classes, str(RES["method/lora"]): str(KG.Dataset)}
    del after_classes[str(RES["method/gone"])]

    def counts(exs, cls):
        c = count_extractions(exs)
        c.entity_class = {e: k for e, k in cls.items() if e in c.per_entity}
        return c

    before, after = counts(kept + removed, classes), counts(kept + added, after_classes)
    stats_graph = ox.NamedNode(str(STATS_GRAPH))
    inc, full = GraphStore.in_memory(), GraphStore.in_memory()
    st.write_stats(inc, before, pair_min=2)
    st.write_stats(full, after, pair_min=2)
    delta = count_extractions(added)
    delta.subtract(count_extractions(removed))
    affected = {str(RES[e]) for e in ("method/bert", "method/lora", "method/gone", "method/new", "task/qa",
                                      "dataset/glue")}
    totals = {k: after.pairs[k] for k in set(delta.pairs) | {k for k in after.pairs | before.pairs
                                                             if {k[1], k[2]} & {str(RES["method/lora"])}}}
    st.apply_stats_delta(inc, delta, {e: classes.get(e) for e in affected}, {e: after_classes.get(e) for e in affected},
                         totals, after_classes, pair_min=2)
    got = Counter(inc.ox.quads_for_pattern(None, None, None, stats_graph))
    want = Counter(full.ox.quads_for_pattern(None, None, None, stats_graph))
    assert got == want
    assert any("pairs/task-dataset" in q.subject.value for q in want)  # a projection made it into the graph


def test_stats_proposals_of_undated_papers_count_on_a_node_without_year():
    method = str(KG.Method)
    proposals = [("p1", "m1", 2025), ("p2", "m1", None), ("p3", "m2", None), ("p3", "d1", None)]
    per_year = st.proposed_per_year(proposals, {"m1": method, "m2": method, "d1": str(KG.Dataset)})
    assert per_year == {2025: (1, 1), None: (2, 2)}
    assert list(per_year) == [2025, None]  # undated last
    quads = st._proposed_stats(None, 2, 2)
    assert {q[1] for q in quads} == {str(KG.proposedMethods), str(KG.proposingPapers)}  # no kg:forYear
    assert quads[0][0].endswith("/proposed/undated")
