"""``/``: the landing page — what the graph holds (papers and entities per type), a search box, and the three ways
in: explore (the graph view and its projections), query (the SPARQL editor with the example queries of
``kg/store/queries/examples/*.rq``; ``example_queries()`` also feeds it) and analyse (``kg analytics``).

Also the prefixes results pages abbreviate IRIs with (``PREFIXES``, ``abbreviate``) and the link from an IRI of our
graph to its place in the graph view (``graph_link``), as template filters.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template

from kg.errors import KGError
from kg.namespace import ONTOLOGY_IRI, RESOURCE_BASE
from kg.store import stats
from kg.store.queries import QUERY_DIR
from kg.viz.html import STYLES, VIEWS
from server.store_access import get_reader

bp = Blueprint("ui", __name__)
EXAMPLES_DIR = QUERY_DIR / "examples"
PREFIXES: dict[str, str] = {
    "kg": ONTOLOGY_IRI + "#",
    "res": RESOURCE_BASE,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
}
CLASS_TYPES = {"Method": "method", "Task": "task", "Dataset": "dataset", "Metric": "metric",
               "Architecture": "architecture"}


def example_queries() -> list[dict[str, str]]:
    """[{"name": file stem, "title": first comment line, "query": text}] of every example query, in file order."""
    out = []
    for path in sorted(EXAMPLES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        out.append({"name": path.stem, "title": first.lstrip("# ").strip() or path.stem, "query": text})
    return out


@bp.app_template_filter("abbreviate")
def abbreviate(iri: str | None) -> str:
    """``kg:Method`` for the ontology's IRIs, ``res:method/bert`` for ours, and so on; others as they are."""
    if not iri:
        return ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@bp.app_template_filter("graph_link")
def graph_link(value: str | None) -> str | None:
    """``/graph?focus=…`` for an IRI of a paper or entity of our graph, None for anything else."""
    if value and value.startswith(RESOURCE_BASE) and "/graph/" not in value[len(RESOURCE_BASE):][:6]:
        return "/graph?" + urlencode({"focus": value})
    return None


def type_counts() -> list[dict[str, object]]:
    """Papers and entities per type, from the materialised statistics (a few rows even on a 75k-paper graph)."""
    reader = get_reader()

    def build() -> list[dict[str, object]]:
        store = reader.store
        out: list[dict[str, object]] = [{"type": "paper", "count": stats.paper_total(store)}]
        by_class = stats.class_counts(store)
        for name, ntype in CLASS_TYPES.items():
            out.append({"type": ntype, "count": by_class.get(ONTOLOGY_IRI + "#" + name, 0)})
        for row in out:
            style = STYLES[str(row["type"])]
            row.update(name=style["name"] if row["count"] == 1 else style["plural"], color=style["color"])
        return out

    return reader.memo("type_counts", None, build)


@bp.get("/")
def index() -> str:
    try:
        counts: list[dict[str, object]] | None = type_counts()
        problem = None
    except KGError as exc:  # no store yet: the page still says how to get one
        counts, problem = None, str(exc)
    return render_template("index.html", examples=example_queries(), counts=counts, problem=problem,
                           views=VIEWS)
