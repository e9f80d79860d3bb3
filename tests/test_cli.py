"""The kg command line, driven through click's CliRunner on tiny data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli-store")
    data = Path(__file__).parent / "data" / "papers.jsonl"
    result = CliRunner().invoke(main, ["build", str(data), "--store", str(root), "--no-ner"])
    assert result.exit_code == 0, result.output
    assert "kept 3" in result.output and "triples:" in result.output
    return root


def test_cli_query_prints_a_table(cli_store):
    q = "PREFIX kg: <https://w3id.org/kg-papers/ontology#> SELECT ?p WHERE { ?p a kg:Paper }"
    result = CliRunner().invoke(main, ["query", q, "--store", str(cli_store)])
    assert result.exit_code == 0 and "(3 rows)" in result.output


def test_cli_query_csv_and_ask(cli_store):
    out = CliRunner().invoke(main, ["query", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2", "--store", str(cli_store),
                                    "--format", "csv"]).output
    assert out.splitlines()[0] == "s"
    assert CliRunner().invoke(main, ["query", "ASK { ?s ?p ?o }", "--store", str(cli_store)]).output == "true\n"


def test_cli_query_error_is_clean(cli_store):
    result = CliRunner().invoke(main, ["query", "SELEC", "--store", str(cli_store)])
    assert result.exit_code == 1 and "Error:" in result.output and "Traceback" not in result.output


def test_cli_query_without_store_says_build_first(tmp_path):
    result = CliRunner().invoke(main, ["query", "ASK {}", "--store", str(tmp_path / "nothing")])
    assert result.exit_code == 1 and "kg build" in result.output


@pytest.mark.parametrize("fmt", ["turtle", "nt", "nquads", "jsonld"])
def test_cli_export_to_file(cli_store, tmp_path, fmt):
    out = tmp_path / f"g.{fmt}"
    result = CliRunner().invoke(main, ["export", "--format", fmt, "--out", str(out), "--store", str(cli_store)])
    assert result.exit_code == 0 and out.stat().st_size > 1000


def test_cli_extract_writes_the_contract(tmp_path, data_dir):
    out = tmp_path / "x.jsonl"
    result = CliRunner().invoke(main, ["extract", str(data_dir / "papers.jsonl"), "--out", str(out), "--no-ner"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["p1", "p2", "p3"]
    assert all({"type", "label", "iri", "role", "confidence", "mentions"} <= set(e) for r in rows for e in r["entities"])


def test_cli_serve_get_answers_in_process(cli_store):
    result = CliRunner().invoke(main, ["serve", "--store", str(cli_store), "--get", "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"])
    assert result.exit_code == 0 and json.loads(result.output)["boolean"] is True


def test_cli_build_reports_bad_input_and_keeps_good(tmp_path, data_dir):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "z", "title": "T"}\n{broken\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(bad), str(data_dir / "papers.jsonl"), "--store",
                                       str(tmp_path / "s"), "--no-ner"])
    assert result.exit_code == 0, result.output
    assert "kept 3" in result.output and "skipped 2" in result.output
    assert f"{bad}:1 (field 'abstract')" in result.output and f"{bad}:2" in result.output
