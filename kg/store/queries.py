"""Named SPARQL queries: ``kg/store/queries/<name>.rq``, loaded by name, values bound as parameters.

User text never enters a query by string formatting: callers pass rdflib terms
and they are substituted by the engine (SEP-0007 substitutions in Oxigraph).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

QUERY_DIR = Path(__file__).resolve().parent / "queries"


@cache
def load_query(name: str) -> str:
    """Text of the named query; raises KeyError naming the known queries if there is none."""
    path = QUERY_DIR / f"{name}.rq"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in QUERY_DIR.glob("*.rq")))
        raise KeyError(f"no query named {name!r}; known: {known}")
    return path.read_text(encoding="utf-8")


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERY_DIR.glob("*.rq"))
