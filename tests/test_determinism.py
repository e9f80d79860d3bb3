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
    """Across task sizes (one batch, a batch per paper, two papers per batch) and load pieces: same bytes, and one
    load (of one or many pieces) each."""
    from kg import cli
    from kg.build import orchestrate
    from kg.store import GraphStore

    loads = []  # loads into the store per build: the one bulk load of the generation, and any other
    real_load, real_piece = orchestrate.load_generation, GraphStore.load_nquads

    def counting_load(*args):
        loads[-1] += 1
        return real_load(*args)

    def counting_piece(self, data):
        loads[-1] += 100
        real_piece(self, data)

    monkeypatch.setattr(orchestrate, "load_generation", counting_load)
    monkeypatch.setattr(GraphStore, "load_nquads", counting_piece)
    inputs = [data_dir / "papers.jsonl", FORMATS / "arxiv_api.atom", FORMATS / "reading_list.csv"]
    exports = []
    pieces = []  # pieces per build
    real_exit = orchestrate.Pieces.__exit__
    monkeypatch.setattr(orchestrate.Pieces, "__exit__",
                        lambda self, *exc: (pieces.append(len(self.paths)), real_exit(self, *exc))[1])
    for n, (task_size, piece_quads) in enumerate(((512, 10**6), (1, 10**6), (2, 10**6), (2, 50))):
        root = tmp_path / f"s{n}"
        settings = load_settings({"store_dir": str(root), "task_size": task_size}, env={})
        loads.append(0)
        monkeypatch.setattr(orchestrate, "PIECE_QUADS", piece_quads)  # the last build: many pieces, loaded 2 at a time
        build(inputs, settings, extractor=tiny_extractor)
        res = CliRunner().invoke(cli.main, ["export", "--format", "nquads", "--store", str(root)])
        assert res.exit_code == 0
        exports.append(res.stdout_bytes)
    assert all(e == exports[0] for e in exports[1:])
    assert loads == [1, 1, 1, 1]  # the whole graph in one load of its pieces, whatever the batches
    assert pieces[0] == 1 and pieces[-1] > 4
    assert exports[0].count(b"/resource/graph/paper/") > 100
