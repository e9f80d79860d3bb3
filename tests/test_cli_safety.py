"""The CLI with careless input: empty inputs refuse to publish, bad records cost only themselves (with their line,
on stderr, a summary line, --strict), and every user mistake is a message, not a traceback."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.store import current_path

DATA = Path(__file__).parent / "data" / "papers.jsonl"


def run(*args: str, env: dict | None = None):
    result = CliRunner().invoke(main, list(args), env=env)
    assert "Traceback" not in result.output and not isinstance(result.exception, (AttributeError, TypeError)), \
        result.output
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli-safety-store")
    result = run("build", str(DATA), "--store", str(root), "--no-ner")
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.parametrize("content", [b"", b"{broken\n{also broken\n", b"\x7fELF\x02\x01\x01\x00garbage"])
def test_cli_build_that_would_publish_nothing_refuses(built, tmp_path, content):
    src = tmp_path / "input.jsonl"
    src.write_bytes(content)
    before = current_path(built)
    result = run("build", str(src), "--store", str(built), "--no-ner")
    assert result.exit_code == 1 and "0 papers" in result.output and "--allow-empty" in result.output
    assert current_path(built) == before  # the served graph is untouched


def test_cli_build_allow_empty_publishes_an_empty_graph(tmp_path):
    src = tmp_path / "empty.jsonl"
    src.write_text("")
    result = run("build", str(src), "--store", str(tmp_path / "s"), "--no-ner", "--allow-empty")
    assert result.exit_code == 0 and current_path(tmp_path / "s") is not None


def test_cli_add_of_nothing_refuses(built, tmp_path):
    src = tmp_path / "empty.jsonl"
    src.write_text("\n")
    result = run("add", str(src), "--store", str(built))
    assert result.exit_code == 1 and "0 papers" in result.output


def _mixed_input(tmp_path: Path) -> Path:
    good = DATA.read_bytes().splitlines()
    huge = json.dumps({"id": "huge", "title": "A very long paper", "abstract": "word " * 220_000}).encode()
    bad_byte = b'{"id": "latin1", "title": "Caf\xe9 networks", "abstract": "We study caf\xe9 graphs."}'
    src = tmp_path / "mixed.jsonl"
    src.write_bytes(b"\n".join([good[0], bad_byte, good[1], huge, good[2]]) + b"\n")
    return src


def test_cli_bad_bytes_and_huge_records_cost_only_their_line(tmp_path):
    src = _mixed_input(tmp_path)
    result = run("build", str(src), "--store", str(tmp_path / "s"), "--no-ner")
    assert result.exit_code == 0, result.output
    assert "kept 3" in result.stdout and "skipped 2" in result.stdout
    assert f"{src}:2" in result.stderr and "not UTF-8" in result.stderr
    assert f"{src}:4 (field 'abstract')" in result.stderr and "1,000,000" in result.stderr
    assert "skipped 2 of 5 input records" in result.stderr  # the summary line, on stderr with the skip lines
    assert "skipped:" not in result.stdout


def test_cli_strict_exits_non_zero_on_any_skip_and_publishes_nothing(tmp_path):
    src = _mixed_input(tmp_path)
    result = run("build", str(src), "--store", str(tmp_path / "s"), "--no-ner", "--strict")
    assert result.exit_code == 1 and "--strict" in result.output
    assert current_path(tmp_path / "s") is None
    out = tmp_path / "x.jsonl"
    assert run("extract", str(src), "--out", str(out), "--no-ner", "--strict").exit_code == 1
    assert len(out.read_text().splitlines()) == 3  # the good papers were still written


def test_cli_user_mistakes_are_messages(built, tmp_path):
    cases = [
        (["query", "@" + str(tmp_path / "missing.rq"), "--store", str(built)], "cannot read the query file"),
        (["viz", "--out", str(tmp_path / "v.html"), "--query", "@" + str(tmp_path / "nope.rq"), "--store", str(built)],
         "cannot read the query file"),
        (["export", "--out", str(tmp_path / "no" / "dir" / "x.nt"), "--format", "nt", "--store", str(built)],
         "No such file or directory"),
        (["extract", str(DATA), "--out", str(tmp_path / "no" / "x.jsonl"), "--no-ner"], "No such file or directory"),
        (["viz", "--out", str(tmp_path / "no" / "v.html"), "--store", str(built)], "No such file or directory"),
        (["build", str(DATA), "--store", "/proc/kg-store", "--no-ner"], "/proc/kg-store"),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 1 and message in result.output, (args, result.output)
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for args in (["query", "ASK {}"], ["build", str(DATA), "--no-ner"]):
        result = run(*args, env={"KG_STORE_DIR": str(a_file)})
        assert result.exit_code == 1 and "is a file, not a store directory" in result.output


def test_cli_query_applies_the_servers_guard(built):
    update = run("query", "INSERT DATA { <http://a> <http://b> 1 }", "--store", str(built))
    assert update.exit_code == 1 and "updates are not accepted here" in update.output
    service = run("query", "SELECT * WHERE { SERVICE <http://kg-nowhere.invalid/x> { ?s ?p ?o } }",
                  "--store", str(built))
    assert service.exit_code == 1 and "SERVICE is not allowed" in service.output
    deep = run("query", "SELECT * WHERE " + "{" * 3000 + "}" * 3000, "--store", str(built))
    assert deep.exit_code == 1 and "nested" in deep.output


def test_cli_serve_port_in_use_is_a_message(built):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        result = run("serve", "--store", str(built), "--port", str(port))
    assert result.exit_code == 1 and f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "serving" not in result.output


def test_cli_make_run_keeps_a_built_store():
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    run_rule = makefile.split("\nrun:")[1].split("\n\n")[0]
    assert "kg-store/current" in run_rule and "else $(BIN)/kg build" in run_rule
    assert shutil.which("make") is None or True
