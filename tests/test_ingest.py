from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.ingest import IngestReport, bundled_corpus, detect_format, read_papers


def _read(paths):
    report = IngestReport()
    papers = list(read_papers(paths, report))
    return papers, report


def test_ingest_hf_daily_skips_header_and_pairs_lines(data_dir: Path):
    papers, report = _read([data_dir / "daily.txt"])
    assert [p.title for p in papers] == ["First Paper Title: A Study", "Second Paper Title"]
    assert papers[0].abstract.startswith("This abstract is long enough")
    assert papers[0].id == "firstpapertitleastudy"
    assert papers[0].source == "daily.txt:11"
    assert (report.read, report.kept, report.duplicates, report.skipped) == (2, 2, 0, 0)


def test_ingest_hf_daily_glued_subscribe_and_orphan_title(data_dir: Path):
    papers, report = _read([data_dir / "daily_glued.txt"])
    assert [p.title for p in papers] == ["First Paper Title: A Study", "Third Paper Title"]
    assert report.skipped == 1
    problem = report.problems[0]
    assert problem.path.endswith("daily_glued.txt") and problem.line == 4
    assert "Orphan Title Without Abstract" in str(problem)


def test_ingest_same_paper_in_two_files_is_one_paper(data_dir: Path):
    papers, report = _read([data_dir / "daily.txt", data_dir / "daily_glued.txt"])
    assert len(papers) == 3
    assert report.duplicates == 1 and report.read == 4


def test_ingest_bundled_corpus_counts():
    papers, report = _read(bundled_corpus())
    assert (report.read, report.kept, report.duplicates, report.skipped) == (612, 517, 95, 0)
    assert len({p.id for p in papers}) == 517


def test_ingest_jsonl_fields(data_dir: Path):
    papers, _ = _read([data_dir / "papers.jsonl"])
    assert [p.id for p in papers] == ["p1", "p2", "p3"]
    assert papers[0].year == 2024


def test_ingest_jsonl_bad_lines_reported_good_kept(tmp_path: Path):
    f = tmp_path / "mixed.jsonl"
    f.write_text(
        "\n".join([
            json.dumps({"id": "a", "title": "Good one", "abstract": "Fine abstract."}),
            "{not json",
            json.dumps({"id": "b", "abstract": "No title here."}),
            json.dumps(["a list"]),
            json.dumps({"id": "c", "title": "Another good", "abstract": "Also fine.", "year": "2021-05"}),
            json.dumps({"id": "d", "title": "Bad year", "abstract": "x", "year": "soon"}),
        ]),
        encoding="utf-8",
    )
    papers, report = _read([f])
    assert [p.id for p in papers] == ["a", "c"]
    assert papers[1].year == 2021
    assert report.skipped == 4
    lines = [(p.line, p.field) for p in report.problems]
    assert lines == [(2, ""), (3, "title"), (4, ""), (6, "year")]
    assert all(str(p).startswith(str(f)) for p in report.problems)


def test_ingest_undecodable_byte_costs_only_its_line(tmp_path: Path, data_dir: Path):
    bad = tmp_path / "bad.jsonl"
    good = (data_dir / "papers.jsonl").read_bytes().splitlines()
    bad.write_bytes(b"\n".join([good[0], b'{"title": "\xff\xfe broken", "abstract": "x"}', good[1]]) + b"\n")
    papers, report = _read([bad])
    assert len(papers) == 2  # the good lines before and after the bad byte are kept
    assert report.skipped == 1 and "not UTF-8" in str(report.problems[0]) and report.problems[0].line == 2


def test_ingest_format_detected_from_content_not_suffix(tmp_path: Path, data_dir: Path):
    disguised = tmp_path / "papers.txt"
    disguised.write_bytes((data_dir / "papers.jsonl").read_bytes())
    assert detect_format(disguised) == "jsonl"
    gz = tmp_path / "papers.data.gz"
    gz.write_bytes(gzip.compress((data_dir / "papers.jsonl").read_bytes()))
    assert detect_format(gz) == "jsonl"
    papers, _ = _read([gz])
    assert len(papers) == 3


def test_ingest_missing_path_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError, match="no such file"):
        list(read_papers([tmp_path / "nope.jsonl"]))


def test_ingest_directory_is_read_recursively(tmp_path: Path, data_dir: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.jsonl").write_bytes((data_dir / "papers.jsonl").read_bytes())
    papers, _ = _read([tmp_path])
    assert len(papers) == 3
