"""The extra input formats: arXiv JSON Lines (gzip), arXiv Atom, Papers with Code JSON, CSV, BibTeX."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kg.ingest import IngestReport, detect_format, read_papers

FORMATS = Path(__file__).resolve().parent / "data" / "formats"


def _read(*paths: Path) -> tuple[list, IngestReport]:
    report = IngestReport()
    return list(read_papers(paths, report)), report


@pytest.mark.parametrize(("name", "fmt"), [
    ("arxiv_sample.jsonl.gz", "jsonl"),
    ("arxiv_api.atom", "arxiv-atom"),
    ("papers-with-abstracts.json", "json-array"),
    ("reading_list.csv", "csv"),
    ("reading_list.bib", "bibtex"),
])
def test_ingest_formats_detected_from_content(name: str, fmt: str, tmp_path: Path):
    assert detect_format(FORMATS / name) == fmt
    disguised = tmp_path / "upload.dat"  # no telling suffix: content decides
    disguised.write_bytes(gzip.decompress((FORMATS / name).read_bytes()) if name.endswith(".gz")
                          else (FORMATS / name).read_bytes())
    assert detect_format(disguised) == fmt


@pytest.mark.parametrize(("name", "ids", "problems"), [
    ("arxiv_sample.jsonl.gz", ["2503.12061", "2503.12063", "2503.12067"], [(3, "title")]),
    ("arxiv_api.atom", ["2503.01234", "cs_0112017"], [(34, "abstract")]),
    ("papers-with-abstracts.json", ["1706.03762", "pwc-deep-residual-learning-for-image"], [(15, "abstract")]),
    ("reading_list.csv", ["1810.04805", "2005.14165"], [(3, "abstract"), (6, "")]),
    ("reading_list.bib", ["2006.11239", "doi-10.1162_tacl_a_00001"], [(27, "abstract"), (34, "title")]),
])
def test_ingest_formats_good_records_kept_bad_ones_located(name: str, ids: list[str], problems: list):
    papers, report = _read(FORMATS / name)
    assert [p.id for p in papers] == ids
    assert [(e.line, e.field) for e in report.problems] == problems
    assert all(str(e).startswith(str(FORMATS / name)) for e in report.problems)
    assert all(p.title and p.abstract and p.year for p in papers)


def test_ingest_formats_arxiv_jsonl_fields():
    papers, _ = _read(FORMATS / "arxiv_sample.jsonl.gz")
    p = papers[0]
    assert (p.year, p.date, p.url) == (2025, "2025-03-18", "https://arxiv.org/abs/2503.12061")


def test_ingest_formats_atom_entry_fields():
    p = _read(FORMATS / "arxiv_api.atom")[0][0]
    assert p.title == "Sparse Mixture-of-Experts Adapters for Low-Resource Machine Translation"
    assert p.abstract.startswith("We propose SMoA") and "\n" not in p.abstract
    assert (p.date, p.authors, p.url) == ("2025-03-01", ("Ana Pérez", "Wei Zhang"), "http://arxiv.org/abs/2503.01234v2")


def test_ingest_formats_pwc_fields():
    papers, _ = _read(FORMATS / "papers-with-abstracts.json")
    assert papers[0].url == "http://arxiv.org/abs/1706.03762v5"
    assert papers[0].authors == ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar")
    assert papers[1].year == 2015


def test_ingest_formats_csv_synonyms_and_multiline_cells():
    papers, _ = _read(FORMATS / "reading_list.csv")
    assert papers[0].authors == ("Jacob Devlin", "Ming-Wei Chang")
    assert papers[1].abstract.endswith("cloze tasks.") and papers[1].source == "reading_list.csv:4"


def test_ingest_formats_bibtex_latex_macros_and_names():
    papers, _ = _read(FORMATS / "reading_list.bib")
    ddpm, mueller = papers
    assert ddpm.authors == ("Jonathan Ho", "Ajay Jain", "Pieter Abbeel") and ddpm.year == 2020
    assert "CIFAR10 dataset" in ddpm.abstract
    assert mueller.title == "Müller's Benchmark for Robust Parsing & Tagging"
    assert mueller.authors == ("Anna Müller",) and "9% accuracy" in mueller.abstract


@pytest.mark.parametrize(("name", "text", "line", "message"), [
    ("bad.json", '[{"title": "A", "abstract": "B"},\n {"title": oops}]', 2, "not valid JSON"),
    ("cut.json", '[{"title": "A", "abstract": "B"},\n {"title": "C"', 2, "not valid JSON"),
    ("bad.atom", '<feed xmlns="http://www.w3.org/2005/Atom">\n<entry><title>x</title>\n</feed>', 3, "not well-formed"),
    ("bad.csv", "title,summary\n\"unterminated,quote\n", 2, "malformed CSV"),
    ("nohead.csv", "title;abstract\nA;B\n", None, None),
])
def test_ingest_formats_malformed_files_give_input_errors(tmp_path: Path, name: str, text: str, line, message):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    papers, report = _read(f)
    if message is None:  # a ';' table is fine
        assert [p.title for p in papers] == ["A"]
        return
    assert report.problems and report.problems[-1].line == line and message in str(report.problems[-1])


def test_ingest_formats_csv_header_without_abstract_column(tmp_path: Path):
    from kg.ingest import csv_table

    f = tmp_path / "t.csv"
    f.write_text("title,notes\nA,B\n", encoding="utf-8")
    errors = list(csv_table.read(f, f.read_text()))
    assert len(errors) == 1 and errors[0].field == "abstract" and errors[0].line == 1


def test_ingest_formats_large_array_streams_across_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import json

    from kg.ingest import json_array

    monkeypatch.setattr(json_array, "_CHUNK", 64)  # force elements to straddle read blocks
    recs = [{"title": f"Paper {i}", "abstract": "An abstract " * 20, "arxiv_id": f"2501.{i:05d}"} for i in range(30)]
    f = tmp_path / "big.json"
    f.write_text(json.dumps(recs, indent=1), encoding="utf-8")
    papers, report = _read(f)
    assert [p.id for p in papers] == [r["arxiv_id"] for r in recs] and report.skipped == 0
