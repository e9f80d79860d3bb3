"""Viz: ``networkx`` graphs → interactive vis-network HTML that works offline (rendering only).

The views it draws are read by ``kg.store.read``; ``kg.viz.export`` writes one to a self-contained file.
"""

from kg.viz.pyvis_html import STYLES, render_html, to_network, vis_elements

__all__ = ["STYLES", "render_html", "to_network", "vis_elements"]
