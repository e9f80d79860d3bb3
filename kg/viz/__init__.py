"""Viz: ``networkx`` graphs → the interactive graph view page, which works offline (rendering only).

The views it draws are read by ``kg.store.read`` (and ``kg.analytics.views``); ``kg.viz.layout`` places them on
the server; ``kg.viz.export`` writes one to a self-contained file.
"""

from kg.viz.html import STYLES, graph_elements, render_html, to_network

__all__ = ["STYLES", "graph_elements", "render_html", "to_network"]
