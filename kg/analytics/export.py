"""Exports of networkx graphs: GraphML, GEXF and node-link JSON (for Gephi, Cytoscape, d3 …).

GraphML and GEXF accept only scalar attributes and no None, so every export goes through
``export_safe(g)``: None values are dropped, booleans/ints/floats/strings kept, anything else
(lists, sets, dicts) written as text (sequences comma-joined).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from kg.analytics.graph import AnalyticsError

EXPORT_FORMATS: tuple[str, ...] = ("graphml", "gexf", "json")


def _safe_value(value: Any) -> bool | int | float | str | None:
    if value is None:
        return None
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(sorted(map(str, value)) if isinstance(value, set | frozenset) else map(str, value))
    if isinstance(value, Mapping):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def _safe_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in attrs.items():
        v = _safe_value(value)
        if v is not None:
            out[str(key)] = v
    return out


def export_safe(g: nx.Graph) -> nx.Graph:
    """A copy of ``g`` whose graph, node and edge attributes are all GraphML-safe (see module doc)."""
    out = g.__class__()
    out.graph.update(_safe_attrs(g.graph))
    for n, attrs in g.nodes(data=True):
        out.add_node(str(n), **_safe_attrs(attrs))
    for u, v, attrs in g.edges(data=True):
        out.add_edge(str(u), str(v), **_safe_attrs(attrs))
    return out


def to_graphml(g: nx.Graph, path: str | Path) -> Path:
    """Write ``g`` as GraphML (typed attributes: Gephi, Cytoscape, yEd); returns the path."""
    path = Path(path)
    nx.write_graphml(export_safe(g), path, encoding="utf-8")
    return path


def to_gexf(g: nx.Graph, path: str | Path) -> Path:
    """Write ``g`` as GEXF 1.2 (Gephi); returns the path."""
    path = Path(path)
    nx.write_gexf(export_safe(g), path, encoding="utf-8")
    return path


def node_link(g: nx.Graph) -> dict[str, Any]:
    """``g`` as node-link data (``{"nodes": [...], "links": [...]}``, d3's shape)."""
    return nx.node_link_data(export_safe(g), edges="links")


def to_node_link_json(g: nx.Graph, path: str | Path) -> Path:
    """Write ``node_link(g)`` as UTF-8 JSON; returns the path."""
    path = Path(path)
    path.write_text(json.dumps(node_link(g), ensure_ascii=False, sort_keys=True, indent=1), encoding="utf-8")
    return path


def from_node_link_json(path: str | Path) -> nx.Graph:
    """Read a graph written by ``to_node_link_json``."""
    return nx.node_link_graph(json.loads(Path(path).read_text(encoding="utf-8")), edges="links")


def export(g: nx.Graph, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``g`` in ``fmt`` ("graphml", "gexf", "json"; default from the file suffix)."""
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".").lower()
    writers = {"graphml": to_graphml, "gexf": to_gexf, "json": to_node_link_json}
    if fmt not in writers:
        raise AnalyticsError(f"unknown export format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}")
    return writers[fmt](g, path)
