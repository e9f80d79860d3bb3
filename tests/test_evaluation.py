"""kg eval: gold format detection and scoring on tiny gold files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.evaluation import detect_gold_format, run_eval
from kg.evaluation.metrics import PRF
from kg.evaluation.paper_level import architecture_labels

ABSTRACT = "We fine-tune GPT-2 on COCO captions and report AP. We compare with BERT."


def _gold(tmp_path: Path, **fields) -> Path:
    rec = {"key": "k1", "title": "A study", "abstract": ABSTRACT, "methods": [], "tasks": [], "datasets": [],
           "metrics": [], "architectures": []} | fields
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    return path


def test_evaluation_prf_arithmetic():
    s = PRF(tp_pred=3, n_pred=4, tp_gold=3, n_gold=6)
    assert (s.precision, s.recall) == (0.75, 0.5) and s.f1 == pytest.approx(0.6)
    assert PRF().f1 == 0.0


def test_evaluation_paper_level_matches_labels_and_aliases(tmp_path, tiny_extractor):
    gold = _gold(tmp_path,
                 methods=[{"label": "GPT-2", "aliases": []}, {"label": "BERT", "aliases": []},
                          {"label": "LoRA", "aliases": [], "proposed": True}],
                 datasets=[{"label": "MS COCO", "aliases": ["COCO"]}],
                 metrics=[{"label": "average precision", "aliases": ["AP"]}],
                 architectures=["transformer", "decoder-only", "encoder-only"])
    report = run_eval(gold, tiny_extractor)
    s = report.scores
    assert (s["method"].tp_gold, s["method"].n_gold, s["method"].n_pred) == (2, 3, 2)
    assert s["dataset"].f1 == 1.0 and s["metric"].f1 == 1.0
    assert s["architecture"].tp_gold == 3
    assert "FN method 'LoRA' [k1]" in report.errors
    assert (report.roles["proposes"].n_gold, report.roles["proposes"].tp_gold) == (1, 0)
    assert "paper-level" in report.summary(5)


def test_evaluation_architecture_labels_follow_the_hierarchy():
    table = architecture_labels()
    base = "https://w3id.org/kg-papers/resource/architecture/"
    assert table[base + "lstm"] == {"RNN"}
    assert table[base + "vae"] == {"autoencoder"}
    assert table[base + "encoder-only"] == {"encoder-only", "transformer"}
    assert table[base + "vision-transformer"] == {"vision transformer", "transformer"}


def test_evaluation_guideline_gold_without_abstract_is_looked_up_in_corpus(tmp_path, tiny_extractor, data_dir):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"key": "p3", "title": "A study of decoder-only language models",
                                "methods": [{"label": "GPT-2"}], "architectures": ["decoder-only"]}) + "\n")
    report = run_eval(path, tiny_extractor, corpus=[data_dir / "papers.jsonl"])
    assert report.scores["method"].tp_gold == 1


def test_evaluation_unknown_architecture_in_gold_is_an_input_error(tmp_path, tiny_extractor):
    with pytest.raises(InputError, match="architectures"):
        run_eval(_gold(tmp_path, architectures=["quantum net"]), tiny_extractor)


def test_evaluation_mention_level_scierc(tmp_path, tiny_extractor):
    doc = {"doc_key": "d1", "sentences": [["We", "fine-tune", "BERT", "on", "COCO", "."]],
           "ner": [[[2, 2, "Method"], [4, 4, "Material"], [0, 0, "Generic"]]], "relations": [[]], "clusters": []}
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    assert detect_gold_format(path) == "scierc"
    report = run_eval(path, tiny_extractor)
    assert report.scores["Method"].f1 == 1.0 and report.scores["Material"].f1 == 1.0
    assert "Generic" not in report.scores


def test_evaluation_detects_formats(tmp_path):
    conll = tmp_path / "x.conll"
    conll.write_text("We\t0\tO\nuse\t3\tO\n", encoding="utf-8")
    assert detect_gold_format(conll) == "tdmsci"
    other = tmp_path / "y.txt"
    other.write_text("hello\n", encoding="utf-8")
    with pytest.raises(InputError, match="unrecognised gold format"):
        detect_gold_format(other)
