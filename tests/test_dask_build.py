"""Extraction on Dask distributed (a 2-worker LocalCluster on loopback): same N-Quads as the single-process build."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kg.build.workers import ExtractorSpec
from kg.config import load_settings
from kg.errors import ConfigError
from kg.store import GraphStore

pytest.importorskip("distributed")

FORMATS = Path(__file__).resolve().parent / "data" / "formats"


def _export(root: Path) -> bytes:
    out = io.BytesIO()
    GraphStore.open(root).export("nquads", out)
    return out.getvalue()


@pytest.mark.slow
def test_dask_build_local_cluster_equals_single_process(tmp_path: Path, data_dir: Path):
    from kg.build import build

    spec = ExtractorSpec(load_settings({"use_ner": False}, env={}), str(data_dir / "vocab"))
    inputs = [data_dir / "papers.jsonl", FORMATS / "papers-with-abstracts.json", FORMATS / "reading_list.bib"]
    single = load_settings({"store_dir": str(tmp_path / "one"), "task_size": 1}, env={})
    dask = load_settings({"store_dir": str(tmp_path / "dask"), "task_size": 1, "dask": "local", "n_process": 2},
                         env={})
    r1 = build(inputs, single, extractor=spec)
    r2 = build(inputs, dask, extractor=spec)
    assert r1.papers == r2.papers == 7
    assert _export(tmp_path / "one") == _export(tmp_path / "dask")


def test_dask_build_unreachable_scheduler_is_a_config_error():
    from kg.build.dask_runner import DaskRunner

    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        DaskRunner(ExtractorSpec(load_settings({}, env={})), "tcp://127.0.0.1:9", connect_timeout="1s")
