"""``/``: the landing page, linking the SPARQL endpoint, the query UI and the graph view, with the example queries
of ``kg/store/queries/examples/*.rq`` (``example_queries()`` also feeds the query UI)."""

from __future__ import annotations

from flask import Blueprint, render_template

from kg.store.queries import QUERY_DIR

bp = Blueprint("ui", __name__)
EXAMPLES_DIR = QUERY_DIR / "examples"


def example_queries() -> list[dict[str, str]]:
    """[{"name": file stem, "title": first comment line, "query": text}] of every example query, in file order."""
    out = []
    for path in sorted(EXAMPLES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        out.append({"name": path.stem, "title": first.lstrip("# ").strip() or path.stem, "query": text})
    return out


@bp.get("/")
def index() -> str:
    return render_template("index.html", examples=example_queries())
