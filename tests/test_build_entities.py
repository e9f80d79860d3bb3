"""Entity aggregation (kg.build.entities): one type per entity, decided by the papers' readings, losers recorded."""

from __future__ import annotations

from kg.build.entities import EntityTable
from kg.model import Contribution


def _c(paper: str, etype: str, label: str = "MRI") -> Contribution:
    return Contribution(paper, "entity/mri", etype, label, (label,), (), ())  # type: ignore[arg-type]


def test_build_entities_type_is_the_majority_reading_and_the_losers_are_recorded():
    table = EntityTable()
    table.add_contributions([_c("p1", "dataset"), _c("p2", "method"), _c("p3", "method"), _c("p4", "method")])
    (e,) = table.entities()
    assert e.type == "method"
    assert any("also read as dataset in 1 of 4 papers" in r for r in e.merged_because)


def test_build_entities_tie_is_broken_by_a_fixed_order_not_by_arrival():
    a, b = EntityTable(), EntityTable()
    a.add_contributions([_c("p1", "dataset"), _c("p2", "method")])
    b.add_contributions([_c("p2", "method"), _c("p1", "dataset")])
    assert next(a.entities()).type == next(b.entities()).type == "method"


def test_build_entities_one_reading_records_nothing():
    table = EntityTable()
    table.add_contributions([_c("p1", "task"), _c("p2", "task")])
    (e,) = table.entities()
    assert e.type == "task" and not e.merged_because
