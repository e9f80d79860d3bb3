"""The embedded store: atomic generations, named queries with bound parameters, deterministic export."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rdflib import Literal

from kg.build import build
from kg.config import load_settings
from kg.errors import QueryError, StoreError
from kg.namespace import KG
from kg.store import EXPORT_FORMATS, GraphStore, current_path, new_generation_path, publish_generation


def test_store_open_without_build_says_what_to_do(tmp_path: Path):
    with pytest.raises(StoreError, match="kg build"):
        GraphStore.open(tmp_path / "empty")


def test_store_failed_build_leaves_previous_graph_served(tmp_path: Path, data_dir: Path, tiny_extractor):
    settings = load_settings({"store_dir": str(tmp_path)}, env={})
    build([data_dir / "papers.jsonl"], settings, extractor=tiny_extractor)
    before = current_path(tmp_path)

    class Boom(RuntimeError):
        pass

    class FailingExtractor:
        def extract(self, papers):
            yield from tiny_extractor.extract(list(papers)[:1])
            raise Boom("killed mid-build")

    with pytest.raises(Boom):
        build([data_dir / "papers.jsonl"], settings, extractor=FailingExtractor())
    assert current_path(tmp_path) == before
    assert GraphStore.open(tmp_path).select(
        "PREFIX kg: <https://w3id.org/kg-papers/ontology#> SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper }")[0]["n"] == Literal(3)
    assert [p.name for p in (tmp_path / "generations").iterdir()] == [before.name]


def test_store_publish_is_an_atomic_symlink_swap(tmp_path: Path):
    gen = new_generation_path(tmp_path)
    gen.mkdir()
    publish_generation(tmp_path, gen)
    assert (tmp_path / "current").is_symlink() and current_path(tmp_path) == gen.resolve()


def test_store_named_query_binds_parameters_safely(tiny_store: Path):
    store = GraphStore.open(tiny_store)
    rows = store.named("papers_by_architecture", arch_class=KG.Transformer)
    titles = {str(r["title"]) for r in rows}
    assert "A study of decoder-only language models" in titles
    assert "Detecting objects with convolutional neural networks" in titles  # via BERT-style baselines → transformer
    # A hostile "value" is a literal, never query text.
    assert store.named("papers_by_architecture", arch_class=Literal("x } ; DROP ALL")) == []


def test_store_bad_query_is_a_query_error(tiny_store: Path):
    with pytest.raises(QueryError):
        GraphStore.open(tiny_store).select("SELEC nothing")


def test_store_export_nquads_is_sorted_and_stable(tiny_store: Path):
    store = GraphStore.open(tiny_store)
    a, b = io.BytesIO(), io.BytesIO()
    store.export("nquads", a)
    store.export("nquads", b)
    lines = a.getvalue().decode().splitlines()
    assert a.getvalue() == b.getvalue() and lines == sorted(lines)
    assert any("/resource/graph/paper/p1>" in ln for ln in lines)


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "trig", "rdfxml"])
def test_store_export_formats_parse_back(tiny_store: Path, fmt: str):
    import pyoxigraph as ox

    out = io.BytesIO()
    GraphStore.open(tiny_store).export(fmt, out)
    quads = list(ox.parse(out.getvalue(), format=EXPORT_FORMATS[fmt]))
    subjects = {getattr(q.subject, "value", None) for q in quads}
    assert "https://w3id.org/kg-papers/resource/paper/p1" in subjects


def test_store_build_report_counts(tmp_path: Path, data_dir: Path, tiny_extractor):
    report = build([data_dir / "papers.jsonl", data_dir / "papers.jsonl"],
                   load_settings({"store_dir": str(tmp_path)}, env={}), extractor=tiny_extractor)
    assert (report.ingest.read, report.ingest.kept, report.ingest.duplicates) == (6, 3, 3)
    assert report.papers == 3 and report.triples > 100
    assert set(report.entities_by_type) <= {"method", "task", "dataset", "metric", "architecture"}
    assert "kept 3" in report.summary()
