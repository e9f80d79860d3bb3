"""The /query page (YASGUI served from our own files) and the example queries it is preloaded with."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.store import GraphStore
from server import create_app
from server.store_access import EXTENSION_KEY
from server.ui import example_queries

REQUIRED = {"01_papers_by_architecture", "02_top_datasets_per_task", "03_methods_proposed_per_year",
            "04_methods_used_together", "05_evidence_for_a_link"}


class _MemoryHandle:
    def __init__(self, store: GraphStore) -> None:
        self.store, self.generation = store, 0

    def get(self) -> GraphStore:
        return self.store


def _config(html: str) -> dict:
    return json.loads(re.search(r'<script id="kg-query-config" type="application/json">(.*?)</script>', html,
                                re.S).group(1))


@pytest.fixture
def mem_client(tmp_path):
    app = create_app({"store_dir": str(tmp_path), "TESTING": True})
    app.extensions[EXTENSION_KEY] = _MemoryHandle(GraphStore.in_memory())
    return app.test_client()


def test_sparql_ui_page_loads_vendored_yasgui_and_examples(mem_client):
    resp = mem_client.get("/query")
    html = resp.data.decode()
    assert resp.status_code == 200
    scripts = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/yasgui/yasgui.min.js" in scripts and "/static/vendor/yasgui/yasgui.min.css" in scripts
    assert all(s.startswith(("/", "data:")) for s in scripts), scripts  # no CDN
    examples = _config(html)["examples"]
    assert {e["name"] for e in examples} >= REQUIRED
    for path in ("/static/vendor/yasgui/yasgui.min.js", "/static/vendor/yasgui/yasgui.min.css"):
        resp = mem_client.get(path)
        assert resp.status_code == 200
        resp.close()


def test_sparql_ui_vendored_files_carry_their_licence():
    vendor = Path(__file__).resolve().parents[1] / "server" / "static" / "vendor" / "yasgui"
    assert "MIT License" in (vendor / "LICENSE").read_text(encoding="utf-8")
    assert "sourceMappingURL" not in (vendor / "yasgui.min.js").read_text(encoding="utf-8")[-200:]


def test_sparql_ui_example_parameter_selects_the_initial_query(mem_client):
    html = mem_client.get("/query?example=04_methods_used_together").data.decode()
    initial = _config(html)["initial"]
    assert "Methods used together" in initial
    assert _config(html)["run"] is True  # an example link runs it at once
    own = mem_client.get("/query", query_string={"query": "ASK {}"}).data.decode()
    assert _config(own)["initial"] == "ASK {}" and _config(own)["run"] is False


def test_sparql_ui_page_has_no_inline_code(mem_client):
    html = mem_client.get("/query").data.decode()
    for attrs, code in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert 'type="application/json"' in attrs or (not code.strip() and "src=" in attrs), attrs
    assert "<style" not in html and not re.search(r"\son[a-z]+=", html)


@pytest.mark.parametrize("example", example_queries(), ids=lambda e: e["name"])
def test_sparql_ui_examples_run_on_the_endpoint(mem_client, example):
    assert example["title"] and not example["title"].startswith("PREFIX")
    resp = mem_client.post("/sparql", data={"query": example["query"]},
                           headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200, resp.data
    assert "results" in resp.get_json()


@pytest.mark.slow
def test_sparql_ui_every_example_answers_on_the_bundled_store(bundled_store):
    """The store `make run` serves: every example has rows (methods per year says "no year recorded" there)."""
    client = create_app({"store_dir": str(bundled_store), "TESTING": True}).test_client()
    for example in example_queries():
        resp = client.post("/sparql", data={"query": example["query"]},
                           headers={"Accept": "application/sparql-results+json"})
        rows = resp.get_json()["results"]["bindings"]
        assert rows, example["name"]
        if example["name"] == "07_entity_counts":
            assert {r["type"]["value"] for r in rows} == {"Paper", "Method", "Task", "Dataset", "Metric",
                                                          "Architecture"}
