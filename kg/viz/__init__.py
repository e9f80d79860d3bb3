"""Viz: store → bounded networkx views (``views``) → interactive pyvis/vis-network HTML that works offline."""

from kg.viz.pyvis_html import STYLES, render_html, to_network, vis_elements
from kg.viz.views import construct_view, first_view, neighbourhood, node_details, search

__all__ = ["STYLES", "construct_view", "first_view", "neighbourhood", "node_details", "render_html", "search",
           "to_network", "vis_elements"]
