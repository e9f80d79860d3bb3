"""The curation file: strict parsing, each decision applied to one paper's extraction, and applied by `kg build`,
`kg add` and `kg curate` with a record on the entity in RDF (undone by deleting the line and curating again)."""

from __future__ import annotations

import io
import json
import pickle
import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from kg.build import add, build, curate, remove
from kg.build.workers import ExtractorSpec
from kg.config import curation_path, load_settings
from kg.errors import ConfigError, InputError, StoreError
from kg.extract.curation import Curation, apply_curation, curation_summary, load_curation, parse_curation
from kg.model import Entity, Link, Mention, Paper, PaperExtraction
from kg.namespace import parse_span
from kg.store import GraphStore, current_path, sidecar_path

R = "https://w3id.org/kg-papers/resource/"
PREFIXES = ("PREFIX kg: <https://w3id.org/kg-papers/ontology#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX dcterms: <http://purl.org/dc/terms/> ")


def _settings(root: Path, **kw):
    return load_settings({"store_dir": str(root), **kw}, env={})


def _export(root: Path) -> bytes:
    out = io.BytesIO()
    GraphStore.open(root).export("nquads", out)
    return out.getvalue()


def _values(root: Path, sparql: str) -> set[str]:
    """The first column of a SELECT; ``res:<path>`` spells a resource IRI (a '/' cannot sit in a prefixed name)."""
    sparql = re.sub(r"res:([\w/.-]+)", lambda m: f"<{R}{m.group(1)}>", sparql)
    return {str(next(iter(r.values()))) for r in GraphStore.open(root).select(PREFIXES + sparql)}


def _rows(root: Path, sparql: str) -> list[dict[str, str]]:
    """The rows of a SELECT as strings, ``res:<path>`` spelled as in ``_values``."""
    sparql = re.sub(r"res:([\w/.-]+)", lambda m: f"<{R}{m.group(1)}>", sparql)
    return [{k: str(v) for k, v in r.items()} for r in GraphStore.open(root).select(PREFIXES + sparql)]


# ------------------------------------------------------------------------------------------------ parsing


def test_curation_parses_every_operation_with_defaults(data_dir: Path):
    cur = load_curation(data_dir / "curation" / "tiny.jsonl")
    got = [(d.op, d.ids, d.into, d.label, d.source) for d in cur.decisions]
    assert got == [
        ("retype", ("method/knowledge-distillation",), "task/knowledge-distillation", "", "tiny.jsonl:2"),
        ("rename", ("entity/distilvit",), "", "DistilViT-B", "tiny.jsonl:3"),
        ("ban", ("method/bert",), "", "", "tiny.jsonl:4"),
        ("merge", ("dataset/imagenet-1k", "dataset/coco"), "dataset/vision-benchmark", "vision benchmarks",
         "tiny.jsonl:6"),
        ("split", ("method/vision-transformer",), "entity/vit", "ViT family", "tiny.jsonl:7"),  # as found: "ViTs"
        ("ban", ("method/does-not-exist",), "", "", "tiny.jsonl:8"),
    ]
    assert cur.decisions[0].note == "the paper's task, not a method"
    merge = parse_curation(['{"op": "merge", "ids": ["method/a", "method/b"]}']).decisions[0]
    assert merge.into == "method/a"  # default: the first id


def test_curation_decision_key_ignores_line_and_note():
    a = parse_curation(['{"op": "ban", "id": "method/x"}']).decisions[0]
    b = parse_curation(["", '{"op": "ban", "id": "method/x", "note": "junk"}']).decisions[0]
    c = parse_curation(['{"op": "ban", "id": "method/y"}']).decisions[0]
    assert a.key == b.key != c.key and a.source != b.source


BAD_LINES = [
    ('{"op": "ban", "id": "method/x"', None, r"not a JSON object"),
    ('["ban", "method/x"]', None, r"a decision is a JSON object"),
    ('{"id": "method/x"}', "op", r"missing operation"),
    ('{"op": "delete", "id": "method/x"}', "op", r"'delete' is not a known operation"),
    ('{"op": "ban", "id": "method/x", "label": "X"}', "label", r"unknown field for a ban decision"),
    ('{"op": "rename", "id": "method/x"}', "label", r"needs 'label'"),
    ('{"op": "rename", "id": "method/x", "label": "  "}', "label", r"non-empty string"),
    ('{"op": "ban", "id": "Method/X"}', "id", r"not an entity id"),
    ('{"op": "ban", "id": "model/x"}', "id", r"not an entity id"),
    ('{"op": "merge", "ids": ["method/x"]}', "ids", r"at least two"),
    ('{"op": "merge", "ids": ["method/x", "method/x"]}', "ids", r"listed twice"),
    ('{"op": "merge", "ids": ["method/x", "architecture/cnn"]}', "ids", r"architecture"),
    ('{"op": "merge", "ids": ["method/x", "method/y"], "into": "paper/z"}', "into", r"not an entity id"),
    ('{"op": "retype", "id": "method/x", "type": "method"}', "type", r"already is a method"),
    ('{"op": "retype", "id": "method/x", "type": "architecture"}', "type", r"not a type a decision can give"),
    ('{"op": "split", "id": "entity/gpt4o", "form": "GPT-4o"}', "form", r"names entity/gpt4o itself"),
    ('{"op": "split", "id": "method/x", "form": "--"}', "form", r"a letter or digit"),
    ('{"op": "ban", "id": "method/x", "note": 3}', "note", r"non-empty string"),
]


@pytest.mark.parametrize(("line", "field", "message"), BAD_LINES)
def test_curation_bad_line_names_file_line_and_field(tmp_path: Path, line: str, field: str | None, message: str):
    path = tmp_path / "curation.jsonl"
    path.write_text('# header\n{"op": "ban", "id": "method/fine"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        load_curation(path)
    assert (err.value.path, err.value.line, err.value.field) == (str(path), 3, field or "")
    assert str(err.value).startswith(f"{path}:3")


# ------------------------------------------------------------------------------------------------ applying

TITLE = "Hugging Face models"
ABSTRACT = "We use HuggingFace and Hugging Face tools with BERT. GPT-4o and GPT-4o-mini agree."


def _m(text: str, field: str = "abstract", component: str = "gazetteer", nth: int = 0) -> Mention:
    src = TITLE if field == "title" else ABSTRACT
    start = -1
    for _ in range(nth + 1):
        start = src.index(text, start + 1)
    return Mention(field, start, start + len(text), text, "", component)  # type: ignore[arg-type]


def _link(eid: str, label: str, *mentions: Mention, role: str = "uses", conf: float = 0.9, **kw) -> Link:
    etype = "method" if eid.startswith("entity/") else eid.split("/")[0]  # a found entity: read as a method here
    return Link(Entity(eid, etype, label, **kw), role, conf, mentions)  # type: ignore[arg-type]


def _paper(*links: Link) -> PaperExtraction:
    return PaperExtraction(Paper("p", TITLE, ABSTRACT), tuple(sorted(links, key=lambda lk: lk.entity.id)))


def _cur(*lines: str) -> Curation:
    return parse_curation(lines, "/somewhere/curation.jsonl")


def _by_id(ex: PaperExtraction) -> dict[str, Link]:
    return {lk.entity.id: lk for lk in ex.links}


def test_curation_unmatched_extraction_is_returned_unchanged():
    ex = _paper(_link("method/bert", "BERT", _m("BERT")))
    assert apply_curation(_cur('{"op": "ban", "id": "method/other"}'), ex) is ex
    assert apply_curation(Curation(), ex) is ex


def test_curation_merge_joins_links_mentions_and_names():
    ex = _paper(_link("method/hugging-face", "Hugging Face", _m("Hugging Face", "title"), _m("Hugging Face"),
                      role="proposes", conf=0.8),
                _link("method/huggingface", "HuggingFace", _m("HuggingFace", component="ner"), conf=0.95,
                      aliases=("HF",)))
    cur = _cur('{"op": "merge", "ids": ["method/huggingface", "method/hugging-face"], "into": "method/hugging-face"}')
    out = apply_curation(cur, ex)
    assert list(_by_id(out)) == ["method/hugging-face"]
    lk = _by_id(out)["method/hugging-face"]
    assert [m.text for m in lk.mentions] == ["Hugging Face", "HuggingFace", "Hugging Face"]  # title first, text order
    assert (lk.role, lk.confidence) == ("proposes", 0.95)  # a proposal stays one; the higher confidence
    assert lk.entity.label == "Hugging Face" and set(lk.entity.aliases) == {"HF", "HuggingFace"}
    record = "merge of method/huggingface, method/hugging-face into method/hugging-face by curation.jsonl:1"
    assert lk.entity.curation == (record,)
    assert set(out.curated) == {(cur.decisions[0].key, "method/huggingface"),
                                (cur.decisions[0].key, "method/hugging-face")}


def test_curation_split_moves_the_mentions_of_one_form():
    ex = _paper(_link("method/gpt-4o", "GPT-4o", _m("GPT-4o"), _m("GPT-4o-mini"), aliases=("GPT-4o-mini", "4o")))
    cur = _cur('{"op": "split", "id": "method/gpt-4o", "form": "Gpt-4o mini"}')  # case and separators folded
    links = _by_id(apply_curation(cur, ex))
    assert [m.text for m in links["method/gpt-4o"].mentions] == ["GPT-4o"]
    assert links["method/gpt-4o"].entity.aliases == ("4o",)
    assert links["method/gpt-4o"].entity.curation == (
        "mentions 'Gpt-4o mini' split off into entity/gpt4omini by curation.jsonl:1",)
    new = links["entity/gpt4omini"]
    assert [m.text for m in new.mentions] == ["GPT-4o-mini"] and new.entity.label == "Gpt-4o mini"
    assert new.entity.aliases == ("GPT-4o-mini",)
    assert new.entity.curation == ("split from method/gpt-4o (mentions 'Gpt-4o mini') by curation.jsonl:1",)

    only = _paper(_link("method/gpt-4o", "GPT-4o", _m("GPT-4o-mini")))
    assert list(_by_id(apply_curation(cur, only))) == ["entity/gpt4omini"]  # nothing left of the source
    other = _paper(_link("method/gpt-4o", "GPT-4o", _m("GPT-4o")))
    assert apply_curation(cur, other).curated == ()  # the id is there, the form is not: no match


def test_curation_rename_keeps_the_old_label_as_alias():
    ex = _paper(_link("method/bert", "bert", _m("BERT")))
    lk = _by_id(apply_curation(_cur('{"op": "rename", "id": "method/bert", "label": "BERT"}'), ex))["method/bert"]
    assert (lk.entity.label, lk.entity.aliases) == ("BERT", ("bert",))
    assert lk.entity.curation == ("label set to 'BERT' by curation.jsonl:1",)


def test_curation_retype_of_a_found_entity_keeps_its_id():
    ex = _paper(_link("entity/mri", "MRI", _m("BERT"), role="uses"))
    lk = _by_id(apply_curation(_cur('{"op": "retype", "id": "entity/mri", "type": "dataset"}'), ex))["entity/mri"]
    assert lk.entity.type == "dataset" and lk.entity.curation == ("typed dataset by curation.jsonl:1",)


def test_curation_merge_into_a_found_entity_keeps_the_survivors_type_and_candidates_stay_candidates():
    ex = _paper(_link("entity/huggingface", "HuggingFace", _m("HuggingFace"), conf=0.4),
                _link("entity/hf", "HF", _m("Hugging Face"), conf=0.3))
    ex = replace(ex, links=tuple(replace(lk, asserted=False) for lk in ex.links))
    out = _by_id(apply_curation(_cur('{"op": "merge", "ids": ["entity/huggingface", "entity/hf"]}'), ex))
    lk = out["entity/huggingface"]
    assert (lk.entity.type, lk.asserted, lk.confidence) == ("method", False, 0.4)


def test_curation_retype_changes_the_id_prefix_and_joins_an_existing_link():
    ex = _paper(_link("method/hugging-face", "Hugging Face", _m("Hugging Face")),
                _link("dataset/hugging-face", "Hugging Face", _m("Hugging Face", "title"), role="evaluates_on"))
    out = _by_id(apply_curation(_cur('{"op": "retype", "id": "method/hugging-face", "type": "dataset"}'), ex))
    assert list(out) == ["dataset/hugging-face"]
    lk = out["dataset/hugging-face"]
    assert lk.entity.type == "dataset" and len(lk.mentions) == 2
    assert lk.entity.curation == ("retyped from method (method/hugging-face) to dataset by curation.jsonl:1",)


def test_curation_ban_drops_the_link_and_what_was_inferred_only_from_it():
    ex = _paper(_link("method/bert", "BERT", _m("BERT")),
                _link("architecture/encoder-only", "encoder-only", _m("BERT", component="inferred:method/bert")),
                _link("architecture/transformer", "transformer", _m("BERT", component="inferred:method/bert"),
                      _m("GPT-4o", component="inferred:method/gpt-4o")),
                _link("method/gpt-4o", "GPT-4o", _m("GPT-4o")))
    out = _by_id(apply_curation(_cur('{"op": "ban", "id": "method/bert"}'), ex))
    assert sorted(out) == ["architecture/transformer", "method/gpt-4o"]
    assert [m.component for m in out["architecture/transformer"].mentions] == ["inferred:method/gpt-4o"]


def test_curation_decisions_apply_in_order_and_follow_moved_ids():
    ex = _paper(_link("method/bert", "BERT", _m("BERT")),
                _link("architecture/encoder-only", "encoder-only", _m("BERT", component="inferred:method/bert")))
    cur = _cur('{"op": "retype", "id": "method/bert", "type": "dataset"}',
               '{"op": "rename", "id": "dataset/bert", "label": "BERT corpus"}')
    out = _by_id(apply_curation(cur, ex))
    assert out["dataset/bert"].entity.label == "BERT corpus" and len(out["dataset/bert"].entity.curation) == 2
    assert out["architecture/encoder-only"].mentions[0].component == "inferred:dataset/bert"


def test_curation_summary_reports_ids_that_matched_nothing():
    cur = _cur('{"op": "merge", "ids": ["method/a", "method/typo"]}', '{"op": "ban", "id": "method/b"}',
               '{"op": "split", "id": "method/c", "form": "C-mini"}')
    lines = curation_summary(cur, {(cur.decisions[0].key, "method/a"): 3})
    assert lines[0] == "curation: curation.jsonl: 3 decisions, 1 matched"
    assert lines[1:] == [
        "curation.jsonl:1: method/typo matches no entity in the graph (merge method/a, method/typo into method/a)",
        "curation.jsonl:2: method/b matches no entity in the graph (ban method/b)",
        "curation.jsonl:3: no mention 'C-mini' of method/c in the graph (split 'C-mini' off method/c into entity/cmini)",
    ]
    assert curation_summary(Curation(), {}) == []


# ------------------------------------------------------------------------------------------------ settings


def test_curation_file_setting_default_none_and_missing(tmp_path: Path):
    assert curation_path(_settings(tmp_path)) is None
    (tmp_path / "curation.jsonl").write_text("", encoding="utf-8")
    assert curation_path(_settings(tmp_path)) == tmp_path / "curation.jsonl"  # default: beside the store
    assert curation_path(_settings(tmp_path, curation_file="none")) is None
    other = tmp_path / "mine.jsonl"
    other.write_text("", encoding="utf-8")
    assert curation_path(_settings(tmp_path, curation_file=str(other))) == other
    with pytest.raises(ConfigError, match="does not exist"):
        curation_path(_settings(tmp_path, curation_file=str(tmp_path / "typo.jsonl")))


def test_curation_travels_in_the_extractor_spec(tmp_path: Path, data_dir: Path):
    cur = load_curation(data_dir / "curation" / "tiny.jsonl")
    spec = ExtractorSpec(_settings(tmp_path), curation=cur)
    assert pickle.loads(pickle.dumps(spec)) == spec and hash(spec) == hash(pickle.loads(pickle.dumps(spec)))


# ------------------------------------------------------------------------------------------------ build, add, curate


@pytest.fixture(scope="module")
def curated_store(tmp_path_factory: pytest.TempPathFactory, data_dir: Path, tiny_vocab: Path):
    """tests/data/papers.jsonl built with tests/data/curation/tiny.jsonl as <store>/curation.jsonl, through the
    settings (an ExtractorSpec, as workers build their extractors)."""
    root = tmp_path_factory.mktemp("curated")
    (root / "curation.jsonl").write_bytes((data_dir / "curation" / "tiny.jsonl").read_bytes())
    settings = load_settings({"store_dir": str(root), "use_ner": False}, env={})
    report = build([data_dir / "papers.jsonl"], settings, extractor=ExtractorSpec(settings, str(tiny_vocab)))
    return root, report


def test_curation_build_retypes_and_records_it(curated_store):
    root, _ = curated_store
    assert _values(root, "SELECT ?p WHERE { ?p kg:addresses res:task/knowledge-distillation }") == {R + "paper/p1"}
    assert not _values(root, "SELECT ?p WHERE { ?p ?r res:method/knowledge-distillation }")
    assert _values(root, "SELECT ?c WHERE { res:task/knowledge-distillation kg:curation ?c }") == {
        ("retyped from method (method/knowledge-distillation) to task by curation.jsonl:2 "
         "(the paper's task, not a method)")}


def test_curation_build_renames(curated_store):
    root, _ = curated_store
    assert _values(root, "SELECT ?l WHERE { res:entity/distilvit rdfs:label ?l }") == {"DistilViT-B"}
    assert "DistilViT" in _values(root, "SELECT ?a WHERE { res:entity/distilvit skos:altLabel ?a }")
    assert _values(root, "SELECT ?c WHERE { res:entity/distilvit kg:curation ?c }") == {
        "label set to 'DistilViT-B' by curation.jsonl:3"}


def test_curation_build_bans_with_inferred_architectures(curated_store):
    root, _ = curated_store
    assert not _values(root, "SELECT ?s WHERE { { ?s ?p res:method/bert } UNION { res:method/bert ?p ?s } }")
    # p2's encoder-only and transformer links were inferred from BERT only
    assert not _values(root, "SELECT ?a WHERE { res:paper/p2 kg:hasArchitecture ?a . "
                              "FILTER(?a IN (res:architecture/encoder-only, res:architecture/transformer)) }")
    # p1's and p3's links to the transformer family come from other names (asserted or kept as candidates)
    assert _values(root, "SELECT ?p WHERE { ?l rdf:subject ?p ; rdf:object res:architecture/transformer }") == {
        R + "paper/p1", R + "paper/p3"}


def _mention_texts(root, entity: str) -> set[str]:
    """The texts of an entity's mentions, cut from the stored fields at the offsets of their span IRIs."""
    texts = set()
    for row in _rows(root, f"SELECT ?m ?title ?abstract WHERE {{ ?l rdf:object res:{entity} ; rdf:subject ?p ; "
                           "kg:hasMention ?m . ?p dcterms:title ?title ; dcterms:abstract ?abstract }"):
        _, field, start, end = parse_span(row["m"])
        texts.add(row[field][start:end])
    return texts


def test_curation_build_merges_and_splits(curated_store):
    root, _ = curated_store
    assert _values(root, "SELECT ?p WHERE { ?p kg:evaluatesOn res:dataset/vision-benchmark }") == {
        R + "paper/p1", R + "paper/p2"}
    assert _values(root, "SELECT ?l WHERE { res:dataset/vision-benchmark rdfs:label ?l }") == {"vision benchmarks"}
    assert {"ImageNet-1K", "COCO"} <= _values(root, "SELECT ?a WHERE { res:dataset/vision-benchmark skos:altLabel ?a }")
    assert not _values(root, "SELECT ?e WHERE { ?e a kg:Dataset FILTER(?e IN (res:dataset/coco, res:dataset/imagenet-1k)) }")
    # "ViT" and "ViTs" share the canonical key of the form (an acronym's plural is folded)
    assert _mention_texts(root, "entity/vit") == {"ViT", "ViTs"}
    assert _mention_texts(root, "method/vision-transformer") == {"Vision Transformer"}
    assert _values(root, "SELECT ?l WHERE { res:entity/vit rdfs:label ?l }") == {"ViT family"}
    assert _values(root, "SELECT ?c WHERE { res:method/vision-transformer kg:curation ?c }") == {
        "mentions 'ViTs' split off into entity/vit by curation.jsonl:7"}


def test_curation_build_reports_the_id_that_matched_nothing(curated_store):
    _, report = curated_store
    assert report.curation == [
        "curation: curation.jsonl: 6 decisions, 5 matched",
        "curation.jsonl:8: method/does-not-exist matches no entity in the graph (ban method/does-not-exist)"]
    assert "method/does-not-exist matches no entity" in report.summary()


def test_curation_bad_file_fails_the_build_and_keeps_the_served_graph(tmp_path: Path, data_dir: Path):
    root = tmp_path / "s"
    settings = _settings(root, use_ner=False)
    build([data_dir / "papers.jsonl"], settings, extractor=ExtractorSpec(settings, str(data_dir / "vocab")))
    served = current_path(root)
    (root / "curation.jsonl").write_text('{"op": "ban", "id": "method/bert"}\n{"op": "ban"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"curation.jsonl:2 \(field 'id'\): a ban decision needs 'id'"):
        build([data_dir / "papers.jsonl"], settings, extractor=ExtractorSpec(settings, str(data_dir / "vocab")))
    assert current_path(root) == served


def test_curation_add_then_curate_equals_a_curated_build_and_undo_restores(tmp_path: Path, data_dir: Path,
                                                                           tiny_extractor):
    extra = tmp_path / "p9.jsonl"
    extra.write_text(json.dumps({"id": "p9", "title": "Vision Transformers for remote sensing",
                                 "abstract": "We apply the Vision Transformer (ViT) to remote sensing and compare it "
                                             "with ResNet and BERT.", "year": 2025}) + "\n", encoding="utf-8")
    cur = load_curation(data_dir / "curation" / "tiny.jsonl")
    curated = tiny_extractor.with_curation(cur)
    papers = data_dir / "papers.jsonl"

    build([papers, extra], _settings(tmp_path / "ref"), extractor=curated)
    build([papers], _settings(tmp_path / "plain"), extractor=tiny_extractor)

    root = tmp_path / "inc"
    build([papers], _settings(root), extractor=tiny_extractor)
    report = add([extra], _settings(root), extractor=curated)
    # the new paper is curated (BERT banned there), the stored ones are not until `kg curate`
    assert not _values(root, "SELECT ?e WHERE { res:paper/p9 ?r ?e FILTER(?e = res:method/bert) }")
    assert _values(root, "SELECT ?p WHERE { ?p kg:comparesWith res:method/bert }") == {R + "paper/p2"}
    assert "curation: tiny.jsonl: 6 decisions" in report.summary()

    report = curate(_settings(root), extractor=curated)
    assert report.replaced == 3 and report.added == 0  # p1, p2 (named ids) and p9 (curated before)
    assert _export(root) == _export(tmp_path / "ref")

    # undo: without the file, `kg curate` extracts the papers curated before again, as they were
    report = curate(_settings(root), extractor=tiny_extractor)
    assert report.replaced == 3 and report.curation == []
    remove(["p9"], _settings(root))
    assert _export(root) == _export(tmp_path / "plain")


def test_curation_index_of_an_older_kg_asks_for_a_rebuild(tmp_path: Path, data_dir: Path, tiny_extractor):
    root = tmp_path / "s"
    build([data_dir / "papers.jsonl"], _settings(root), extractor=tiny_extractor)
    db = sqlite3.connect(sidecar_path(current_path(root)))
    db.execute("DELETE FROM meta WHERE name = 'schema'")  # what an index written before schema 2 looks like
    db.commit()
    db.close()
    with pytest.raises(StoreError, match=r"older kg .*kg build --store"):
        add([data_dir / "papers.jsonl"], _settings(root), extractor=tiny_extractor)


def test_curation_cli_curate_and_build_option(tmp_path: Path, data_dir: Path, tiny_extractor,
                                              monkeypatch: pytest.MonkeyPatch):
    from click.testing import CliRunner

    from kg import cli

    made = []

    def make(spec):
        made.append(spec.curation)
        return tiny_extractor.with_curation(spec.curation or Curation())

    monkeypatch.setattr("kg.build.workers.ExtractorSpec.make", make)
    root = tmp_path / "s"
    cur = tmp_path / "mine.jsonl"
    cur.write_text('{"op": "ban", "id": "method/resnet"}\n', encoding="utf-8")
    res = CliRunner().invoke(cli.main, ["build", str(data_dir / "papers.jsonl"), "--store", str(root),
                                        "--curation", str(cur)])
    assert res.exit_code == 0, res.output
    assert "curation: mine.jsonl: 1 decisions, 1 matched" in res.output
    assert not _values(root, "SELECT ?p WHERE { ?p ?r res:method/resnet }")

    cur.write_text('{"op": "ban", "id": "method/gpt-2"}\n', encoding="utf-8")
    res = CliRunner().invoke(cli.main, ["curate", "--store", str(root), "--curation", str(cur)])
    assert res.exit_code == 0, res.output
    assert "papers: added 0, replaced 2" in res.output  # p1 (ResNet curated before), p3 (GPT-2)
    assert _values(root, "SELECT ?p WHERE { ?p a kg:Paper ; ?r res:method/resnet }") == {R + "paper/p1"}
    assert not _values(root, "SELECT ?p WHERE { ?p ?r res:method/gpt-2 }")

    res = CliRunner().invoke(cli.main, ["curate", "--store", str(root), "--curation", str(tmp_path / "nope.jsonl")])
    assert res.exit_code == 1 and "does not exist" in res.output


def test_curation_kg_extract_applies_and_reports(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                 tiny_extractor):
    from click.testing import CliRunner

    from kg import cli

    cur = tmp_path / "c.jsonl"
    cur.write_text('{"op": "rename", "id": "method/gpt-2", "label": "GPT2"}\n{"op": "ban", "id": "task/nothing"}\n',
                   encoding="utf-8")

    def extractor(settings, *args):
        from kg.extract.curation import curation_for

        return tiny_extractor.with_curation(curation_for(settings))

    monkeypatch.setattr("kg.extract.Extractor", extractor)
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(cli.main, ["extract", str(data_dir / "papers.jsonl"), "--out", str(out),
                                        "--curation", str(cur)])
    assert res.exit_code == 0, res.output
    p3 = json.loads(out.read_text(encoding="utf-8").splitlines()[2])
    assert [e["label"] for e in p3["entities"] if e["iri"].endswith("method/gpt-2")] == ["GPT2"]
    assert "c.jsonl:2: task/nothing matches no entity" in res.stderr


@pytest.mark.slow
def test_curation_pool_build_equals_inline_build(tmp_path: Path, data_dir: Path):
    """Two spawned workers receive the decisions in their ExtractorSpec: the same graph, byte for byte."""
    outs = []
    for n in (1, 2):
        root = tmp_path / f"s{n}"
        root.mkdir()
        (root / "curation.jsonl").write_bytes((data_dir / "curation" / "tiny.jsonl").read_bytes())
        settings = _settings(root, use_ner=False, n_process=n, task_size=1)
        build([data_dir / "papers.jsonl"], settings, extractor=ExtractorSpec(settings, str(data_dir / "vocab"),
                                                                              curation=None))
        outs.append(_export(root))
    assert outs[0] == outs[1] and b"curation.jsonl:2" in outs[0]
