"""``/``: the landing page, linking the SPARQL endpoint and the graph view, with example queries."""

from __future__ import annotations

from flask import Blueprint, render_template

from kg.store.queries import QUERY_DIR

bp = Blueprint("ui", __name__)
EXAMPLES_DIR = QUERY_DIR / "examples"


def examples() -> list[tuple[str, str]]:
    """(title, query) for every example query file; the title is the file's first comment line."""
    out = []
    for path in sorted(EXAMPLES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        out.append((first.lstrip("# ").strip() or path.stem, text))
    return out


@bp.get("/")
def index() -> str:
    return render_template("index.html", examples=examples())
