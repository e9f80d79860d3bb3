"""networkx view graph → the graph view page (our own canvas renderer, ``static/renderer.js``; works offline).

``graph_elements(g)`` turns a view graph into the page's node and edge records (positions from
``kg.viz.layout``); ``render_html`` writes the page around them. Scripts and styles come either from a URL prefix
of our own server or inlined (a self-contained file). The page keeps every script in files and its data in a
``<script type="application/json">`` block, so a strict Content-Security-Policy (no inline code) holds.
``to_network`` gives a pyvis ``Network`` of the same graph for notebook users who prefer vis-network.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kg.viz.layout import force_layout

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"  # the page's own scripts and style
STATIC_FILES = ("renderer.js", "graph.js", "graph.css", "favicon.svg")
PAGE_SCRIPTS = ("renderer.js", "graph.js")

# One colour, shape and name in user words per node type (ontology class); the legend is drawn from this table.
STYLES: dict[str, dict[str, str]] = {
    "paper": {"color": "#4e79a7", "shape": "dot", "name": "Paper", "plural": "Papers"},
    "method": {"color": "#f28e2b", "shape": "diamond", "name": "Method or model", "plural": "Methods and models"},
    "task": {"color": "#59a14f", "shape": "triangle", "name": "Task", "plural": "Tasks"},
    "dataset": {"color": "#e15759", "shape": "square", "name": "Dataset", "plural": "Datasets"},
    "metric": {"color": "#b07aa1", "shape": "star", "name": "Metric", "plural": "Metrics"},
    "architecture": {"color": "#17becf", "shape": "hexagon", "name": "Architecture family", "plural": "Architecture families"},
}
OTHER_STYLE = {"color": "#9d9d9d", "shape": "dot", "name": "Other"}

# Edge colours and names in user words per relation (a paper's role for an entity, or a projection).
RELATIONS: dict[str, dict[str, str]] = {
    "proposes": {"color": "#4e79a7", "name": "proposes"},
    "uses": {"color": "#f28e2b", "name": "uses"},
    "addresses": {"color": "#59a14f", "name": "addresses (task)"},
    "evaluatesOn": {"color": "#e15759", "name": "evaluated on"},
    "comparesWith": {"color": "#9c755f", "name": "compared with"},
    "hasArchitecture": {"color": "#17becf", "name": "built on (architecture)"},
    "mentions": {"color": "#bab0ac", "name": "mentions"},
    "coOccursWith": {"color": "#8c8c8c", "name": "in the same papers"},
    "datasetTask": {"color": "#8c8c8c", "name": "task ↔ dataset (same papers)"},
}
RELATION_COLORS: dict[str, str] = {k: v["color"] for k, v in RELATIONS.items()}
# The views the page offers (?view=), in user words.
VIEWS: dict[str, str] = {
    "entities": "Entities (most-studied, linked by shared papers)",
    "papers": "Papers and their entities",
    "method-co-use": "Methods used together",
    "task-dataset": "Tasks ↔ datasets",
    "method-dataset": "Methods ↔ datasets",
    "architectures": "Architecture families over time",
}
LABEL_CHARS = 48  # labels drawn on the canvas are cut here (the full text is in the tooltip and details panel)


def script_json(obj: object) -> str:
    """JSON safe inside a <script> element: '<', '>' and '&' are escaped so text cannot close the tag."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@cache
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def node_size(ntype: str, degree: int) -> float:
    """Node radius (drawing units) from its support: papers of an entity, links of a paper; grows with the square
    root, capped so hubs stay readable."""
    d = min(max(degree, 0), 400)
    return round((3.5 + 0.9 * d ** 0.5) if ntype == "paper" else (5 + 1.7 * d ** 0.5), 1)


def short_label(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1].rstrip() + "…"


def graph_node(node: Any, attrs: dict[str, Any], pos: tuple[float, float] | None = None) -> dict[str, Any]:
    """One node record of the page: id, label (and a short one), type, degree, size, position, year, families."""
    ntype = str(attrs.get("type", "other"))
    label = str(attrs.get("label", node))
    degree = int(attrs.get("degree") or 0)
    out: dict[str, Any] = {"id": str(node), "label": label, "type": ntype, "degree": degree,
                           "size": node_size(ntype, degree)}
    if len(label) > LABEL_CHARS:
        out["short"] = short_label(label)
    if pos is not None:
        out["x"], out["y"] = pos
    if attrs.get("year"):
        out["year"] = attrs["year"]
    if attrs.get("families"):
        out["families"] = list(attrs["families"])
    if attrs.get("periods"):
        out["periods"] = attrs["periods"]
    return out


def graph_edge(u: Any, v: Any, attrs: dict[str, Any]) -> dict[str, Any]:
    """One edge record; its id is the sorted pair, so expansions never draw an edge twice."""
    a, b = sorted((str(u), str(v)))
    out: dict[str, Any] = {"id": f"{a} {b}", "from": str(u), "to": str(v), "relation": str(attrs.get("relation", ""))}
    if attrs.get("confidence") is not None:
        out["confidence"] = round(float(attrs["confidence"]), 3)
    if attrs.get("weight") is not None:
        out["weight"] = attrs["weight"]
    return out


def graph_elements(g: nx.Graph, positions: dict | None = None) -> tuple[list[dict], list[dict]]:
    """(nodes, edges) of ``g`` as page records, in a deterministic order. ``positions`` (from ``force_layout``)
    are attached when given; without them the page places nodes itself."""
    nodes = [graph_node(n, g.nodes[n] if "degree" in g.nodes[n] else {**g.nodes[n], "degree": g.degree(n)},
                        positions.get(n) if positions else None)
             for n in sorted(g.nodes, key=str)]
    edges = sorted((graph_edge(u, v, d) for u, v, d in g.edges(data=True)), key=lambda e: e["id"])
    return nodes, edges


def page_config(g: nx.Graph, *, api_base: str | None, families: list[str] | None = None,
                summary: dict | None = None, details: dict | None = None, view: str | None = None) -> dict:
    """What the page script needs besides the data: API location (None: static file), legend tables, counts."""
    summary = summary or {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
    return {
        "apiBase": api_base,
        "styles": STYLES,
        "other": OTHER_STYLE,
        "relations": RELATIONS,
        "views": VIEWS,
        "view": view or summary.get("view") or "entities",
        "families": families if families is not None else sorted({f for _, d in g.nodes(data=True)
                                                                  for f in d.get("families") or []}),
        "summary": summary,
        "focus": g.graph.get("focus"),
        "details": details,  # static export: the details panel's JSON of every drawn node
        "trends": g.graph.get("trends"),
    }


def render_html(g: nx.Graph, *, asset_base: str | None = None, title: str = "kg graph",
                api_base: str | None = None, families: list[str] | None = None, summary: dict | None = None,
                error: dict | None = None, positions: dict | None = None, details: dict | None = None,
                view: str | None = None) -> str:
    """The page for ``g``.

    ``asset_base`` is the URL prefix serving renderer.js, graph.js and graph.css from our own server; None inlines
    them (one self-contained file). ``api_base`` is the JSON API prefix (None: no server — the page searches the
    drawn nodes, cannot expand, and shows ``details`` embedded per node). ``positions`` default to
    ``force_layout(g)``. ``error`` (``{status, code, message}``) is shown in the page's error box.
    """
    if positions is None:
        positions = force_layout(g)
    nodes, edges = graph_elements(g, positions)
    inline = asset_base is None
    data = {"nodes": nodes, "edges": edges,
            "config": page_config(g, api_base=api_base, families=families, summary=summary, details=details,
                                  view=view),
            "error": error}
    ctx = {
        "title": title,
        "data_json": script_json(data),
        "asset_base": asset_base,
        "inline_js": [_inline_script(STATIC / name) for name in PAGE_SCRIPTS] if inline else [],
        "inline_css": (STATIC / "graph.css").read_text(encoding="utf-8") if inline else "",
        "scripts": PAGE_SCRIPTS,
        "node_count": g.number_of_nodes(),
        "edge_count": g.number_of_edges(),
        "error": error,
        "server": api_base is not None,
        "views": VIEWS,
    }
    return _env().get_template("graph.html").render(**ctx)


def _inline_script(path: Path) -> str:
    """A script file's text made safe to inline: no "</script" can end the element early."""
    return re.sub(r"</(script)", r"<\\/\1", path.read_text(encoding="utf-8"), flags=re.I)


def to_network(g: nx.Graph) -> Any:
    """A pyvis ``Network`` holding ``g``'s styled nodes and edges (for notebooks that prefer vis-network)."""
    from pyvis.network import Network

    net = Network(height="600px", width="100%", directed=False, cdn_resources="remote")
    positions = force_layout(g)
    for node in graph_elements(g, positions)[0]:
        style = STYLES.get(node["type"], OTHER_STYLE)
        net.add_node(node["id"], label=node.get("short", node["label"]), title=node["label"], color=style["color"],
                     shape=style["shape"], size=node["size"], x=node["x"], y=node["y"], physics=False)
    for u, v, d in g.edges(data=True):
        net.add_edge(str(u), str(v), title=str(d.get("relation", "")),
                     color=RELATION_COLORS.get(str(d.get("relation", "")), "#999999"))
    return net
