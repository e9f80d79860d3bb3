"""`kg quality` on a store with planted problems: singletons by extractor, a variant cluster (and one met only
through an acronym alias), a label under two types, the top entities with their support."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import cli
from kg.analytics.quality import quality_report
from kg.build import build
from kg.config import load_settings
from kg.extract.curation import Curation, apply_curation, parse_curation
from kg.extract.normalize import canonical_key
from kg.model import Entity, Link, Mention, PaperExtraction

ABSTRACTS = {
    "q1": "We use Hugging Face and Stable Diffusion (SD).",
    "q2": "Hugging Face hosts MRI models.",
    "q3": "HuggingFace again.",
    "q4": "Speculative decoding (SD) on MRI scans.",
    "q5": "A new MRI benchmark.",
}
# paper → (entity id, type, label, surface text, extractor, aliases); "method/…" ids are vocabulary entities,
# "entity/…" ones found in the text (kg.ids)
PLANTED = {
    "q1": [("method/hugging-face", "method", "Hugging Face", "Hugging Face", "gazetteer", ()),
           ("entity/stablediffusion", "method", "Stable Diffusion", "Stable Diffusion", "abbreviation", ("SD",))],
    "q2": [("method/hugging-face", "method", "Hugging Face", "Hugging Face", "gazetteer", ()),
           ("method/mri", "method", "MRI", "MRI", "ner", ())],
    "q3": [("entity/huggingface", "method", "HuggingFace", "HuggingFace", "ner", ())],
    "q4": [("entity/speculativedecoding", "method", "Speculative decoding", "Speculative decoding", "abbreviation",
            ("SD",)),
           ("dataset/mri", "dataset", "MRI", "MRI", "ner", ())],
    "q5": [("dataset/mri", "dataset", "MRI", "MRI", "pattern", ()),
           ("dataset/mri", "dataset", "MRI", "MRI", "ner", ())],
}


class PlantedExtractor:
    """Extracts exactly the PLANTED links (then the curation, as the real extractor does)."""

    def __init__(self, curation: Curation | None = None) -> None:
        self.curation = curation or Curation()

    def extract(self, papers):
        for p in papers:
            links: dict[str, tuple[Entity, list[Mention]]] = {}
            for eid, etype, label, text, extractor, aliases in PLANTED[p.id]:
                start = p.abstract.index(text)
                m = Mention("abstract", start, start + len(text), text, p.abstract, extractor, 0.9)
                links.setdefault(eid, (Entity(eid, etype, label, aliases), []))[1].append(m)
            ex = PaperExtraction(p, tuple(Link(e, "uses", 0.9, tuple(ms)) for _, (e, ms) in sorted(links.items())))
            yield apply_curation(self.curation, ex)


def _build(root: Path, tmp_path: Path, curation: Curation | None = None) -> Path:
    src = tmp_path / "planted.jsonl"
    src.write_text("".join(json.dumps({"id": pid, "title": f"Paper {pid}", "abstract": a}) + "\n"
                           for pid, a in ABSTRACTS.items()), encoding="utf-8")
    build([src], load_settings({"store_dir": str(root)}, env={}), extractor=PlantedExtractor(curation))
    return root


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("planted")
    return _build(tmp / "store", tmp)


def test_quality_singletons_by_extractor(planted: Path):
    rows = quality_report(planted, canonical_key).singletons.to_dict(orient="records")
    # method singletons: huggingface, mri (ner); stable diffusion, speculative decoding (abbreviation)
    assert rows == [
        {"type": "method", "extractor": "abbreviation", "singletons": 2, "found by it alone": 2, "share of type": 0.4},
        {"type": "method", "extractor": "ner", "singletons": 2, "found by it alone": 2, "share of type": 0.4},
    ]


def test_quality_variant_clusters_with_merge_lines(planted: Path):
    df = quality_report(planted, canonical_key).clusters
    by_key = {r["key"]: r for r in df.to_dict(orient="records")}
    assert set(by_key) == {"huggingface", "sd"}
    hf = by_key["huggingface"]
    assert (hf["type"], hf["via"], hf["papers"]) == ("method", "label", 3)
    assert hf["entities"] == "method/hugging-face (2), entity/huggingface (1)"
    decision = parse_curation([hf["merge"]]).decisions[0]  # a line the curation file takes as is
    assert (decision.op, decision.ids, decision.into) == ("merge", ("method/hugging-face", "entity/huggingface"),
                                                          "method/hugging-face")
    sd = by_key["sd"]  # only the acronym alias "SD" is shared: the line is commented out, to review first
    assert sd["via"] == "alias only" and sd["merge"].startswith("# {")
    assert parse_curation([sd["merge"]]).decisions == ()
    assert list(df["key"]) == ["huggingface", "sd"]  # clusters through a label first


def test_quality_applying_the_printed_merge_removes_the_cluster(planted: Path, tmp_path: Path):
    line = quality_report(planted, canonical_key).clusters["merge"][0]
    merged = _build(tmp_path / "merged", tmp_path, parse_curation([line]))
    report = quality_report(merged, canonical_key)
    assert list(report.clusters["key"]) == ["sd"]
    top = report.top[report.top["type"] == "method"].to_dict(orient="records")[0]
    assert (top["entity"], top["papers"], top["extractors"]) == ("method/hugging-face", 3, "gazetteer 2, ner 1")


def test_quality_labels_under_several_types(planted: Path):
    rows = quality_report(planted, canonical_key).multi_type.to_dict(orient="records")
    assert rows == [{"label": "MRI", "types": "dataset 2, method 1", "entities": "dataset/mri, method/mri",
                     "papers": 3}]


def test_quality_top_entities_with_support(planted: Path):
    top = quality_report(planted, canonical_key, top=1).top
    assert top.to_dict(orient="records") == [
        {"type": "method", "rank": 1, "label": "Hugging Face", "papers": 2, "extractors": "gazetteer 2",
         "entity": "method/hugging-face"},
        {"type": "dataset", "rank": 1, "label": "MRI", "papers": 2, "extractors": "ner 2, pattern 1",
         "entity": "dataset/mri"},
    ]


def test_quality_summary_counts(planted: Path):
    summary = dict(quality_report(planted, canonical_key).summary.itertuples(index=False))
    assert summary["method entities"] == 5 and summary["dataset entities"] == 1
    assert summary["singleton entities (one paper)"] == 4 and summary["singleton share"] == round(4 / 6, 3)
    assert (summary["variant clusters"], summary["of which through a label"]) == (2, 1)
    assert (summary["IRIs in variant clusters"], summary["links to them"]) == (4, 5)
    assert summary["labels under several types"] == 1


def test_quality_cli_formats(planted: Path):
    res = CliRunner().invoke(cli.main, ["quality", "--store", str(planted)])
    assert res.exit_code == 0, res.output
    for heading in ("quality summary", "singleton entities", "variant clusters", "curation lines that merge them",
                    "labels under several types", "top method entities with their support"):
        assert heading in res.output
    assert '{"op": "merge", "ids": ["method/hugging-face", "entity/huggingface"]' in res.output

    res = CliRunner().invoke(cli.main, ["quality", "--store", str(planted), "--format", "json"])
    data = json.loads(res.output)
    assert set(data) == {"summary", "singletons", "clusters", "multi_type", "top"}
    assert data["multi_type"][0]["label"] == "MRI"

    res = CliRunner().invoke(cli.main, ["quality", "--store", str(planted), "--format", "csv", "--section", "clusters"])
    assert res.output.splitlines()[0] == "type,key,labels,via,entities,papers,merge"
    res = CliRunner().invoke(cli.main, ["quality", "--store", str(planted), "--format", "csv"])
    assert res.output.startswith("# summary\nmeasure,value\n") and "\n# top\n" in res.output


def test_quality_without_store_says_build_first(tmp_path: Path):
    res = CliRunner().invoke(cli.main, ["quality", "--store", str(tmp_path / "none")])
    assert res.exit_code == 1 and "kg build" in res.output


def test_quality_reads_each_column_once(planted: Path, monkeypatch: pytest.MonkeyPatch):
    """No per-entity queries: the report costs the same few queries whatever the number of entities."""
    from kg.store import GraphStore

    seen: list[str] = []
    real = GraphStore.query

    def counting(self, sparql, *args, **kw):
        seen.append(sparql)
        return real(self, sparql, *args, **kw)

    monkeypatch.setattr(GraphStore, "query", counting)
    quality_report(planted, canonical_key)
    assert len(seen) == 8
