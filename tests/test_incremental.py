"""kg add / kg remove: named graphs per paper, entities and stats recomputed, atomic like a build."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import add, build, remove
from kg.config import load_settings
from kg.errors import InputError, StoreError
from kg.store import GraphStore, current_path

FORMATS = Path(__file__).resolve().parent / "data" / "formats"


def _export(root: Path) -> bytes:
    out = io.BytesIO()
    GraphStore.open(root).export("nquads", out)
    return out.getvalue()


def _settings(root: Path):
    return load_settings({"store_dir": str(root)}, env={})


@pytest.fixture
def two_files(tmp_path: Path, data_dir: Path) -> tuple[Path, Path]:
    a = tmp_path / "a.jsonl"
    a.write_bytes((data_dir / "papers.jsonl").read_bytes())
    b = tmp_path / "b.jsonl"
    b.write_text(json.dumps({"id": "p9", "title": "Vision Transformers for remote sensing",
                             "abstract": "We apply the Vision Transformer (ViT) to ImageNet-1K style remote sensing "
                                         "data and compare it with ResNet.", "year": 2025}) + "\n", encoding="utf-8")
    return a, b


def test_incremental_add_equals_full_build_and_is_idempotent(tmp_path: Path, two_files, tiny_extractor):
    a, b = two_files
    build([a, b], _settings(tmp_path / "full"), extractor=tiny_extractor)
    build([a], _settings(tmp_path / "inc"), extractor=tiny_extractor)
    report = add([b], _settings(tmp_path / "inc"), extractor=tiny_extractor)
    assert (report.added, report.replaced) == (1, 0) and report.entities_updated > 0
    assert _export(tmp_path / "inc") == _export(tmp_path / "full")
    again = add([b], _settings(tmp_path / "inc"), extractor=tiny_extractor)
    assert (again.added, again.replaced) == (0, 1)
    assert _export(tmp_path / "inc") == _export(tmp_path / "full")


def test_incremental_remove_equals_build_without_the_paper(tmp_path: Path, two_files, tiny_extractor):
    a, b = two_files
    build([a, b], _settings(tmp_path / "s"), extractor=tiny_extractor)
    report = remove(["p9", "nope"], _settings(tmp_path / "s"))
    assert report.removed == 1 and report.unknown == ["nope"]
    build([a], _settings(tmp_path / "ref"), extractor=tiny_extractor)
    assert _export(tmp_path / "s") == _export(tmp_path / "ref")
    with pytest.raises(InputError, match="none of these papers"):
        remove(["nope"], _settings(tmp_path / "s"))


def test_incremental_replace_updates_paper_entities_and_stats(tmp_path: Path, two_files, tiny_extractor):
    a, b = two_files
    root = tmp_path / "s"
    build([a, b], _settings(root), extractor=tiny_extractor)
    changed = tmp_path / "changed.jsonl"
    changed.write_text(json.dumps({"id": "p9", "title": "Remote sensing without transformers",
                                   "abstract": "A plain study of sensors with no named models at all.",
                                   "year": 2025}) + "\n", encoding="utf-8")
    assert add([changed], _settings(root), extractor=tiny_extractor).replaced == 1
    store = GraphStore.open(root)
    rows = store.select("PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?t WHERE { "
                        "<https://w3id.org/kg-papers/resource/paper/p9> dcterms:title ?t }")
    assert [str(r["t"]) for r in rows] == ["Remote sensing without transformers"]
    build([a, changed], _settings(tmp_path / "ref"), extractor=tiny_extractor)
    assert _export(root) == _export(tmp_path / "ref")  # entities graph and stats graph included


def test_incremental_duplicate_title_with_new_id_is_skipped(tmp_path: Path, two_files, tiny_extractor):
    a, _ = two_files
    root = tmp_path / "s"
    build([a], _settings(root), extractor=tiny_extractor)
    dup = tmp_path / "dup.jsonl"
    first = json.loads(a.read_text(encoding="utf-8").splitlines()[0])
    dup.write_text(json.dumps(dict(first, id="other-id")) + "\n", encoding="utf-8")
    report = add([dup], _settings(root), extractor=tiny_extractor)
    assert report.added == 0 and report.duplicates and "p1" in report.duplicates[0]


def test_incremental_crash_mid_update_leaves_served_graph(tmp_path: Path, two_files, tiny_extractor,
                                                          monkeypatch: pytest.MonkeyPatch):
    a, b = two_files
    root = tmp_path / "s"
    build([a], _settings(root), extractor=tiny_extractor)
    before, served = current_path(root), _export(root)

    def boom(*args):
        raise RuntimeError("killed while refreshing statistics")

    monkeypatch.setattr("kg.build.incremental.apply_stats_delta", boom)
    with pytest.raises(RuntimeError, match="killed"):
        add([b], _settings(root), extractor=tiny_extractor)
    assert current_path(root) == before and _export(root) == served
    assert [p.name for p in (root / "generations").iterdir()] == [before.name]


def test_incremental_needs_a_built_store(tmp_path: Path, two_files):
    with pytest.raises(StoreError, match="kg build"):
        remove(["p1"], _settings(tmp_path / "empty"))


def test_incremental_cli_add_and_remove(tmp_path: Path, two_files, monkeypatch: pytest.MonkeyPatch, tiny_extractor):
    from kg import cli

    a, b = two_files
    root = tmp_path / "s"
    build([a], _settings(root), extractor=tiny_extractor)
    monkeypatch.setattr("kg.build.workers.ExtractorSpec.make", lambda self: tiny_extractor)
    runner = CliRunner()
    res = runner.invoke(cli.main, ["add", str(b), "--store", str(root), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "added 1" in res.output
    res = runner.invoke(cli.main, ["remove", "p9", "--store", str(root)])
    assert res.exit_code == 0 and "removed 1" in res.output
    res = runner.invoke(cli.main, ["remove", "p9", "--store", str(root)])
    assert res.exit_code == 1 and "none of these papers" in res.output


def test_incremental_acronym_counts_follow_adds_and_removes(tmp_path: Path, two_files, tiny_extractor):
    from kg.build.entity_index import EntityIndex
    from kg.store import sidecar_path

    def counts(root: Path) -> dict:
        idx = EntityIndex(sidecar_path(current_path(root)))
        try:
            c = idx.load_acronyms()
            return {k: dict(v) for k, v in c.defs.items()}
        finally:
            idx.close()

    a, b = two_files
    build([a, b], _settings(tmp_path / "full"), extractor=tiny_extractor)
    build([a], _settings(tmp_path / "inc"), extractor=tiny_extractor)
    only_a = counts(tmp_path / "inc")
    add([b], _settings(tmp_path / "inc"), extractor=tiny_extractor)
    assert counts(tmp_path / "inc") == counts(tmp_path / "full") != only_a
    remove(["p9"], _settings(tmp_path / "inc"))
    assert counts(tmp_path / "inc") == only_a


def test_entity_index_add_replaces_a_known_paper_unless_told_the_papers_are_new(tmp_path: Path):
    import sqlite3

    from kg.build.entity_index import EntityIndex
    from kg.model import Contribution

    idx = EntityIndex(tmp_path / "index.sqlite")
    c = Contribution("p1", "method/bert", "method", "BERT", ("BERT",), (), ())
    idx.add([("p1", "a title")], [c])
    idx.add([("p1", "a title")], [c])  # replace (kg add of the same paper): still one row each
    assert idx.paper_count() == 1 and list(idx.contributions(["method/bert"])) == [c]
    with pytest.raises(sqlite3.IntegrityError):  # a build promised distinct new papers: a repeat is a bug
        idx.add([("p1", "a title")], [c], replace=False)
    idx.close()
