"""The same input gives byte-identical `kg export --format nquads` output (across runs and batch sizes).

Single- vs multi-process and Dask builds are compared in tests/test_build_parallel.py and tests/test_dask_build.py.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kg.build import build
from kg.config import load_settings

FORMATS = Path(__file__).resolve().parent / "data" / "formats"


def test_determinism_same_input_same_nquads_bytes(tmp_path: Path, data_dir: Path, tiny_extractor):
    from kg import cli

    inputs = [data_dir / "papers.jsonl", FORMATS / "arxiv_api.atom", FORMATS / "reading_list.csv"]
    exports = []
    for n, task_size in enumerate((512, 1, 2)):
        root = tmp_path / f"s{n}"
        build(inputs, load_settings({"store_dir": str(root), "task_size": task_size}, env={}), extractor=tiny_extractor)
        res = CliRunner().invoke(cli.main, ["export", "--format", "nquads", "--store", str(root)])
        assert res.exit_code == 0
        exports.append(res.stdout_bytes)
    assert exports[0] == exports[1] == exports[2]
    assert exports[0].count(b"/resource/graph/paper/") > 100
