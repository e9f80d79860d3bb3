"""Request parameters checked once, for the graph view and the JSON API: an IRI a client sends must be an absolute
IRI before it reaches the store (Oxigraph refuses others with a ``ValueError``, which would be a 500)."""

from __future__ import annotations

import pyoxigraph as ox

from kg.errors import QueryError

EXAMPLE_IRI = "https://w3id.org/kg-papers/resource/method/bert"


def check_iri(value: str, name: str = "iri") -> str:
    """``value`` if it is an absolute IRI, else ``QueryError`` (400) saying what to send."""
    try:
        ox.NamedNode(value)
    except ValueError:
        shown = value if len(value) <= 80 else value[:77] + "…"
        raise QueryError(f"{name} must be an absolute IRI such as {EXAMPLE_IRI}, not {shown!r}: "
                         "search for the paper or entity to get its IRI") from None
    return value
