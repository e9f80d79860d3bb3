"""``kg query``: run SPARQL against a store directory and format the result as text."""

from __future__ import annotations

import pyoxigraph as ox

from kg.errors import QueryRefused
from kg.store.guard import check_allowed, is_update, query_form
from kg.store.oxigraph_store import GraphStore

_FORMATS = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV,
            "tsv": ox.QueryResultsFormat.TSV, "xml": ox.QueryResultsFormat.XML}


def _cell(term: object) -> str:
    return "" if term is None else getattr(term, "value", str(term))


def run_query(store_dir: str, sparql: str, fmt: str = "table") -> str:
    """Result of ``sparql`` as text: an aligned table (default), a results format, or N-Triples for graphs.

    The same guard as the server: SERVICE/LOAD refused (``kg query`` never fetches URLs), depth and size limits;
    an update is refused with "updates are not accepted here"."""
    check_allowed(sparql)
    if not query_form(sparql) and is_update(sparql):
        raise QueryRefused("updates are not accepted here: `kg query` only reads the graph (change it with kg add / "
                           "kg remove, or SPARQL Update on an update-enabled server)")
    store = GraphStore.open(store_dir)
    result = store.query(sparql)
    if isinstance(result, ox.QueryBoolean):
        return ("true" if bool(result) else "false") + "\n"
    if isinstance(result, ox.QueryTriples):
        return (ox.serialize(result, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    if fmt != "table":
        return (result.serialize(format=_FORMATS[fmt]) or b"").decode("utf-8")
    names = [v.value for v in result.variables]
    rows = [[_cell(sol[n]) for n in names] for sol in result]
    widths = [min(60, max([len(n)] + [len(r[i]) for r in rows])) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join((c if len(c) <= w else c[: w - 1] + "…").ljust(w) for c, w in zip(r, widths, strict=True))
              for r in rows]
    lines.append(f"({len(rows)} rows)")
    return "\n".join(lines) + "\n"
