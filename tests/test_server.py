"""App factory, landing page, one JSON error shape, graph view served offline."""

from __future__ import annotations

import re

from conftest import run_python

from server import create_app


def test_server_app_factory_applies_config(tiny_store):
    app = create_app({"store_dir": str(tiny_store), "KG_ROW_LIMIT": 7, "TESTING": True})
    assert app.config["KG_ROW_LIMIT"] == 7 and app.config["TESTING"] is True
    assert app.config["KG_STORE_DIR"] == str(tiny_store)


def test_server_landing_links_endpoint_graph_and_examples(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/sparql"' in html and 'href="/graph"' in html and 'href="/query"' in html
    assert 'href="/query?example=01_papers_by_architecture"' in html  # examples one click away, not raw SPARQL
    assert 'href="/graph?view=method-co-use"' in html and 'action="/graph"' in html  # explore, search
    assert "<style>" not in html and "<script" not in html


def test_server_landing_counts_papers_and_entities_per_type(client):
    html = client.get("/").get_data(as_text=True)
    counts = dict(re.findall(r'<li data-type="(\w+)">.*?<strong>([\d,]+)</strong>', html))
    assert set(counts) == {"paper", "method", "task", "dataset", "metric", "architecture"}
    assert counts["paper"] == "3" and int(counts["method"]) > 0


def test_server_landing_without_a_store_says_how_to_build_one(tmp_path):
    client = create_app({"store_dir": str(tmp_path / "none"), "TESTING": True}).test_client()
    resp = client.get("/")
    assert resp.status_code == 200 and "kg build" in resp.get_data(as_text=True)


def test_server_html_results_link_our_iris_to_the_graph_view(client):
    q = "PREFIX kg: <https://w3id.org/kg-papers/ontology#> SELECT ?p ?y WHERE { ?p kg:year ?y } ORDER BY ?p"
    html = client.get("/sparql", query_string={"query": q, "format": "html"}).get_data(as_text=True)
    assert '<a href="/graph?focus=https%3A%2F%2Fw3id.org%2Fkg-papers%2Fresource%2Fpaper%2Fp1"' in html
    assert ">res:paper/p1</a>" in html and "<td>2024</td>" in html and '<td class="row">1</td>' in html


def test_server_error_shape_is_pinned(client):
    resp = client.get("/sparql", query_string={"query": "SELEC"})
    assert resp.status_code == 400
    assert set(resp.json) == {"error"}
    assert set(resp.json["error"]) == {"status", "code", "message"}
    assert resp.json["error"]["code"] == "bad_query" and resp.json["error"]["status"] == 400
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"


def test_server_missing_store_is_503_with_advice(tmp_path):
    client = create_app({"store_dir": str(tmp_path / "none"), "TESTING": True}).test_client()
    resp = client.get("/sparql", query_string={"query": "ASK {}"})
    assert resp.status_code == 503 and "kg build" in resp.json["error"]["message"]


def test_server_sparql_select_json(client):
    q = "PREFIX kg: <https://w3id.org/kg-papers/ontology#> SELECT ?p WHERE { ?p a kg:Paper } ORDER BY ?p"
    resp = client.get("/sparql", query_string={"query": q}, headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200 and resp.mimetype == "application/sparql-results+json"
    ids = [b["p"]["value"].rsplit("/", 1)[-1] for b in resp.json["results"]["bindings"]]
    assert ids == ["p1", "p2", "p3"]


def test_server_graph_view_is_offline(client):
    html = client.get("/graph").get_data(as_text=True)
    srcs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert srcs and all(s.startswith("/") for s in srcs), srcs
    for s in srcs:
        resp = client.get(s)
        assert resp.status_code == 200
        resp.close()


def test_server_graph_focus_unknown_node_is_404(client):
    resp = client.get("/graph", query_string={"focus": "https://example.org/nothing"})
    assert resp.status_code == 404 and resp.json["error"]["status"] == 404


def test_server_never_imports_spacy(tiny_store):
    code = f"""
import sys
from server import create_app
client = create_app({{"store_dir": {str(tiny_store)!r}, "TESTING": True}}).test_client()
for path in ("/", "/query", "/graph", "/api/search?q=resnet", "/sparql?query=ASK%20%7B%7D"):
    assert client.get(path).status_code == 200, path
print(sorted(m for m in sys.modules if m.split(".")[0] == "spacy" or m.startswith(("kg.extract", "kg.build"))))
"""
    assert run_python(code).strip().splitlines()[-1] == "[]"
