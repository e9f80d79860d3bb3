"""server/api.py: /api/search, /api/node, /api/neighbours — JSON for the graph view, one error shape."""

from __future__ import annotations

import pytest

RES = "https://w3id.org/kg-papers/resource/"


def test_api_search_finds_entity_by_alias(client):
    resp = client.get("/api/search", query_string={"q": "residual network"})
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    first = resp.json["results"][0]
    assert first == {"iri": RES + "method/resnet", "label": "ResNet", "type": "method",
                     "matched": "residual network", "papers": first["papers"]}


def test_api_search_finds_papers_by_title(client):
    hits = client.get("/api/search", query_string={"q": "decoder-only", "limit": 5}).json["results"]
    assert RES + "paper/p3" in {h["iri"] for h in hits} and len(hits) <= 5


def test_api_search_text_is_never_sparql(client):
    # quotes, braces and SPARQL keywords are just text to search for
    resp = client.get("/api/search", query_string={"q": '") } DROP ALL ; SELECT * { ?s ?p ?o'})
    assert resp.status_code == 200 and resp.json["results"] == []


@pytest.mark.parametrize(("path", "query", "status", "code"), [
    ("/api/search", {}, 400, "bad_query"),
    ("/api/search", {"q": "vit", "limit": "many"}, 400, "bad_query"),
    ("/api/node", {}, 400, "bad_query"),
    ("/api/node", {"iri": "https://example.org/nothing"}, 404, "not_found"),
    ("/api/neighbours", {"iri": "https://example.org/nothing"}, 404, "not_found"),
])
def test_api_errors_use_the_one_error_shape(client, path, query, status, code):
    resp = client.get(path, query_string=query)
    assert resp.status_code == status
    assert resp.json["error"]["status"] == status and resp.json["error"]["code"] == code
    assert resp.json["error"]["message"]


def test_api_node_paper_has_evidence_segments_and_roles(client):
    d = client.get("/api/node", query_string={"iri": RES + "paper/p1"}).json
    assert d["type"] == "paper" and d["year"] == 2024
    marked = [s for s in d["abstract_segments"] if s.get("highlight")]
    assert {"ViT", "ImageNet-1K"} <= {s["text"] for s in marked}
    assert all(s["entity"].startswith(RES) and s["role"] for s in marked)
    assert {"proposes", "uses", "evaluatesOn"} <= set(d["roles"])


def test_api_node_entity_has_aliases_count_and_papers(client):
    d = client.get("/api/node", query_string={"iri": RES + "method/resnet"}).json
    assert d["label"] == "ResNet" and "residual network" in d["aliases"]
    assert d["paper_count"] == len(d["papers"]) >= 1
    assert {"iri": RES + "architecture/cnn", "label": "CNN", "type": "architecture"} in d["related"]


def test_api_neighbours_returns_vis_data(client):
    d = client.get("/api/neighbours", query_string={"iri": RES + "dataset/imagenet-1k"}).json
    ids = {n["id"] for n in d["nodes"]}
    assert {RES + "dataset/imagenet-1k", RES + "paper/p1"} <= ids
    assert all({"from", "to", "id", "relation"} <= set(e) for e in d["edges"])
    assert d["summary"]["focus"] == RES + "dataset/imagenet-1k"


def test_api_neighbours_limit(client):
    d = client.get("/api/neighbours", query_string={"iri": RES + "architecture/transformer", "limit": 1}).json
    assert d["summary"]["shown"] < d["summary"]["total"]


def test_api_json_keeps_injected_title_as_data(xss_store):
    from server import create_app

    client = create_app({"store_dir": str(xss_store), "TESTING": True}).test_client()
    resp = client.get("/api/node", query_string={"iri": RES + "paper/xss"})
    assert resp.json["title"] == "<img src=x onerror=alert(1)>"
    assert resp.mimetype == "application/json" and resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.json["title_segments"] == [{"text": "<img src=x onerror=alert(1)>"}]
    hits = client.get("/api/search", query_string={"q": "onerror"}).json["results"]
    assert hits[0]["label"] == "<img src=x onerror=alert(1)>"
