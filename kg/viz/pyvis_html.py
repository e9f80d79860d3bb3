"""networkx graph → interactive HTML (pyvis data, our own offline template).

pyvis builds the node/edge data and the vis-network options; the page template is
ours (``templates/graph.html``) because pyvis's default one loads scripts from CDNs.
Scripts come either from a URL prefix of our own server or inlined (self-contained file).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import networkx as nx
import pyvis
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyvis.network import Network

VIS_DIR = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"
VIS_JS = VIS_DIR / "vis-network.min.js"
VIS_CSS = VIS_DIR / "vis-network.css"
TEMPLATES = Path(__file__).resolve().parent / "templates"

# One colour and shape per node type (ontology class); the legend is drawn from this table.
STYLES: dict[str, dict[str, str]] = {
    "paper": {"color": "#4e79a7", "shape": "dot"},
    "method": {"color": "#f28e2b", "shape": "diamond"},
    "task": {"color": "#59a14f", "shape": "triangle"},
    "dataset": {"color": "#e15759", "shape": "square"},
    "metric": {"color": "#b07aa1", "shape": "star"},
    "architecture": {"color": "#76b7b2", "shape": "hexagon"},
}

OPTIONS = {
    "physics": {
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {"gravitationalConstant": -40, "springLength": 90},
        "stabilization": {"enabled": True, "iterations": 300, "updateInterval": 50, "fit": True},
    },
    "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False},
    "edges": {"smooth": False, "color": {"inherit": False, "color": "#999999", "opacity": 0.5}},
    "nodes": {"font": {"size": 12}},
}


def script_json(obj: object) -> str:
    """JSON safe to embed in a <script> element: '<', '>' and '&' are escaped so text cannot close the tag."""
    text = json.dumps(obj, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@cache
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def to_network(g: nx.Graph) -> Network:
    """A pyvis ``Network`` with one styled node per graph node (size by degree, plain-text tooltip)."""
    net = Network(height="100%", width="100%", directed=False, cdn_resources="remote")
    degree = dict(g.degree())
    for node in sorted(g.nodes, key=str):
        attrs = g.nodes[node]
        ntype = attrs.get("type", "paper")
        style = STYLES.get(ntype, STYLES["paper"])
        label = str(attrs.get("label", node))
        short = label if len(label) <= 40 else label[:37] + "…"
        # vis-network shows ``title`` as text when it is a string; it is never parsed as HTML here.
        tip = f"{ntype}: {label}" + (f" ({attrs['year']})" if attrs.get("year") else "") + f"\n{degree[node]} links"
        net.add_node(str(node), label=short, title=tip, color=style["color"], shape=style["shape"],
                     size=8 + 3 * min(degree[node], 20) ** 0.5 * 2, group=ntype)
    for u, v, attrs in sorted(g.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))):
        net.add_edge(str(u), str(v), title=str(attrs.get("relation", "")), value=float(attrs.get("confidence", 1.0)))
    return net


def render_html(g: nx.Graph, *, asset_base: str | None = None, title: str = "kg graph",
                extra: dict | None = None) -> str:
    """The page for ``g``. ``asset_base`` is the URL prefix serving vis-network.min.js/.css; None inlines them."""
    net = to_network(g)
    nodes, edges, *_ = net.get_network_data()
    ctx = {
        "title": title,
        "nodes_json": script_json(nodes),
        "edges_json": script_json(edges),
        "options_json": script_json(OPTIONS),
        "styles": STYLES,
        "asset_base": asset_base,
        "inline_js": VIS_JS.read_text(encoding="utf-8") if asset_base is None else "",
        "inline_css": VIS_CSS.read_text(encoding="utf-8") if asset_base is None else "",
        "node_count": g.number_of_nodes(),
        "edge_count": g.number_of_edges(),
        **(extra or {}),
    }
    return _env().get_template("graph.html").render(**ctx)
