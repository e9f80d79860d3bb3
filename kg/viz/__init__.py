"""Viz: networkx graphs → interactive pyvis HTML that works offline."""

from kg.viz.pyvis_html import STYLES, render_html, to_network

__all__ = ["STYLES", "render_html", "to_network"]
