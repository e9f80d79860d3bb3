"""Store: the embedded Oxigraph database — storage only: open, load, generations, named queries, export, the
statistics graph and the read layer. Imports nothing from ingest, extract, mapping or build."""

from kg.store.oxigraph_store import (
    EXPORT_FORMATS,
    GraphStore,
    current_path,
    new_generation_path,
    publish_generation,
    sidecar_path,
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
    "sidecar_path",
]
