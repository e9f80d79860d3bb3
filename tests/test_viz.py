"""kg.viz: offline and escaped HTML, vis-network data, bounded physics, `kg viz` (the views it draws are read by
kg.store.read, tested in test_store_read.py)."""

from __future__ import annotations

import json
import re

import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import XSS_TITLE

from kg.cli import main
from kg.viz import render_html, vis_elements
from kg.viz.pyvis_html import BIG_GRAPH, options_for, script_json

RES = "https://w3id.org/kg-papers/resource/"


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
