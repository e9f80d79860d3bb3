"""Readers of the gold NER corpora (kg.evaluation.corpora) and the shipped NER model."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.evaluation.corpora import GoldDoc, read_gsap, read_scierc, read_tdmsci

MODEL_DIR = Path(__file__).resolve().parents[1] / "kg" / "extract" / "tagger_model"

SCIERC_DOC = {
    "doc_key": "X01-1001",
    "sentences": [["We", "fine-tune", "BERT", "on", "SQuAD", "."], ["F1", "improves", "."]],
    # token indices are document-global: "F1" is token 6
    "ner": [[[2, 2, "Method"], [4, 4, "Material"], [0, 0, "Generic"]], [[6, 6, "Metric"]]],
    "relations": [[], []],
}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _surfaces(doc: GoldDoc) -> list[tuple[str, str, str]]:
    return [(doc.text[s.start : s.end], s.label, s.raw_label) for s in doc.spans]


def test_training_corpora_scierc_offsets_map_to_tokens(tmp_path: Path) -> None:
    path = _write(tmp_path / "train.json", json.dumps(SCIERC_DOC) + "\n")
    (doc,) = read_scierc(path)
    assert doc.id == "X01-1001"
    assert doc.text == "We fine-tune BERT on SQuAD . F1 improves ."
    assert _surfaces(doc) == [("BERT", "METHOD", "Method"), ("SQuAD", "DATASET", "Material"),
                              ("F1", "METRIC", "Metric")]
    assert doc.source.endswith("train.json:1")


def test_training_corpora_scierc_raw_labels_kept_without_map(tmp_path: Path) -> None:
    path = _write(tmp_path / "train.json", json.dumps(SCIERC_DOC) + "\n")
    (doc,) = read_scierc(path, label_map=None)
    assert [s.label for s in doc.spans] == ["Generic", "Method", "Material", "Metric"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"sentences": [["a"]]}), "expected lists 'sentences' and 'ner'"),
        (json.dumps({"sentences": [["a", "b"]], "ner": [[[1, 2, "Task"]]]}), "outside its sentence"),
        (json.dumps({"sentences": [["a"]], "ner": [[], []]}), "1 sentences but 2 'ner' lists"),
    ],
)
def test_training_corpora_scierc_malformed_line_names_file_and_line(tmp_path: Path, line: str,
                                                                      message: str) -> None:
    path = _write(tmp_path / "bad.json", json.dumps(SCIERC_DOC) + "\n" + line + "\n")
    with pytest.raises(InputError, match=message) as info:
        list(read_scierc(path))
    assert f"{path}:2" in str(info.value)
    assert info.value.line == 2


def test_training_corpora_gsap_reads_gzip_and_maps_labels(tmp_path: Path) -> None:
    text = "Our model beats BERT on XNLI accuracy."
    record = {"pub": "p1", "unit": "text_unit_0", "fold": 0, "text": text, "entities": [
        [0, 9, "MLModelGeneric", "Our model"], [16, 20, "MLModel", "BERT"], [24, 28, "Dataset", "XNLI"],
        [24, 28, "Task", "XNLI"], [5, 5, "DatasetGeneric", ""]]}
    path = tmp_path / "paragraphs.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
    (doc,) = read_gsap(path)
    assert doc.id == "p1/text_unit_0"
    assert _surfaces(doc) == [("BERT", "METHOD", "MLModel"), ("XNLI", "DATASET", "Dataset"),
                              ("XNLI", "TASK", "Task")]


def test_training_corpora_gsap_surface_mismatch_is_an_error(tmp_path: Path) -> None:
    record = {"pub": "p1", "unit": "u", "text": "BERT works.", "entities": [[0, 4, "MLModel", "GPT"]]}
    path = _write(tmp_path / "p.jsonl", json.dumps(record) + "\n")
    with pytest.raises(InputError, match=r"p\.jsonl:1 .*does not match the text"):
        list(read_gsap(path))


TDMSCI = (
    "We\t0\tO\nreport\t3\tO\nBLEU\t10\tB-METRIC\non\t15\tO\nWMT\t18\tB-DATASET\n14\t22\tI-DATASET\n"
    "(\t25\tO\nEn-De\t26\tB-DATASET\n)\t31\tO\n.\t32\tO\n"
    "\n"
    "Machine\t34\tB-TASK\ntranslation\t42\tI-TASK\nis\t54\tO\nhard\t57\tO\n.\t61\tO\n"
)


def test_training_corpora_tdmsci_rebuilds_text_per_sentence(tmp_path: Path) -> None:
    path = _write(tmp_path / "train.conll", TDMSCI)
    first, second = read_tdmsci(path)
    assert first.text == "We report BLEU on WMT 14 (En-De)."
    assert _surfaces(first) == [("BLEU", "METRIC", "METRIC"), ("WMT 14", "DATASET", "DATASET"),
                                ("En-De", "DATASET", "DATASET")]
    assert second.text == "Machine translation is hard."
    assert second.mentions() == [("Machine translation", "TASK")]
    assert second.id == "train.conll:12"


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("BLEU\tten\tB-METRIC", "offset 'ten'"),
        ("BLEU\t10\tB_METRIC", "tag 'B_METRIC'"),
        ("BLEU 10 O", "expected"),
    ],
)
def test_training_corpora_tdmsci_malformed_line_names_file_and_line(tmp_path: Path, bad_line: str,
                                                                      message: str) -> None:
    path = _write(tmp_path / "train.conll", "We\t0\tO\n" + bad_line + "\n")
    with pytest.raises(InputError, match=message) as info:
        list(read_tdmsci(path))
    assert f"{path}:2" in str(info.value)


def test_training_corpora_shipped_tagger_tags_a_sentence() -> None:
    spacy = pytest.importorskip("spacy")
    from kg.extract.biluo import decode

    nlp = spacy.load(MODEL_DIR)
    assert nlp.pipe_names == ["tagger"]
    tags = list(nlp.get_pipe("tagger").labels)
    assert {t.split("-", 1)[-1] for t in tags} == {"O", "METHOD", "TASK", "DATASET", "METRIC"}
    assert not nlp.vocab.vectors.shape[0], "the shipped model must not carry pretrained vectors"
    doc = nlp.make_doc("We fine-tune BERT on SQuAD for question answering and report F1.")
    spans = decode(nlp.get_pipe("tagger").model.predict([doc])[0], tags)
    assert spans, "expected at least one entity"
