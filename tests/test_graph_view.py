"""server/graph.py: /graph overview, ?focus= and ?query= deep links, assets from our own server, escaping."""

from __future__ import annotations

import json
import re

import pytest

from server import create_app

RES = "https://w3id.org/kg-papers/resource/"


def _page_data(html: str) -> dict:
    """The KG_GRAPH object the server embedded in the page."""
    body = re.search(r"window\.KG_GRAPH = (\{.*?\n  \});", html, re.S).group(1)
    parts = dict(re.findall(r"^    (\w+): (.*?),?$", body, re.M))
    return {k: json.loads(v) for k, v in parts.items()}


def test_graph_view_overview_draws_typed_nodes(client):
    resp = client.get("/graph")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    data = _page_data(resp.get_data(as_text=True))
    types = {n["ntype"] for n in data["nodes"]}
    assert "paper" in types and types & {"method", "dataset", "task"}
    assert data["config"]["apiBase"] == "/api"
    assert data["config"]["summary"]["view"] == "overview"
    assert "transformer" in data["config"]["families"]


def test_graph_view_overview_respects_limit(client):
    data = _page_data(client.get("/graph", query_string={"limit": 3}).get_data(as_text=True))
    assert 0 < len(data["nodes"]) <= 3


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


@pytest.mark.parametrize("args", [{"limit": "lots"}, {"focus": RES + "paper/p1", "query": "CONSTRUCT {} WHERE {}"}])
def test_graph_view_bad_arguments_are_400(client, args):
    assert client.get("/graph", query_string=args).status_code == 400


@pytest.mark.parametrize("name", ["vis-network.min.js", "vis-network.css", "graph.js", "graph.css"])
def test_graph_view_assets_come_from_our_server(client, name):
    resp = client.get(f"/static/graph/{name}")
    assert resp.status_code == 200 and len(resp.data) > 100
    resp.close()
    html = client.get("/graph").get_data(as_text=True)
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert f"/static/graph/{name}" in refs and all(r.startswith("/static/graph/") for r in refs)


def test_graph_view_unknown_asset_is_404(client):
    assert client.get("/static/graph/../../secret").status_code == 404
    assert client.get("/static/graph/nothing.js").status_code == 404


def test_graph_view_escapes_injected_title(xss_store):
    client = create_app({"store_dir": str(xss_store), "TESTING": True}).test_client()
    for args in ({}, {"focus": RES + "paper/xss"}):
        html = client.get("/graph", query_string=args).get_data(as_text=True)
        assert "<img src=x" not in html and "<script>alert" not in html
        data = _page_data(html)
        assert any(n["name"] == "<img src=x onerror=alert(1)>" for n in data["nodes"])
