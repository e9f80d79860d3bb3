"""kg.viz: offline and escaped HTML, the page's node/edge records, the server-side layout, `kg viz` (the views it
draws are read by kg.store.read, tested in test_store_read.py)."""

from __future__ import annotations

import json
import re
import time

import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import XSS_TITLE

from kg.cli import main
from kg.viz import graph_elements, render_html
from kg.viz.html import node_size, script_json
from kg.viz.layout import force_layout

RES = "https://w3id.org/kg-papers/resource/"


# ---------------------------------------------------------------- HTML: offline, escaped, no inline code
def _xss_graph() -> nx.Graph:
    g = nx.Graph()
    g.add_node("p", label=XSS_TITLE, type="paper", degree=1)
    g.add_node("e", label="</script><script>alert(1)</script>", type="method", degree=1)
    g.add_edge("p", "e", relation="uses", confidence=0.9)
    return g


def _data(html: str) -> dict:
    return json.loads(re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', html, re.S).group(1))


def test_viz_script_json_cannot_close_the_script_element():
    text = script_json({"t": "</script><b>&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"t": "</script><b>&"}


def test_viz_render_html_escapes_labels():
    html = render_html(_xss_graph(), asset_base="/static/graph", api_base="/api")
    assert XSS_TITLE not in html and "</script><script>alert" not in html
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    assert _data(html)["nodes"][1]["label"] == XSS_TITLE


def test_viz_render_html_served_page_loads_only_our_assets():
    html = render_html(_xss_graph(), asset_base="/static/graph", api_base="/api")
    refs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert refs and all(r.startswith("/static/graph/") for r in refs)
    assert "/static/graph/renderer.js" in refs and "/static/graph/graph.js" in refs


def test_viz_render_html_static_export_is_self_contained():
    html = render_html(_xss_graph(), asset_base=None)
    assert not re.search(r"<(?:script|link)[^>]+(?:src|href)=", html)
    assert "KGRenderer" in html and "kgApplyFilters" in html  # the renderer and the page script inlined
    assert "http://" not in re.sub(r"https?://(?:www\.w3\.org|w3id\.org|graphml\.graphdrawing\.org)[^\"' ]*", "",
                                   html).split("<body>")[1]


def test_viz_graph_elements_style_size_and_positions():
    g = nx.Graph()
    g.add_node("a", label="A" * 80, type="dataset", degree=50)
    g.add_node("b", label="B", type="dataset", degree=1)
    g.add_node("c", label="C", type="unknown-kind")
    g.add_edge("a", "b", relation="uses", confidence=0.5)
    nodes, edges = graph_elements(g, {"a": (1.0, 2.0), "b": (3.0, 4.0), "c": (5.0, 6.0)})
    by_id = {n["id"]: n for n in nodes}
    assert by_id["a"]["size"] > by_id["b"]["size"] and by_id["a"]["type"] == "dataset"
    assert by_id["a"]["short"].endswith("…") and len(by_id["a"]["short"]) < 80  # drawn short, full in tooltip
    assert (by_id["a"]["x"], by_id["a"]["y"]) == (1.0, 2.0)
    assert by_id["c"]["type"] == "unknown-kind" and by_id["c"]["degree"] == 0
    assert edges == [{"id": "a b", "from": "a", "to": "b", "relation": "uses", "confidence": 0.5}]


def test_viz_node_size_grows_with_support_and_is_capped():
    assert node_size("method", 1) < node_size("method", 100) < node_size("method", 400) == node_size("method", 10**6)
    assert node_size("paper", 5) < node_size("method", 5)


def test_viz_graph_elements_fall_back_to_graph_degree():
    g = nx.path_graph(3)
    nx.set_node_attributes(g, "method", "type")
    nodes, _ = graph_elements(g)
    assert [n["degree"] for n in nodes] == [1, 2, 1] and "x" not in nodes[0]


# ---------------------------------------------------------------- server-side layout
def _paper_graph(n_entities: int, n_papers: int) -> nx.Graph:
    g = nx.Graph()
    for i in range(n_papers):
        for e in (i % n_entities, (i * 7 + 3) % n_entities):
            g.add_edge(f"p{i}", f"e{e}", relation="uses")
        g.nodes[f"p{i}"]["type"] = "paper"
    for i in range(n_entities):
        g.nodes[f"e{i}"]["type"] = "method"
    return g


def test_viz_layout_is_deterministic_and_spreads_nodes():
    g = _paper_graph(20, 300)
    pos = force_layout(g)
    assert pos == force_layout(g) and set(pos) == set(g)
    assert len(set(pos.values())) == len(pos)  # no two nodes on the same spot
    # linked nodes end up closer than unlinked ones, on average
    linked = sum(abs(pos[u][0] - pos[v][0]) + abs(pos[u][1] - pos[v][1]) for u, v in g.edges) / g.number_of_edges()
    nodes = sorted(g)
    unlinked = [(u, v) for u, v in zip(nodes, nodes[7:], strict=False) if not g.has_edge(u, v)]
    far = sum(abs(pos[u][0] - pos[v][0]) + abs(pos[u][1] - pos[v][1]) for u, v in unlinked) / len(unlinked)
    assert linked < far


@pytest.mark.slow
def test_viz_layout_of_5000_nodes_takes_seconds_not_minutes():
    g = _paper_graph(1000, 4000)
    t = time.perf_counter()
    pos = force_layout(g)
    assert len(pos) == 5000 and time.perf_counter() - t < 60


def test_viz_layout_of_tiny_graphs():
    assert force_layout(nx.Graph()) == {}
    g = nx.Graph()
    g.add_node("only")
    assert force_layout(g) == {"only": (0.0, 0.0)}


# ---------------------------------------------------------------- kg viz
def test_viz_cli_writes_self_contained_file(tiny_store, tmp_path):
    out = tmp_path / "graph.html"
    res = CliRunner().invoke(main, ["viz", "--store", str(tiny_store), "--out", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"<(?:script|link)[^>]+(?:src|href)=", html)
    data = _data(html)
    assert "DistilViT" in html and data["config"]["apiBase"] is None
    text = " ".join(html.split())
    assert "cannot fetch more" in text and "click a node to expand" not in text.lower()


def test_viz_cli_focus_and_query(tiny_store, tmp_path):
    out = tmp_path / "focus.html"
    res = CliRunner().invoke(main, ["viz", "--store", str(tiny_store), "--out", str(out),
                                    "--focus", RES + "method/resnet"])
    assert res.exit_code == 0, res.output
    assert "ResNet" in out.read_text(encoding="utf-8")
    res = CliRunner().invoke(main, ["viz", "--store", str(tiny_store), "--out", str(tmp_path / "q.html"),
                                    "--query", "SELECT * WHERE { ?s ?p ?o }"])
    assert res.exit_code == 1 and "CONSTRUCT" in res.output


def test_viz_export_carries_abstract_and_evidence_of_what_it_draws(tiny_store, tmp_path):
    out = tmp_path / "focus.html"
    res = CliRunner().invoke(main, ["viz", "--store", str(tiny_store), "--out", str(out),
                                    "--focus", RES + "dataset/imagenet-1k"])
    assert res.exit_code == 0, res.output
    details = _data(out.read_text(encoding="utf-8"))["config"]["details"]
    paper = details[RES + "paper/p1"]
    assert paper["abstract"] and any(s.get("highlight") and s["role"] for s in paper["abstract_segments"])
    assert details[RES + "dataset/imagenet-1k"]["papers"]


@pytest.mark.parametrize("view", ["entities", "method-co-use", "task-dataset", "architectures"])
def test_viz_cli_views(tiny_store, tmp_path, view):
    out = tmp_path / f"{view}.html"
    res = CliRunner().invoke(main, ["viz", "--store", str(tiny_store), "--out", str(out), "--view", view])
    assert res.exit_code == 0, res.output
    assert _data(out.read_text(encoding="utf-8"))["nodes"]
