"""End to end: build the bundled corpus with the shipped pipeline, serve it over real HTTP, and ask for the papers
whose architecture is a kind of transformer."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from browser_support import live_server

from kg.analytics import to_networkx
from kg.store import GraphStore
from server import create_app

TRANSFORMER_PAPERS = """
PREFIX kg: <https://w3id.org/kg-papers/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?title WHERE {
  ?paper kg:hasArchitecture ?a ; dcterms:title ?title .
  ?a a/rdfs:subClassOf* kg:Transformer .
}
"""

# Papers whose abstracts build on transformers (vision transformers, encoder-decoders, decoder-only LMs) …
EXPECTED = {
    "Searching for Efficient Multi-Stage Vision Transformers",
    "Training and Inference Efficiency of Encoder-Decoder Speech Models",
    "Wide Attention Is The Way Forward For Transformers?",
    "Block Transformer: Global-to-Local Language Modeling for Fast Inference",
}
# … and papers that never mention one.
NOT_EXPECTED = {
    "Comparative Study on the Performance of Categorical Variable Encoders in Classification and Regression Tasks",
    "Unsupervised Representation Learning by Sorting Sequences",
}

pytestmark = pytest.mark.slow


def test_e2e_bundled_corpus_transformer_papers_over_http(bundled_store):
    app = create_app({"store_dir": str(bundled_store)})
    with live_server(app) as base:
        url = base + "/sparql?" + urllib.parse.urlencode({"query": TRANSFORMER_PAPERS})
        req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            assert resp.status == 200
            body = json.load(resp)
        titles = {b["title"]["value"] for b in body["results"]["bindings"]}
        assert titles >= EXPECTED
        assert not (NOT_EXPECTED & titles)
        assert len(titles) > 50  # transformers dominate this corpus
        with urllib.request.urlopen(base + "/graph", timeout=30) as resp:
            assert resp.status == 200 and b"/static/graph/renderer.js" in resp.read()


def test_e2e_bundled_corpus_counts(bundled_store):
    """Every paper the readers keep (duplicates dropped) is in the graph, once."""
    from kg.ingest import IngestReport, bundled_corpus, read_papers

    report = IngestReport()
    ids = {p.id for p in read_papers(bundled_corpus(), report)}
    assert report.kept == len(ids) and report.duplicates > 0
    store = GraphStore.open(bundled_store)
    rows = store.select("PREFIX kg: <https://w3id.org/kg-papers/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
                        "SELECT ?id WHERE { ?p a kg:Paper ; dcterms:identifier ?id }")
    assert sorted(str(r["id"]) for r in rows) == sorted(ids)
    g = to_networkx(store)
    types = {d["type"] for _, d in g.nodes(data=True)}
    assert types == {"paper", "method", "task", "dataset", "metric", "architecture"}
