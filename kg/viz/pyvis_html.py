"""networkx graph → interactive HTML (pyvis data, our own offline template).

pyvis builds the node/edge data and the vis-network options; the page template is
ours (``templates/graph.html``) because pyvis's default one loads scripts from CDNs.
Scripts come either from a URL prefix of our own server or inlined (self-contained file).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from functools import cache
from pathlib import Path

import networkx as nx
import pyvis
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyvis.edge import Edge
from pyvis.network import Network
from pyvis.node import Node

VIS_DIR = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"
VIS_JS = VIS_DIR / "vis-network.min.js"
VIS_CSS = VIS_DIR / "vis-network.css"
TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"  # graph.js / graph.css: the page's own script and style
STATIC_FILES = ("graph.js", "graph.css")

# One colour and shape per node type (ontology class); the legend is drawn from this table.
STYLES: dict[str, dict[str, str]] = {
    "paper": {"color": "#4e79a7", "shape": "dot"},
    "method": {"color": "#f28e2b", "shape": "diamond"},
    "task": {"color": "#59a14f", "shape": "triangle"},
    "dataset": {"color": "#e15759", "shape": "square"},
    "metric": {"color": "#b07aa1", "shape": "star"},
    "architecture": {"color": "#76b7b2", "shape": "hexagon"},
}

# Edge colours per relation (role); the filter list is drawn from this table.
RELATION_COLORS: dict[str, str] = {
    "proposes": "#4e79a7",
    "uses": "#f28e2b",
    "addresses": "#59a14f",
    "evaluatesOn": "#e15759",
    "comparesWith": "#9c755f",
    "hasArchitecture": "#76b7b2",
    "mentions": "#bab0ac",
}
OTHER_STYLE = {"color": "#9d9d9d", "shape": "ellipse"}

# Physics is bounded twice: an iteration cap that shrinks with the node count, and a wall-clock cap in the page.
IMPROVED_LAYOUT_MAX = 100  # vis-network's Kamada-Kawai seeding is slow and gives up on bigger graphs
BIG_GRAPH = 600  # above this many nodes: no improved layout, fewer iterations, edges hidden while dragging


def options_for(n_nodes: int) -> dict:
    """vis-network options for a graph of ``n_nodes`` nodes (bounded stabilisation).

    Up to ``BIG_GRAPH`` nodes: 100–300 physics iterations (fewer for more nodes), then physics off. Bigger graphs start from
    seeded positions (``seed_positions``) with physics off: in headless Chromium on a shared 2-core machine one
    forceAtlas2 iteration over 5,000 nodes took 0.3–0.7 s, so any useful number of iterations costs minutes.
    """
    big = n_nodes > BIG_GRAPH
    return {
        "layout": {"improvedLayout": n_nodes <= IMPROVED_LAYOUT_MAX, "randomSeed": 7},
        "physics": {
            "enabled": not big,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -40, "springLength": 90, "avoidOverlap": 0},
            "stabilization": {"enabled": not big, "iterations": max(100, min(300, 60_000 // max(n_nodes, 1))),
                              "updateInterval": 25, "fit": True},
            "maxVelocity": 60,
            "minVelocity": 1.5,
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False,
                        "hideEdgesOnDrag": big, "hideEdgesOnZoom": big},
        "edges": {"smooth": False, "color": {"inherit": False, "opacity": 0.6 if not big else 0.35}, "width": 1},
        "nodes": {"font": {"size": 12}, "borderWidth": 1},
    }


def seed_positions(g: nx.Graph, spacing: float = 60.0) -> dict:
    """Cheap starting layout (linear time): entities on a sunflower spiral, most-linked in the middle; each
    paper near the centre of its entities, with a deterministic jitter; anything else on the outer spiral."""
    golden = math.pi * (3 - math.sqrt(5))
    pos: dict = {}

    def spiral(i: int) -> tuple[float, float]:
        r = spacing * math.sqrt(i + 0.5) * 2.2
        return r * math.cos(i * golden), r * math.sin(i * golden)

    entities = sorted((n for n, d in g.nodes(data=True) if d.get("type") != "paper"),
                      key=lambda n: (-g.degree(n), str(n)))
    for i, n in enumerate(entities):
        pos[n] = spiral(i)
    k = len(entities)
    for n in sorted((n for n in g if n not in pos), key=str):
        placed = [pos[m] for m in g.neighbors(n) if m in pos and g.nodes[m].get("type") != "paper"]
        if not placed:
            pos[n] = spiral(k)
            k += 1
            continue
        h = int(hashlib.blake2b(str(n).encode(), digest_size=4).hexdigest(), 16)
        angle, radius = (h % 3600) / 3600 * 2 * math.pi, spacing * (0.7 + 2.5 * ((h >> 12) % 1000) / 1000)
        pos[n] = (sum(x for x, _ in placed) / len(placed) + radius * math.cos(angle),
                  sum(y for _, y in placed) / len(placed) + radius * math.sin(angle))
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in pos.items()}


OPTIONS = options_for(0)


def script_json(obj: object) -> str:
    """JSON safe to embed in a <script> element: '<', '>' and '&' are escaped so text cannot close the tag."""
    text = json.dumps(obj, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@cache
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def node_size(degree: int) -> float:
    """Node radius from its degree: grows with the square root, capped so hubs stay readable."""
    return round(8 + 4 * min(max(degree, 0), 400) ** 0.5, 1)


def tooltip(ntype: str, attrs: dict) -> str:
    """Plain-text hover text (vis-network shows string titles as text, never as HTML)."""
    label = str(attrs.get("label", ""))
    lines = [f"{ntype}: {label}" + (f" ({attrs['year']})" if attrs.get("year") else "")]
    degree = int(attrs.get("degree") or 0)
    lines.append(f"{degree} {'links' if ntype == 'paper' else 'papers'}" if ntype != "other" else f"{degree} edges")
    if attrs.get("families"):
        lines.append("architecture: " + ", ".join(attrs["families"]))
    return "\n".join(lines)


def vis_node(node: str, attrs: dict) -> dict:
    """One vis-network node (pyvis ``Node`` options) for a view-graph node."""
    ntype = attrs.get("type", "other")
    style = STYLES.get(ntype, OTHER_STYLE)
    label = str(attrs.get("label", node))
    short = label if len(label) <= 40 else label[:37] + "…"
    degree = int(attrs.get("degree") or 0)
    return Node(str(node), style["shape"], short, title=tooltip(ntype, attrs), color=style["color"],
                size=node_size(degree), name=label, ntype=ntype, degree=degree,
                families=list(attrs.get("families") or [])).options


def vis_edge(u: str, v: str, attrs: dict) -> dict:
    """One vis-network edge (pyvis ``Edge`` options); its id is stable so expansions do not duplicate it."""
    a, b = sorted((str(u), str(v)))
    rel = str(attrs.get("relation", ""))
    return Edge(a, b, False, id=f"{a} {b}", title=rel, relation=rel,
                color={"color": RELATION_COLORS.get(rel, "#999999")},
                dashes=rel == "mentions", confidence=float(attrs.get("confidence", 1.0))).options


def vis_elements(g: nx.Graph) -> tuple[list[dict], list[dict]]:
    """(nodes, edges) of ``g`` as vis-network data, in a deterministic order. Linear time (pyvis's own
    ``Network.add_edge`` scans every edge per call, too slow for thousands of nodes)."""
    nodes = [vis_node(n, g.nodes[n] if "degree" in g.nodes[n] else {**g.nodes[n], "degree": g.degree(n)})
             for n in sorted(g.nodes, key=str)]
    if len(nodes) > BIG_GRAPH:
        pos = seed_positions(g)
        for node in nodes:
            node["x"], node["y"] = pos[node["id"]] if node["id"] in pos else pos[_original(g, node["id"])]
    edges = sorted((vis_edge(u, v, d) for u, v, d in g.edges(data=True)), key=lambda e: e["id"])
    return nodes, edges


def _original(g: nx.Graph, node_id: str) -> object:
    """The graph's own node for a vis id (ids are ``str(node)``; non-string nodes need a lookup)."""
    return next(n for n in g if str(n) == node_id)


def to_network(g: nx.Graph) -> Network:
    """A pyvis ``Network`` holding ``g``'s styled nodes and edges (for notebooks; pages use ``render_html``)."""
    net = Network(height="100%", width="100%", directed=False, cdn_resources="remote")
    net.nodes, net.edges = vis_elements(g)
    net.node_ids = [n["id"] for n in net.nodes]
    net.node_map = {n["id"]: n for n in net.nodes}
    net.set_options(json.dumps(options_for(g.number_of_nodes())))
    return net


def page_config(g: nx.Graph, *, api_base: str | None, families: list[str] | None = None,
                summary: dict | None = None) -> dict:
    """What the page script needs besides the data: API location (None: static file), legend tables, counts."""
    return {
        "apiBase": api_base,
        "styles": STYLES,
        "other": OTHER_STYLE,
        "relations": RELATION_COLORS,
        "families": families if families is not None else sorted({f for _, d in g.nodes(data=True)
                                                                  for f in d.get("families") or []}),
        "summary": summary or {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()},
        "focus": g.graph.get("focus"),
        "stabilizeMs": 20_000,
    }


def render_html(g: nx.Graph, *, asset_base: str | None = None, title: str = "kg graph",
                api_base: str | None = None, families: list[str] | None = None, summary: dict | None = None,
                error: str | None = None, extra: dict | None = None) -> str:
    """The page for ``g``.

    ``asset_base`` is the URL prefix serving vis-network.min.js/.css and graph.js/.css from our own server;
    None inlines all of them (one self-contained file). ``api_base`` is the JSON API prefix (None: no search
    over the server, no expand — the static export searches the drawn nodes). ``error`` is shown as text.
    """
    nodes, edges = vis_elements(g)
    inline = asset_base is None
    ctx = {
        "title": title,
        "nodes_json": script_json(nodes),
        "edges_json": script_json(edges),
        "options_json": script_json(options_for(g.number_of_nodes())),
        "config_json": script_json(page_config(g, api_base=api_base, families=families, summary=summary)),
        "styles": STYLES,
        "relations": RELATION_COLORS,
        "asset_base": asset_base,
        "inline_js": _inline_script(VIS_JS) if inline else "",
        "inline_css": VIS_CSS.read_text(encoding="utf-8") if inline else "",
        "page_js": _inline_script(STATIC / "graph.js") if inline else "",
        "page_css": (STATIC / "graph.css").read_text(encoding="utf-8") if inline else "",
        "node_count": g.number_of_nodes(),
        "edge_count": g.number_of_edges(),
        "error": error,
        **(extra or {}),
    }
    return _env().get_template("graph.html").render(**ctx)


def _inline_script(path: Path) -> str:
    """A script file's text made safe to inline: no "</script" can end the element early."""
    return re.sub(r"</(script)", r"<\\/\1", path.read_text(encoding="utf-8"), flags=re.I)
