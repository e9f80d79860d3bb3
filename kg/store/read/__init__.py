"""The read layer: what the server, ``kg viz`` and the graph view read from a store, cached per store generation.

In: an open ``GraphStore`` and its generation number (``StoreHandle.generation`` in the server; any number for a
one-off reader). Out, from a ``GraphReader``: bounded ``networkx`` views (``first_view``, ``neighbourhood``,
``construct_view``), search hits (``search``) and the details panel's JSON (``node_details``). Every read goes
through a named, parameter-bound query (``kg/store/queries/graph_*.rq``, ``api_*.rq``); user text never becomes
query text. Rendering the views (HTML) is ``kg.viz``'s job.

Layout: ``reader`` (the per-generation caches and the reader API), ``views``, ``search``, ``details``, ``links``
(the links around one node) and ``base`` (rows of named queries as plain values, node types, ``local_name``).
"""

from kg.namespace import local_name
from kg.store.read.base import TYPE_NAME, NodeNotFound
from kg.store.read.details import highlight_segments
from kg.store.read.links import ROLE_ORDER
from kg.store.read.reader import GraphReader, ReaderCache
from kg.store.read.search import SearchIndex
from kg.store.read.views import check_construct, view_summary

__all__ = [
    "ROLE_ORDER", "TYPE_NAME", "GraphReader", "NodeNotFound", "ReaderCache", "SearchIndex", "check_construct",
    "highlight_segments", "local_name", "view_summary",
]
