"""Client mistakes are 4xx (HEAD included) with no traceback logged; HTML pages carry CSP and X-Frame-Options;
the endpoint's URL comes from settings, not Host; CORS follows its setting; bidi controls never reach a display."""

from __future__ import annotations

import json
import logging

import pytest

from server import create_app

HOSTILE_IRIS = ["x", '">', "a b", "http://e/%ZZ\"", "<http://e/>", "http://e/\u202e", "javascript:alert(1)x y",
                "", " ", "http://e/" + "a" * 5000, "\\U00110000", "http://[::1", "_:b0"]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("path", ["/api/node", "/api/neighbours", "/graph?focus="])
def test_http_hostile_iris_are_4xx_without_tracebacks(client, caplog, method, path):
    caplog.set_level(logging.INFO)
    for iri in HOSTILE_IRIS:
        if path.endswith("="):
            resp = client.open(path.split("?")[0], method=method, query_string={"focus": iri})
        else:
            resp = client.open(path, method=method, query_string={"iri": iri})
        assert 400 <= resp.status_code < 500 or (resp.status_code == 200 and path.startswith("/graph") and not iri.strip()), (iri, resp.status_code)
    assert "Traceback" not in caplog.text and "unexpected error" not in caplog.text


@pytest.mark.parametrize(("path", "query"), [
    ("/sparql", {"query": 'SELECT * WHERE { ?s ?p "\\U00110000" }'}),
    ("/sparql", {"query": "SELECT * WHERE " + "{" * 500 + "}" * 500}),
    ("/graph", {"query": "CONSTRUCT WHERE " + "{" * 500 + "}" * 500}),
    ("/graph", {"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?o = \"\\UFFFFFFFF\") }"}),
    ("/api/search", {"q": "\x00\u202e" * 1000}),
    ("/api/neighbours", {"iri": "http://e/x", "limit": "1e9"}),
    ("/graph", {"limit": "-1;DROP"}),
])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_http_bad_requests_are_4xx(client, caplog, path, query, method):
    resp = client.open(path, method=method, query_string=query)
    assert resp.status_code < 500, resp.data[:300]
    assert "Traceback" not in caplog.text


def test_http_html_pages_carry_csp_and_frame_options(client):
    for path in ("/", "/query", "/graph"):
        resp = client.get(path)
        assert resp.status_code == 200 and resp.mimetype == "text/html"
        csp = resp.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "object-src 'none'" in csp
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_http_public_url_from_settings_never_from_host(tiny_store):
    client = create_app({"store_dir": str(tiny_store), "public_url": "https://kg.example.org/",
                         "TESTING": True}).test_client()
    page = client.get("/query", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "https://kg.example.org/sparql" in page and "evil.example" not in page
    sd = client.get("/sparql", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "https://kg.example.org/sparql" in sd and "evil.example" not in sd


@pytest.mark.parametrize(("setting", "origin", "allowed"), [
    ("*", "https://a.example", "*"),
    ("https://a.example, https://b.example", "https://b.example", "https://b.example"),
    ("https://a.example", "https://evil.example", None),
    ("", "https://a.example", None),
])
def test_http_cors_follows_its_setting(tiny_store, setting, origin, allowed):
    client = create_app({"store_dir": str(tiny_store), "cors_origins": setting, "TESTING": True}).test_client()
    resp = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": origin})
    assert resp.headers.get("Access-Control-Allow-Origin") == allowed


def test_http_bidi_controls_are_neutralised_in_json_and_pages(tmp_path, tiny_extractor):
    from kg.build import build
    from kg.config import load_settings

    src = tmp_path / "p.jsonl"
    title = "Evil \u202egnp.exe ResNet study"
    src.write_text(json.dumps({"id": "bidi", "title": title, "year": 2024,
                               "abstract": "We train ResNet on ImageNet-1K and report top-1 accuracy."}) + "\n")
    build([src], load_settings({"store_dir": str(tmp_path / "s")}, env={}), extractor=tiny_extractor)
    client = create_app({"store_dir": str(tmp_path / "s"), "TESTING": True}).test_client()
    hits = client.get("/api/search", query_string={"q": "gnp"}).get_json()["results"]
    assert hits and all("\u202e" not in h["label"] and "\ufffd" in h["label"] for h in hits)
    node = client.get("/api/node", query_string={"iri": hits[0]["iri"]}).get_json()
    assert "\u202e" not in json.dumps(node, ensure_ascii=False)
    page = client.get("/graph", query_string={"focus": hits[0]["iri"]}).get_data(as_text=True)
    assert "\u202e" not in page and "\\u202e" not in page.lower()


def test_http_byte_cap_cuts_an_answer_like_the_row_cap(tiny_store):
    client = create_app({"store_dir": str(tiny_store), "max_response_bytes": 2000, "TESTING": True}).test_client()
    resp = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"},
                      headers={"Accept": "text/csv"})
    assert resp.status_code == 200 and resp.headers["X-KG-Truncated"] == "true"
    assert 2000 <= len(resp.data) < 2000 + 4096  # the row being written when the cap was reached, no more


def test_http_api_reads_have_the_query_time_budget(tiny_store, monkeypatch):
    import time

    from kg.store.read import GraphReader

    monkeypatch.setattr(GraphReader, "node_details", lambda self, iri, max_papers=50, offset=0: time.sleep(2) or {})
    client = create_app({"store_dir": str(tiny_store), "query_timeout": 0.3, "TESTING": True}).test_client()
    t0 = time.monotonic()
    resp = client.get("/api/node", query_string={"iri": "http://example.org/x"})
    assert resp.status_code == 503 and resp.get_json()["error"]["code"] == "query_timeout"
    assert time.monotonic() - t0 < 1.5
