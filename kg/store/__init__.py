"""Store: the embedded Oxigraph database — open, load a new generation atomically, query, export."""

from kg.store.oxigraph_store import (
    EXPORT_FORMATS,
    GraphStore,
    current_path,
    new_generation_path,
    publish_generation,
)
from kg.store.queries import load_query, query_names

__all__ = [
    "EXPORT_FORMATS",
    "GraphStore",
    "current_path",
    "load_query",
    "new_generation_path",
    "publish_generation",
    "query_names",
]
