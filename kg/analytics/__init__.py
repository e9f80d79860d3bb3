"""Analytics: the store as networkx graphs, and numbers computed on them."""

from kg.analytics.graph import to_networkx

__all__ = ["to_networkx"]
