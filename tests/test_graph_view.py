"""server/graph.py: /graph overview and views, ?focus= and ?query= deep links, error pages, assets from our own
server, escaping, no inline script code (a strict CSP holds)."""

from __future__ import annotations

import json
import re

import pytest

from server import create_app

RES = "https://w3id.org/kg-papers/resource/"


def _page_data(html: str) -> dict:
    """The data block the server embedded in the page."""
    return json.loads(re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', html, re.S).group(1))


HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}  # what a browser sends


def test_graph_view_overview_is_entity_centric_with_positions(client):
    resp = client.get("/graph")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    data = _page_data(resp.get_data(as_text=True))
    types = {n["type"] for n in data["nodes"]}
    assert "paper" not in types and types & {"method", "dataset", "task"}  # papers come when an entity is opened
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])  # laid out here
    assert {e["relation"] for e in data["edges"]} <= {"coOccursWith", "hasArchitecture"}
    assert all(e["weight"] >= 1 for e in data["edges"] if e["relation"] == "coOccursWith")
    assert data["config"]["apiBase"] == "/api"
    assert data["config"]["summary"]["view"] == "entities"
    assert "transformer" in data["config"]["families"]
    assert {s["name"] for s in data["config"]["styles"].values()} >= {"Paper", "Method or model", "Dataset"}


def test_graph_view_overview_respects_limit(client):
    data = _page_data(client.get("/graph", query_string={"limit": 3}).get_data(as_text=True))
    assert 0 < len(data["nodes"]) <= 3


@pytest.mark.parametrize(("view", "types", "relations"), [
    ("method-co-use", {"method"}, {"coOccursWith", "hasArchitecture"}),
    ("task-dataset", {"task", "dataset"}, {"datasetTask"}),
    ("method-dataset", {"method", "dataset"}, {"datasetTask"}),
    ("architectures", {"architecture", "method"}, {"hasArchitecture"}),
    ("papers", {"paper", "method", "dataset", "task", "architecture", "metric"}, None),
])
def test_graph_view_projection_views(client, view, types, relations):
    data = _page_data(client.get("/graph", query_string={"view": view}).get_data(as_text=True))
    assert data["nodes"] and {n["type"] for n in data["nodes"]} <= types
    if relations is not None:
        assert data["edges"] and {e["relation"] for e in data["edges"]} <= relations
    assert data["config"]["view"] == view


def test_graph_view_architectures_view_says_why_no_trend(client):
    # the tiny store's papers have years: a table; without years the view says why instead
    trends = _page_data(client.get("/graph?view=architectures").get_data(as_text=True))["config"]["trends"]
    assert trends.get("periods") or "no year" in trends["message"].lower()


def test_graph_view_page_has_no_inline_code(client):
    """Scripts are files and data is a JSON block: a Content-Security-Policy without 'unsafe-inline' holds."""
    for args in ({}, {"focus": RES + "method/resnet"}, {"focus": "not an iri"}):
        html = client.get("/graph", query_string=args, headers=HTML).get_data(as_text=True)
        for attrs, code in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            assert 'type="application/json"' in attrs or (not code.strip() and "src=" in attrs), attrs
        assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
        assert " style=" not in html


def test_graph_view_focus_opens_on_neighbourhood(client):
    html = client.get("/graph", query_string={"focus": RES + "method/resnet"}).get_data(as_text=True)
    data = _page_data(html)
    assert data["config"]["focus"] == RES + "method/resnet"
    assert {RES + "method/resnet", RES + "paper/p1", RES + "architecture/cnn"} <= {n["id"] for n in data["nodes"]}
    assert "<title>kg — ResNet</title>" in html


def test_graph_view_query_draws_constructed_graph(client):
    q = ("PREFIX kg: <https://w3id.org/kg-papers/ontology#>\n"
         "CONSTRUCT { ?p kg:evaluatesOn ?d } WHERE { ?p kg:evaluatesOn ?d }")
    data = _page_data(client.get("/graph", query_string={"query": q}).get_data(as_text=True))
    assert {e["relation"] for e in data["edges"]} == {"evaluatesOn"}
    assert RES + "dataset/coco" in {n["id"] for n in data["nodes"]}


@pytest.mark.parametrize(("query", "status"), [
    ("SELECT * WHERE { ?s ?p ?o }", 403),
    ("CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 403),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p }", 400),
])
def test_graph_view_query_refused_with_clear_error(client, query, status):
    resp = client.get("/graph", query_string={"query": query})
    assert resp.status_code == status and resp.json["error"]["message"]


@pytest.mark.parametrize("args", [{"limit": "lots"}, {"focus": RES + "paper/p1", "query": "CONSTRUCT {} WHERE {}"},
                                  {"focus": "not an iri"}, {"focus": "a b"}, {"view": "nonsense"}])
def test_graph_view_bad_arguments_are_400(client, args):
    resp = client.get("/graph", query_string=args)
    assert resp.status_code == 400 and resp.json["error"]["message"]


@pytest.mark.parametrize(("args", "status"), [
    ({"focus": "not an iri"}, 400), ({"focus": RES + "method/nothing-like-this"}, 404),
    ({"query": "SELECT * WHERE { ?s ?p ?o }"}, 403), ({"limit": "lots"}, 400),
])
def test_graph_view_errors_are_pages_with_an_error_box_for_browsers(client, args, status):
    resp = client.get("/graph", query_string=args, headers=HTML)
    assert resp.status_code == status and resp.mimetype == "text/html"
    error = _page_data(resp.get_data(as_text=True))["error"]
    assert error["status"] == status and error["message"]
    assert 'id="error"' in resp.get_data(as_text=True)


@pytest.mark.parametrize("name", ["renderer.js", "graph.js", "graph.css"])
def test_graph_view_assets_come_from_our_server(client, name):
    resp = client.get(f"/static/graph/{name}")
    assert resp.status_code == 200 and len(resp.data) > 100
    resp.close()
    html = client.get("/graph").get_data(as_text=True)
    refs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert f"/static/graph/{name}" in refs and all(r.startswith("/static/graph/") for r in refs)


def test_graph_view_favicon(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    resp.close()


def test_graph_view_unknown_asset_is_404(client):
    assert client.get("/static/graph/../../secret").status_code == 404
    assert client.get("/static/graph/nothing.js").status_code == 404


def test_graph_view_escapes_injected_title(xss_store):
    client = create_app({"store_dir": str(xss_store), "TESTING": True}).test_client()
    for args in ({"view": "papers"}, {"focus": RES + "paper/xss"}):
        html = client.get("/graph", query_string=args).get_data(as_text=True)
        assert "<img src=x" not in html and "<script>alert" not in html
        data = _page_data(html)
        assert any(n["label"] == "<img src=x onerror=alert(1)>" for n in data["nodes"])


HOSTILE = ["not an iri", "a b", "<script>alert(1)</script>", "\u202eevil", "http://", "https://example.org/\u0000x",
           "x" * 5000, "%", "%zz", "javascript:alert(1)", "urn:x", "_:b0", '"', "' OR 1=1 --", "} DROP ALL {", "\ud7ff",
           "https://w3id.org/kg-papers/resource/../../etc/passwd", "-1", "99999999999999999999"]


@pytest.mark.parametrize("value", HOSTILE)
def test_graph_view_hostile_input_never_answers_5xx(client, value):
    for path, name in [("/graph", "focus"), ("/graph", "view"), ("/graph", "limit"), ("/graph", "query"),
                       ("/api/node", "iri"), ("/api/neighbours", "iri"), ("/api/search", "q"),
                       ("/api/neighbours", "offset"), ("/api/node", "limit")]:
        args = {name: value}
        if name in ("offset", "limit") and path.startswith("/api"):
            args["iri"] = RES + "method/resnet"
        for headers in ({}, HTML):
            resp = client.get(path, query_string=args, headers=headers)
            assert resp.status_code < 500, (path, args, resp.status_code, resp.get_data(as_text=True)[:300])
            resp.close()
