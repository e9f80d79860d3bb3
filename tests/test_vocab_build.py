"""Offline tests of the vocabulary generator (``tools.vocab_build``) and of the files it writes."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.extract.normalize import canonical_key, norm_key
from tools import vocab_build as vb

VOCAB = vb.VOCAB_DIR
ID_RE = re.compile(r"^(method|task|dataset|metric|architecture)/[a-z0-9]+(?:-[a-z0-9]+)*$")


def _records() -> dict[str, list[dict]]:
    return {
        stem: [json.loads(line) for line in (VOCAB / f"{stem}.jsonl").read_text(encoding="utf-8").splitlines()]
        for stem in vb.FILES.values()
    }


@pytest.fixture(scope="module")
def generated() -> dict[str, list[dict]]:
    return _records()


@pytest.fixture(scope="module")
def by_form(generated: dict[str, list[dict]]) -> dict[str, dict]:
    """norm key of every surface form → the record that owns it."""
    out: dict[str, dict] = {}
    for rows in generated.values():
        for r in rows:
            for f in [r["label"], *r["aliases"]]:
                out[norm_key(f)] = r
    return out


# ------------------------------------------------------------------------------------------ file format


def test_vocab_build_files_follow_the_readme_format(generated: dict[str, list[dict]]) -> None:
    allowed = {"id", "type", "label", "aliases", "architectures", "source", "case_sensitive", "match"}
    ids: list[str] = []
    for rtype, stem in vb.FILES.items():
        rows = generated[stem]
        assert rows, stem
        assert [r["id"] for r in rows] == sorted(r["id"] for r in rows), f"{stem} not sorted by id"
        for r in rows:
            assert set(r) <= allowed, r["id"]
            assert ID_RE.match(r["id"]), r["id"]
            assert r["type"] == rtype and r["id"].startswith(f"{rtype}/"), r["id"]
            assert r["label"].strip() == r["label"] and r["label"], r["id"]
            assert isinstance(r["aliases"], list) and r["label"] not in r["aliases"], r["id"]
            assert len(set(r["aliases"])) == len(r["aliases"]), r["id"]
            assert r["source"] == "curated" or r["source"].startswith("pwc:"), r["id"]
            assert isinstance(r.get("case_sensitive", True), bool) and r.get("match", True) in (True, False)
            ids.append(r["id"])
    assert len(ids) == len(set(ids)), "ids are not unique across files"


def test_vocab_build_architecture_ids_are_the_ontology_classes(generated: dict[str, list[dict]]) -> None:
    arch_ids = {r["id"] for r in generated["architectures"]}
    assert arch_ids == set(vb.ARCHITECTURE_IDS)
    for rows in generated.values():
        for r in rows:
            assert set(r.get("architectures", [])) <= arch_ids, r["id"]


@pytest.mark.parametrize("key_of", [norm_key, canonical_key], ids=["norm_key", "canonical_key"])
def test_vocab_build_every_surface_form_names_one_entity(generated: dict[str, list[dict]], key_of) -> None:
    """No two entities share a form, even once case, hyphens, spaces and plurals are folded (one IRI per name)."""
    owner: dict[str, str] = {}
    clashes = []
    for rows in generated.values():
        for r in rows:
            for f in [r["label"], *r["aliases"]]:
                k = key_of(f)
                if owner.setdefault(k, r["id"]) != r["id"] and norm_key(f) not in vb.DOCUMENTED_SHARED_FORMS:
                    clashes.append((f, owner[k], r["id"]))
    assert not clashes


def test_vocab_build_committed_files_are_up_to_date_and_byte_stable() -> None:
    first, _ = vb.build()
    second, _ = vb.build()
    assert first == second
    for name, text in first.items():
        assert (VOCAB / name).read_bytes() == text.encode("utf-8"), f"{name} is stale: run python -m tools.vocab_build"


def test_vocab_build_pwc_snapshot_is_vendored() -> None:
    assert (VOCAB / vb.PWC_SNAPSHOT).is_file()
    slugs = [m.slug for m in vb.load_pwc(VOCAB / vb.PWC_SNAPSHOT)]
    assert slugs == sorted(set(slugs)) and {"bert", "transformer", "sac", "softmax"} <= set(slugs)


# ------------------------------------------------------------------------------------------ filtering


@pytest.mark.parametrize(
    "name",
    ["Attention", "Dropout", "Linear Layer", "Softmax", "Convolution", "Dense Connections", "ReLU",
     "Residual Connection", "Gravity", "Ontology", "Electric", "Heatmap", "Temporal attention", "Lookahead"],
)
def test_vocab_build_generic_pwc_names_never_match(name: str, by_form: dict[str, dict]) -> None:
    rec = by_form.get(norm_key(name))
    assert rec is None or rec.get("match", True) is False, rec


@pytest.mark.parametrize("acronym", ["MAS", "GPS", "TS", "BASE", "AWARE", "OSCAR", "SAGA", "PnP", "SSD", "LDA", "EM", "IS"])
def test_vocab_build_ambiguous_acronyms_are_not_surface_forms(acronym: str, by_form: dict[str, dict]) -> None:
    assert norm_key(acronym) not in by_form


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        ("SAC", "ambiguous acronym"),
        ("PnP", "ambiguous acronym"),
        ("Gravity", "common word"),
        ("Inpainting", "common word"),
        ("Faster R-CNN", None),
        ("SRGAN", None),
        ("Charformer", None),
        ("BERT", None),
        ("Residual Network", None),
        ("YOLOv4", None),
    ],
)
def test_vocab_build_form_problem(form: str, problem: str | None) -> None:
    assert vb.form_problem(form) == problem


@pytest.mark.parametrize(
    ("form", "variants"),
    [
        ("hyperparameter optimization", ("hyperparameter optimisation",)),
        ("language modeling", ("language modelling",)),
        ("text summarisation", ("text summarization",)),
        ("image size", ()),
        ("object detection", ()),
    ],
)
def test_vocab_build_spelling_variants(form: str, variants: tuple[str, ...]) -> None:
    assert vb.spelling_variants(form) == variants


# ------------------------------------------------------------------------------------------ spot checks


@pytest.mark.parametrize(
    ("form", "entity_id", "architectures"),
    [
        ("BERT", "method/bert", {"architecture/encoder-only", "architecture/transformer"}),
        ("RoBERTa", "method/roberta", {"architecture/encoder-only"}),
        ("GPT-3", "method/gpt-3", {"architecture/decoder-only", "architecture/transformer"}),
        ("Llama 2", "method/llama-2", {"architecture/decoder-only"}),
        ("Whisper", "method/whisper", {"architecture/encoder-decoder"}),
        ("T5", "method/t5", {"architecture/encoder-decoder"}),
        ("U-Net", "method/u-net", {"architecture/cnn"}),
        ("ResNet-50", "method/resnet", {"architecture/cnn"}),
        ("Swin Transformer", "method/swin-transformer", {"architecture/vision-transformer"}),
        ("Mixtral", "method/mixtral", {"architecture/mixture-of-experts"}),
        ("Mamba", "method/mamba", {"architecture/state-space-model"}),
        ("Stable Diffusion", "method/stable-diffusion", {"architecture/diffusion-model"}),
        ("LoRA", "method/low-rank-adaptation", set()),
        ("Proximal Policy Optimization", "method/proximal-policy-optimization", set()),
        ("SAC", "method/soft-actor-critic", set()),
        ("SAM", "method/segment-anything-model", {"architecture/vision-transformer"}),
        ("IN-1K", "dataset/imagenet-1k", set()),
        ("ILSVRC 2012", "dataset/imagenet-1k", set()),
        ("MS-COCO", "dataset/coco", set()),
        ("WMT'14 En-De", "dataset/wmt14-en-de", set()),
        ("ASR", "task/automatic-speech-recognition", set()),
        ("crowd counting", "task/crowd-counting", set()),
        ("mIoU", "metric/mean-intersection-over-union", set()),
        ("top-1 accuracy", "metric/top-1-accuracy", set()),
        ("ViT", "architecture/vision-transformer", set()),
        ("NeRF", "architecture/implicit-neural-representation", set()),
        ("LSTM", "architecture/lstm", {"architecture/rnn"}),
        ("seq2seq", "architecture/encoder-decoder", set()),
        ("Long Short-Term Memory", "architecture/lstm", set()),
        ("Variational Autoencoder", "architecture/vae", {"architecture/autoencoder"}),
    ],
)
def test_vocab_build_spot_checks(form: str, entity_id: str, architectures: set[str], by_form: dict[str, dict]) -> None:
    rec = by_form.get(norm_key(form))
    assert rec is not None, f"{form!r} is not in the vocabularies"
    assert rec["id"] == entity_id
    assert rec.get("match", True)
    assert architectures <= set(rec.get("architectures", []))


def test_vocab_build_pwc_acronym_never_merges_into_a_different_curated_entity(generated: dict[str, list[dict]]) -> None:
    """PwC's SAC is Switchable Atrous Convolution; the curated SAC is Soft Actor-Critic."""
    methods = {r["id"]: r for r in generated["methods"]}
    assert "Switchable Atrous Convolution" not in methods["method/soft-actor-critic"]["aliases"]
    assert methods["method/switchable-atrous-convolution"]["source"] == "pwc:sac"
    assert "SAC" not in methods["method/switchable-atrous-convolution"]["aliases"]


# ------------------------------------------------------------------------------------------ merge rules on tiny inputs


def _tiny_vocab(tmp_path: Path, curated: list[dict], pwc: list[dict], overrides: list[dict]) -> Path:
    """A vocab dir with the real architectures, the given curated records (any type), PwC entries and overrides."""
    vocab = tmp_path / "vocab"
    (vocab / "curated").mkdir(parents=True)
    (vocab / "sources").mkdir()
    shutil.copy(VOCAB / "curated" / "architectures.jsonl", vocab / "curated" / "architectures.jsonl")
    files: dict[str, list[dict]] = {"methods": [], "tasks": [], "datasets": [], "metrics": [], "overrides": overrides}
    for r in curated:
        files[vb.FILES[r["type"]]].append(r)
    for stem, rows in files.items():
        (vocab / "curated" / f"{stem}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with gzip.open(vocab / vb.PWC_SNAPSHOT, "wt", encoding="utf-8") as fh:
        json.dump(pwc, fh)
    return vocab


def _pwc(slug: str, name: str, full: str, *collections: str, papers: int = 10) -> dict:
    return {"url": f"https://paperswithcode.com/method/{slug}", "name": name, "full_name": full,
            "num_papers": papers, "collections": [{"collection": c} for c in collections]}


def _built(vocab: Path) -> dict[str, dict]:
    texts, _ = vb.build(vocab)
    return {json.loads(line)["id"]: json.loads(line) for text in texts.values() for line in text.splitlines()}


def test_vocab_build_merges_pwc_into_curated_and_infers_architectures(tmp_path: Path) -> None:
    curated = [{"id": "method/ppo", "type": "method", "label": "Proximal Policy Optimization", "aliases": ["PPO"]}]
    pwc = [
        _pwc("ppo", "PPO", "Proximal Policy Optimization", "Policy Gradient Methods"),
        _pwc("sac", "SAC", "Switchable Atrous Convolution", "Convolutions"),
        _pwc("gpt-9", "GPT-9", "GPT-9", "Autoregressive Transformers"),
        _pwc("transformer", "Transformer", "Transformer", "Transformers"),
        _pwc("softmax", "Softmax", "Softmax", "Output Functions"),
        _pwc("linear-layer", "Linear Layer", "Linear Layer", "Feedforward Networks"),
        _pwc("gravity", "Gravity", "Gravity", "Stochastic Optimization"),
    ]
    recs = _built(_tiny_vocab(tmp_path, curated, pwc, []))
    assert "method/proximal-policy-optimization" not in recs and recs["method/ppo"]["source"] == "curated"
    assert recs["method/switchable-atrous-convolution"]["aliases"] == []
    assert recs["method/gpt-9"]["architectures"] == ["architecture/decoder-only", "architecture/transformer"]
    assert recs["method/gpt-9"]["source"] == "pwc:gpt-9"
    assert "method/transformer" not in recs
    assert recs["method/linear-layer"]["match"] is False and recs["method/softmax"]["match"] is False
    assert "method/gravity" not in recs


def test_vocab_build_overrides(tmp_path: Path) -> None:
    pwc = [_pwc("foo-net", "FooNet", "FooNet"), _pwc("bar-net", "BarNet", "Bar Network"), _pwc("baz-net", "BazNet", "BazNet")]
    overrides = [
        {"id": "method/foonet", "match": False},
        {"id": "method/barnet", "merge_into": "method/baznet"},
        {"id": "method/qux", "type": "method", "label": "Qux", "aliases": ["QuxNet"]},
        {"id": "method/baznet", "remove_aliases": ["Bar Network"]},
    ]
    recs = _built(_tiny_vocab(tmp_path, [], pwc, overrides))
    assert recs["method/foonet"]["match"] is False
    assert "method/barnet" not in recs and recs["method/baznet"]["aliases"] == ["BarNet"]
    assert recs["method/qux"]["aliases"] == ["QuxNet"]


def test_vocab_build_stale_override_is_an_error(tmp_path: Path) -> None:
    vocab = _tiny_vocab(tmp_path, [], [], [{"id": "method/gone", "match": False}])
    with pytest.raises(vb.VocabBuildError, match="unknown id method/gone"):
        vb.build(vocab)


def test_vocab_build_curated_clash_is_an_error(tmp_path: Path) -> None:
    curated = [
        {"id": "method/a", "type": "method", "label": "Alpha", "aliases": ["XYZ"]},
        {"id": "method/b", "type": "method", "label": "Beta", "aliases": ["XYZ"]},
    ]
    with pytest.raises(vb.VocabBuildError, match="share the surface form"):
        vb.build(_tiny_vocab(tmp_path, curated, [], []))


def test_vocab_build_pwc_loses_contested_form_to_curated(tmp_path: Path) -> None:
    curated = [{"id": "task/object-detection", "type": "task", "label": "object detection", "aliases": ["OD"]}]
    pwc = [_pwc("od-net", "OD Net", "Object Detection", "Object Detection Models")]
    recs = _built(_tiny_vocab(tmp_path, curated, pwc, []))
    assert recs["task/object-detection"]["aliases"] == ["OD"]
    assert [r["id"] for r in recs.values() if r["type"] == "method"] == []


def test_vocab_build_check_mode_reports_stale_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vocab = _tiny_vocab(tmp_path, [], [_pwc("foo-net", "FooNet", "FooNet")], [])
    assert vb.main(["--vocab-dir", str(vocab), "--check"]) == 1
    assert vb.main(["--vocab-dir", str(vocab)]) == 0
    assert vb.main(["--vocab-dir", str(vocab), "--check"]) == 0
    assert "out of date" in capsys.readouterr().err


@pytest.mark.slow
def test_vocab_build_output_does_not_depend_on_hash_seed() -> None:
    """Set iteration order must never leak into the files: ``--check`` passes under another hash seed."""
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    proc = subprocess.run([sys.executable, "-m", "tools.vocab_build", "--check"], env=env,
                          capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 0, proc.stderr


def test_vocab_build_annotations_shipped_for_training_pass_their_checker() -> None:
    """Every shipped annotation names only forms present in its paper (what the tagger's spans are found from)."""
    import json

    from tools.ner.check_annotations import problems

    data = Path(__file__).resolve().parents[1] / "tools" / "ner" / "data" / "arxiv"
    golds = sorted(data.glob("gold-*.jsonl"))
    assert len(golds) >= 16
    for gold in golds:
        inputs = gold.with_name(gold.name.replace("gold-", "input-")).read_text(encoding="utf-8").splitlines()
        records = gold.read_text(encoding="utf-8").splitlines()
        assert problems([json.loads(x) for x in inputs], [json.loads(x) for x in records]) == [], gold.name
