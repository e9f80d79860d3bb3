"""kg.viz: bounded views from the store, evidence segments, CONSTRUCT checks, offline and escaped HTML, `kg viz`."""

from __future__ import annotations

import json
import re

import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import XSS_TITLE

from kg.cli import main
from kg.errors import QueryError, QueryRefused
from kg.store import GraphStore
from kg.viz import render_html, vis_elements
from kg.viz.pyvis_html import BIG_GRAPH, options_for, script_json
from kg.viz.views import (
    NodeNotFound,
    check_construct,
    construct_view,
    first_view,
    highlight_segments,
    neighbourhood,
    node_details,
    search,
)

RES = "https://w3id.org/kg-papers/resource/"


@pytest.fixture(scope="module")
def store(tiny_store) -> GraphStore:
    return GraphStore.open(tiny_store)


# ---------------------------------------------------------------- evidence segments
@pytest.mark.parametrize(("text", "spans", "marked"), [
    ("We use ViT here.", [{"start": 7, "end": 10}], ["ViT"]),
    ("ab cd", [], []),
    ("ViT and KD", [{"start": 0, "end": 3}, {"start": 8, "end": 10}], ["ViT", "KD"]),
    # overlapping: the earlier, longer span wins
    ("Vision Transformer", [{"start": 0, "end": 18}, {"start": 7, "end": 18}], ["Vision Transformer"]),
    # out of range or empty spans are dropped
    ("short", [{"start": 3, "end": 99}, {"start": 2, "end": 2}], []),
])
def test_viz_highlight_segments_cover_text_and_mark_spans(text, spans, marked):
    segs = highlight_segments(text, spans)
    assert "".join(s["text"] for s in segs) == text
    assert [s["text"] for s in segs if s.get("highlight")] == marked


def test_viz_highlight_segments_carry_span_fields():
    segs = highlight_segments("use ViT", [{"start": 4, "end": 7, "entity": "e", "role": "uses"}])
    assert segs[-1] == {"text": "ViT", "highlight": True, "entity": "e", "role": "uses"}


# ---------------------------------------------------------------- CONSTRUCT only, no SERVICE
@pytest.mark.parametrize("query", [
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "PREFIX kg: <https://w3id.org/kg-papers/ontology#>\nconstruct { ?p kg:uses ?m } where { ?p kg:uses ?m }",
    'CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?o != "SERVICE") }  # SELECT in a comment',
])
def test_viz_check_construct_accepts(query):
    check_construct(query)


@pytest.mark.parametrize(("query", "error"), [
    ("SELECT * WHERE { ?s ?p ?o }", QueryRefused),
    ("ASK { ?s ?p ?o }", QueryRefused),
    ("DESCRIBE <http://x>", QueryRefused),
    ("INSERT DATA { <a:b> <a:c> <a:d> }", QueryRefused),
    ("CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }", QueryRefused),
    ("hello", QueryError),
])
def test_viz_check_construct_refuses(query, error):
    with pytest.raises(error):
        check_construct(query)


def test_viz_construct_view_draws_result_triples(store):
    g = construct_view(store, "PREFIX kg: <https://w3id.org/kg-papers/ontology#>\n"
                              "CONSTRUCT { ?p kg:evaluatesOn ?d } WHERE { ?p kg:evaluatesOn ?d }")
    assert g.has_edge(RES + "paper/p1", RES + "dataset/imagenet-1k")
    assert g.nodes[RES + "dataset/imagenet-1k"]["type"] == "dataset"
    assert g.nodes[RES + "paper/p1"]["label"].startswith("DistilViT")
    assert {d["relation"] for *_, d in g.edges(data=True)} == {"evaluatesOn"}


def test_viz_construct_view_stops_at_max_nodes(store):
    g = construct_view(store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", max_nodes=10)
    assert g.number_of_nodes() <= 10 and g.graph["cut"]


# ---------------------------------------------------------------- views from the store
def test_viz_first_view_is_bounded_and_typed(store):
    g = first_view(store, 6)
    assert 0 < g.number_of_nodes() <= 6
    assert {d["type"] for _, d in g.nodes(data=True)} <= {"paper", "method", "task", "dataset", "metric",
                                                          "architecture"}
    assert all(d["degree"] >= 1 for _, d in g.nodes(data=True))


def test_viz_first_view_ranks_entities_by_papers(store):
    g = first_view(store, 400)
    entities = [d for _, d in g.nodes(data=True) if d["type"] != "paper"]
    papers = [n for n, d in g.nodes(data=True) if d["type"] == "paper"]
    assert entities and set(papers) == {RES + "paper/p1", RES + "paper/p2", RES + "paper/p3"}
    assert g.has_edge(RES + "paper/p1", RES + "method/vision-transformer")


def test_viz_neighbourhood_of_entity_and_paper(store):
    g = neighbourhood(store, RES + "method/resnet")
    assert g.graph["focus"] == RES + "method/resnet"
    assert RES + "paper/p1" in g and g.edges[RES + "method/resnet", RES + "paper/p1"]["relation"] == "comparesWith"
    assert g.has_edge(RES + "method/resnet", RES + "architecture/cnn")  # method → architecture
    assert g.nodes[RES + "method/resnet"]["families"] == ["CNN"]
    p = neighbourhood(store, RES + "paper/p1")
    assert {g2 for g2 in p if g2 != RES + "paper/p1"} >= {RES + "method/distilvit", RES + "dataset/imagenet-1k"}
    assert p.graph["total"] == p.graph["shown"] == p.number_of_nodes() - 1


def test_viz_neighbourhood_is_cut_at_limit(store):
    g = neighbourhood(store, RES + "architecture/transformer", limit=1)
    assert g.graph["shown"] < g.graph["total"]


def test_viz_neighbourhood_unknown_node(store):
    with pytest.raises(NodeNotFound):
        neighbourhood(store, "https://example.org/nothing")


@pytest.mark.parametrize(("q", "first_iri"), [
    ("resnet", RES + "method/resnet"),
    ("residual network", RES + "method/resnet"),  # alias (skos:altLabel)
    ("IN-1K", RES + "dataset/imagenet-1k"),  # alias, case-insensitive
    ("decoder-only language", RES + "paper/p3"),  # paper title
])
def test_viz_search_by_label_alias_or_title(store, q, first_iri):
    hits = search(store, q)
    assert hits and hits[0]["iri"] == first_iri
    assert len({h["iri"] for h in hits}) == len(hits)


def test_viz_search_ignores_one_letter_queries(store):
    assert search(store, "a") == []


def test_viz_node_details_of_paper_highlights_evidence(store):
    d = node_details(store, RES + "paper/p1")
    assert d["type"] == "paper" and d["title"].startswith("DistilViT")
    assert "".join(s["text"] for s in d["abstract_segments"]) == d["abstract"]
    marked = {s["text"]: s for s in d["abstract_segments"] if s.get("highlight")}
    assert marked["ImageNet-1K"]["entity"] == RES + "dataset/imagenet-1k"
    assert marked["ImageNet-1K"]["role"] == "evaluatesOn"
    assert {e["iri"] for e in d["roles"]["proposes"]} == {RES + "method/distilvit"}
    assert list(d["roles"])[0] == "proposes"  # roles in the panel's order


def test_viz_node_details_of_entity(store):
    d = node_details(store, RES + "dataset/imagenet-1k")
    assert d["type"] == "dataset" and d["label"] == "ImageNet-1K"
    assert set(d["aliases"]) >= {"IN-1K"}
    assert d["paper_count"] == 1 and [p["iri"] for p in d["papers"]] == [RES + "paper/p1"]


# ---------------------------------------------------------------- HTML: offline, escaped, bounded physics
def _xss_graph() -> nx.Graph:
    g = nx.Graph()
    g.add_node("p", label=XSS_TITLE, type="paper", degree=1)
    g.add_node("e", label="</script><script>alert(1)</script>", type="method", degree=1)
    g.add_edge("p", "e", relation="uses", confidence=0.9)
    return g


def test_viz_script_json_cannot_close_the_script_element():
    text = script_json({"t": "</script><b>&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"t": "</script><b>&"}


def test_viz_render_html_escapes_labels():
    html = render_html(_xss_graph(), asset_base="/static/graph", api_base="/api")
    assert XSS_TITLE not in html and "</script><script>alert" not in html
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html


def test_viz_render_html_served_page_loads_only_our_assets():
    html = render_html(_xss_graph(), asset_base="/static/graph", api_base="/api")
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs and all(r.startswith("/static/graph/") for r in refs)


def test_viz_render_html_static_export_is_self_contained():
    html = render_html(_xss_graph(), asset_base=None)
    assert not re.search(r"<(?:script|link)[^>]+(?:src|href)=", html)
    assert "vis.Network" in html and "kgApplyFilters" in html  # vis-network and the page script inlined
    assert "http://" not in re.sub(r"https?://(?:www\.w3\.org|w3id\.org)[^\"' ]*", "", html).split("<body>")[1]


def test_viz_vis_elements_style_and_size_by_degree():
    g = nx.Graph()
    g.add_node("a", label="A", type="dataset", degree=50)
    g.add_node("b", label="B", type="dataset", degree=1)
    g.add_node("c", label="C", type="unknown-kind")
    g.add_edge("a", "b", relation="uses")
    nodes, edges = vis_elements(g)
    by_id = {n["id"]: n for n in nodes}
    assert by_id["a"]["shape"] == by_id["b"]["shape"] == "square"
    assert by_id["a"]["size"] > by_id["b"]["size"]
    assert by_id["c"]["shape"] == "ellipse" and by_id["c"]["degree"] == 0
    assert by_id["a"]["title"] == "dataset: A\n50 papers"  # plain-text tooltip
    assert edges == [{**edges[0], "from": "a", "to": "b", "id": "a b", "relation": "uses"}]


def test_viz_vis_elements_falls_back_to_graph_degree():
    g = nx.path_graph(3)
    nx.set_node_attributes(g, "method", "type")
    nodes, _ = vis_elements(g)
    assert [n["degree"] for n in nodes] == [1, 2, 1]


@pytest.mark.parametrize("n", [10, BIG_GRAPH + 1, 5000, 75_000])
def test_viz_options_bound_stabilisation(n):
    opts = options_for(n)
    assert 0 < opts["physics"]["stabilization"]["iterations"] <= 300
    assert opts["layout"]["improvedLayout"] is (n <= 100)
    assert opts["physics"]["enabled"] is (n <= BIG_GRAPH)  # big graphs start from seeded positions


def test_viz_big_graphs_get_seeded_positions():
    g = nx.Graph()
    for i in range(BIG_GRAPH + 1):
        g.add_edge(f"p{i}", f"e{i % 7}", relation="uses")
        g.nodes[f"p{i}"]["type"] = "paper"
        g.nodes[f"e{i % 7}"]["type"] = "method"
    nodes, _ = vis_elements(g)
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in nodes)
    assert len({(n["x"], n["y"]) for n in nodes}) == len(nodes)
    assert vis_elements(g)[0] == nodes  # deterministic
    small, _ = vis_elements(nx.path_graph(3))
    assert "x" not in small[0]


# ---------------------------------------------------------------- kg viz
def test_viz_cli_writes_self_contained_file(tiny_store, tmp_path):
    out = tmp_path / "graph.html"
    res = CliRunner().invoke(main, ["viz", "--store", str(tiny_store), "--out", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"<(?:script|link)[^>]+(?:src|href)=", html)
    assert "DistilViT" in html and '"apiBase": null' in html


def test_viz_cli_focus_and_query(tiny_store, tmp_path):
    out = tmp_path / "focus.html"
    res = CliRunner().invoke(main, ["viz", "--store", str(tiny_store), "--out", str(out),
                                    "--focus", RES + "method/resnet"])
    assert res.exit_code == 0, res.output
    assert "ResNet" in out.read_text(encoding="utf-8")
    res = CliRunner().invoke(main, ["viz", "--store", str(tiny_store), "--out", str(tmp_path / "q.html"),
                                    "--query", "SELECT * WHERE { ?s ?p ?o }"])
    assert res.exit_code == 1 and "CONSTRUCT" in res.output
