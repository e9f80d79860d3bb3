"""Streaming build pieces: acronym counts per batch, N-Quads wire format, spool, bounded export sort, pool runner."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rdflib import XSD, Literal, URIRef

from kg.build.spool import Spool, batched
from kg.build.workers import ExtractorSpec, ordered_window
from kg.config import load_settings
from kg.ingest import bundled_corpus, read_papers
from kg.store import GraphStore
from kg.store.nquads import nquads
from kg.store.oxigraph_store import sort_lines


def test_build_parallel_acronym_counts_do_not_depend_on_batching():
    """Counting per batch and merging (what pool and Dask workers do) equals one count over the whole corpus, and
    subtracting a part (kg remove) leaves the rest's counts."""
    from kg.extract.canonical import AcronymCounts, count_acronyms, resolve_acronyms

    papers = list(read_papers(bundled_corpus()))
    whole = count_acronyms(papers)
    for size in (1, 37, len(papers)):
        merged = AcronymCounts()
        for batch in batched(papers, size):
            merged.merge(count_acronyms(batch))
        assert (merged.defs, merged.surface, merged.shorts) == (whole.defs, whole.surface, whole.shorts)
    rest = count_acronyms(papers[200:])
    whole.subtract(count_acronyms(papers[:200]))
    assert (whole.defs, whole.surface, whole.shorts) == (rest.defs, rest.surface, rest.shorts)
    table = resolve_acronyms(count_acronyms(papers))
    assert table.get("ViT").long == "Vision Transformer" and table.get("ViTs").long == "Vision Transformer"

def test_build_parallel_nquads_wire_format_loads_like_add_quads():
    g = URIRef("https://w3id.org/kg-papers/resource/graph/paper/x")
    s = URIRef("https://w3id.org/kg-papers/resource/paper/x")
    quads = [(s, URIRef("http://purl.org/dc/terms/title"), Literal('A "quoted"\\ title\nwith lines\r'), g),
             (s, URIRef("https://w3id.org/kg-papers/ontology#year"), Literal(2024, datatype=XSD.integer), g),
             (s, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("é", lang="fr"), None),
             (s, URIRef("https://w3id.org/kg-papers/ontology#score"), Literal("0.500", datatype=XSD.decimal), g)]
    a, b = GraphStore.in_memory(), GraphStore.in_memory()
    a.add_quads(quads)
    b.load_nquads(nquads(quads).encode())
    out_a, out_b = io.BytesIO(), io.BytesIO()
    a.export("nquads", out_a)
    b.export("nquads", out_b)
    assert out_a.getvalue() == out_b.getvalue() and out_a.getvalue().count(b"\n") == 4


def test_build_parallel_export_sort_in_runs(tmp_path: Path):
    src = tmp_path / "in"
    src.write_bytes(b"c\nb\na\nb\nd")
    out = io.BytesIO()
    sort_lines(src, out, tmp_path, run_lines=2)
    assert out.getvalue() == b"a\nb\nc\nd\n"


def test_build_parallel_spool_replays_batches(tmp_path: Path):
    spool = Spool(tmp_path / "spool")
    assert list(spool.write(batched(range(7), 3))) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(spool.read()) == [[0, 1, 2], [3, 4, 5], [6]]


def test_build_parallel_ordered_window_keeps_order_and_bounds_inflight():
    inflight, peak = [], []

    def submit(x):
        inflight.append(x)
        peak.append(len(inflight))
        return x

    def wait(x):
        inflight.remove(x)
        return x * 10

    assert list(ordered_window(submit, wait, range(10), 3)) == [x * 10 for x in range(10)]
    assert max(peak) == 3


@pytest.mark.slow
def test_build_parallel_pool_equals_single_process_byte_for_byte(tmp_path: Path, data_dir: Path):
    """Two spawned workers, small tasks so both get work: the export is the single-process one, byte for byte."""
    from kg.build import build

    spec_settings = load_settings({"use_ner": False, "task_size": 1}, env={})
    spec = ExtractorSpec(spec_settings, str(data_dir / "vocab"))
    inputs = [data_dir / "papers.jsonl", Path(__file__).parent / "data" / "formats" / "reading_list.bib"]
    outs = []
    for n in (1, 2):
        settings = load_settings({"store_dir": str(tmp_path / f"s{n}"), "n_process": n, "task_size": 1,
                                  "use_ner": False}, env={})
        report = build(inputs, settings, extractor=spec)
        assert report.papers == 5
        out = io.BytesIO()
        GraphStore.open(tmp_path / f"s{n}").export("nquads", out)
        outs.append(out.getvalue())
    assert outs[0] == outs[1]


def test_build_parallel_cli_progress_bar_on_stderr(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                   tiny_extractor):
    from click.testing import CliRunner

    from kg import cli

    monkeypatch.setattr("kg.build.workers.ExtractorSpec.make", lambda self: tiny_extractor)
    res = CliRunner().invoke(cli.main, ["build", str(data_dir / "papers.jsonl"), "--store", str(tmp_path),
                                        "--progress"])
    assert res.exit_code == 0, res.output
    assert "3/3" in res.stderr and "paper/s" in res.stderr
    assert "kept 3" in res.stdout and "3/3" not in res.stdout
