"""server/api.py: /api/search, /api/node, /api/neighbours — JSON for the graph view, one error shape."""

from __future__ import annotations

import pytest

RES = "https://w3id.org/kg-papers/resource/"


def test_api_search_finds_entity_by_alias(client):
    resp = client.get("/api/search", query_string={"q": "residual network"})
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    first = resp.json["results"][0]
    assert first == {"iri": RES + "method/resnet", "label": "ResNet", "type": "method",
                     "matched": "residual network", "papers": first["papers"], "year": None}


def test_api_search_paper_hits_carry_their_year(client):
    hits = client.get("/api/search", query_string={"q": "decoder-only"}).json["results"]
    paper = next(h for h in hits if h["iri"] == RES + "paper/p3")
    assert paper["type"] == "paper" and isinstance(paper["year"], int)


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
    ("/api/node", {"iri": "a b"}, 400, "bad_query"),
    ("/api/neighbours", {"iri": "a b"}, 400, "bad_query"),
    ("/api/node", {"iri": "not an iri"}, 400, "bad_query"),
    ("/api/neighbours", {"iri": RES + "method/resnet", "offset": "-"}, 400, "bad_query"),
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


def test_api_neighbours_pages_do_not_overlap_and_cover_everything(client):
    iri = RES + "architecture/transformer"
    total = client.get("/api/neighbours", query_string={"iri": iri}).json["summary"]["total"]
    seen: list[str] = []
    for offset in range(0, total, 2):
        d = client.get("/api/neighbours", query_string={"iri": iri, "limit": 2, "offset": offset}).json
        seen += [n["id"] for n in d["nodes"] if n["id"] != iri]
        assert d["summary"]["shown"] <= 2
    assert len(seen) == len(set(seen)) == total


def test_api_neighbours_of_an_entity_bring_the_papers_other_links(client):
    d = client.get("/api/neighbours", query_string={"iri": RES + "dataset/imagenet-1k"}).json
    ids = {n["id"] for n in d["nodes"]}
    # p1 evaluates on ImageNet-1K and also uses ViT: that edge comes along for a page that shows ViT
    assert any(e["from"] == RES + "paper/p1" and e["to"] not in ids for e in d["edges"])


def test_api_node_pages_an_entitys_papers(client):
    iri = RES + "architecture/transformer"
    full = client.get("/api/node", query_string={"iri": iri}).json
    first = client.get("/api/node", query_string={"iri": iri, "limit": 1}).json
    second = client.get("/api/node", query_string={"iri": iri, "limit": 1, "offset": 1}).json
    assert [p["iri"] for p in first["papers"] + second["papers"]] == [p["iri"] for p in full["papers"][:2]]
    assert first["papers_total"] == full["papers_total"] and second["papers_offset"] == 1


def test_api_json_keeps_injected_title_as_data(xss_store):
    from server import create_app

    client = create_app({"store_dir": str(xss_store), "TESTING": True}).test_client()
    resp = client.get("/api/node", query_string={"iri": RES + "paper/xss"})
    assert resp.json["title"] == "<img src=x onerror=alert(1)>"
    assert resp.mimetype == "application/json" and resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.json["title_segments"] == [{"text": "<img src=x onerror=alert(1)>"}]
    hits = client.get("/api/search", query_string={"q": "onerror"}).json["results"]
    assert hits[0]["label"] == "<img src=x onerror=alert(1)>"


# ---------------------------------------------------------------- a new store generation is seen at once
NEW_PAPER = RES + "paper/quokka-1"
INSERT_PAPER = f"""PREFIX kg: <https://w3id.org/kg-papers/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
INSERT DATA {{ GRAPH <{RES}graph/paper/quokka-1> {{
  <{NEW_PAPER}> a kg:Paper ; dcterms:title "Quokka networks for marsupial detection" ; kg:year 2025 .
}} }}"""


def test_api_sees_a_paper_inserted_through_sparql_update(tiny_store, tmp_path):
    import shutil

    from server import create_app

    root = tmp_path / "store"
    shutil.copytree(tiny_store, root, symlinks=True)
    client = create_app({"store_dir": str(root), "update_enabled": True, "update_token": "s3cret",
                         "TESTING": True}).test_client()
    # read (and cache) everything the update must invalidate: the search index, the node, the overview page
    assert client.get("/api/search", query_string={"q": "quokka"}).json["results"] == []
    assert client.get("/graph", query_string={"focus": NEW_PAPER}).status_code == 404
    assert client.get("/api/node", query_string={"iri": NEW_PAPER}).status_code == 404
    assert "Quokka" not in client.get("/graph").get_data(as_text=True)

    resp = client.post("/sparql", data=INSERT_PAPER, content_type="application/sparql-update",
                       headers={"Authorization": "Bearer s3cret"})
    assert resp.status_code == 204

    hits = client.get("/api/search", query_string={"q": "quokka"}).json["results"]
    assert [(h["iri"], h["type"]) for h in hits] == [(NEW_PAPER, "paper")]
    page = client.get("/graph", query_string={"focus": NEW_PAPER})
    assert page.status_code == 200
    assert "<title>kg — Quokka networks for marsupial detection</title>" in page.get_data(as_text=True)
    node = client.get("/api/node", query_string={"iri": NEW_PAPER}).json
    assert node["title"] == "Quokka networks for marsupial detection" and node["year"] == 2025


def test_api_read_only_server_sees_a_newly_published_build(tmp_path, tiny_extractor, data_dir):
    import json

    from kg.build import build
    from kg.config import load_settings
    from server import create_app

    root = tmp_path / "store"
    settings = load_settings({"store_dir": str(root)}, env={})
    build([data_dir / "papers.jsonl"], settings, extractor=tiny_extractor)
    client = create_app({"store_dir": str(root), "TESTING": True}).test_client()
    assert client.get("/api/search", query_string={"q": "quokka"}).json["results"] == []
    assert client.get("/api/search", query_string={"q": "resnet"}).json["results"]

    more = tmp_path / "more.jsonl"
    extra = {"id": "quokka-1", "title": "Quokka networks for marsupial detection", "year": 2025,
             "abstract": "We train ResNet on ImageNet-1K."}
    more.write_text((data_dir / "papers.jsonl").read_text(encoding="utf-8") + json.dumps(extra) + "\n",
                    encoding="utf-8")
    build([more], settings, extractor=tiny_extractor)  # a second build publishes a new generation

    hits = client.get("/api/search", query_string={"q": "quokka"}).json["results"]
    assert [h["iri"] for h in hits] == [NEW_PAPER]
    page = client.get("/graph", query_string={"focus": NEW_PAPER})
    assert page.status_code == 200 and "Quokka networks" in page.get_data(as_text=True)
