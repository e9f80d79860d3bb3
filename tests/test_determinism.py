"""The same input gives byte-identical `kg export --format nquads` output (across runs, batch and load sizes).

Single- vs multi-process and Dask builds are compared in tests/test_build_parallel.py and tests/test_dask_build.py.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kg.build import build
from kg.config import load_settings

FORMATS = Path(__file__).resolve().parent / "data" / "formats"


def test_determinism_same_input_same_nquads_bytes(tmp_path: Path, data_dir: Path, tiny_extractor, monkeypatch):
    from kg import cli
    from kg.store import GraphStore

    loads = []  # bulk loads per build
    real_load = GraphStore.load_nquads

    def counting_load(self, data: bytes) -> None:
        loads[-1] += 1
        real_load(self, data)

    monkeypatch.setattr(GraphStore, "load_nquads", counting_load)

    inputs = [data_dir / "papers.jsonl", FORMATS / "arxiv_api.atom", FORMATS / "reading_list.csv"]
    exports = []
    # load_bytes: each batch loaded as it comes (0), a few batches per load, everything in one load at the end
    for n, (task_size, load_bytes) in enumerate(((512, 0), (1, 0), (2, 0), (1, 20_000), (1, 10**9))):
        root = tmp_path / f"s{n}"
        settings = load_settings({"store_dir": str(root), "task_size": task_size, "load_bytes": load_bytes}, env={})
        loads.append(0)
        build(inputs, settings, extractor=tiny_extractor)
        res = CliRunner().invoke(cli.main, ["export", "--format", "nquads", "--store", str(root)])
        assert res.exit_code == 0
        exports.append(res.stdout_bytes)
    assert all(e == exports[0] for e in exports[1:])
    assert loads[1] > loads[3] > loads[4]  # the load sizes really differed
    assert exports[0].count(b"/resource/graph/paper/") > 100
