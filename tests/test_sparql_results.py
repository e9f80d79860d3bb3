"""server/sparql result writers: the exact bytes of every format, pinned by golden files under
tests/data/sparql_results (recorded before the results were streamed; KG_WRITE_GOLDEN=1 rewrites them)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from test_sparql import make_store

from server import create_app

GOLDEN = Path(__file__).parent / "data" / "sparql_results"
TRIG = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:g1 { ex:a ex:name "Alice"@en ; ex:n 1 ; ex:d 2.5 ; ex:f 1.0e3 ; ex:ok true ; ex:when "2024-01-02"^^xsd:date . }
ex:g2 { ex:b ex:name "Bob, \\"the\\" builder\\tand\\nco" ; ex:note "<b>&amp; \u00e9 \U0001F600</b>" ;
              ex:custom "x"^^ex:dt . }
<http://example.org/c?q=1&r=2> ex:name "semi;colon\\r\\nline" ; ex:note "" .
"""
PREFIX = "PREFIX ex: <http://example.org/> "
QUERIES = {
    "names": PREFIX + "SELECT ?s ?name ?note WHERE { ?s ex:name ?name OPTIONAL { ?s ex:note ?note } } ORDER BY ?s",
    "typed": PREFIX + "SELECT ?p ?o WHERE { ex:a ?p ?o } ORDER BY ?p",
    "empty": PREFIX + "SELECT ?s WHERE { ?s ex:missing ?o }",
    "ask_true": "ASK { ?s ?p ?o }",
    "ask_false": PREFIX + "ASK { ?s ex:missing ?o }",
    "graph": PREFIX + "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o",
}
SOLUTION_FORMATS = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                    "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_FORMATS = {"ttl": "text/turtle", "nt": "application/n-triples", "rdf": "application/rdf+xml",
                 "jsonld": "application/ld+json"}
# Results far longer than one streamed chunk (64 KiB), pinned by length and SHA-256 of today's bytes.
MANY = (PREFIX + "SELECT ?i ?s ?o WHERE { VALUES ?i { " + " ".join(map(str, range(3000))) + " } "
        'BIND(CONCAT("row \u00e9\t\\"", STR(?i), "\\" & <x>, y") AS ?s) BIND(IRI(CONCAT("http://example.org/r", STR(?i))) AS ?o) }')
MANY_GRAPH = PREFIX + ("CONSTRUCT { ?o ex:label ?s } WHERE { VALUES ?i { " + " ".join(map(str, range(3000))) + " } "
                       'BIND(CONCAT("row ", STR(?i)) AS ?s) BIND(IRI(CONCAT("http://example.org/r", STR(?i))) AS ?o) }')
CASES = [(q, ext, media) for q in QUERIES for ext, media in
         (GRAPH_FORMATS if q == "graph" else SOLUTION_FORMATS).items()]


@pytest.fixture(scope="module")
def results_client(tmp_path_factory):
    root = make_store(tmp_path_factory.mktemp("results-store"), TRIG)
    return create_app({"store_dir": str(root), "TESTING": True}).test_client()


@pytest.mark.parametrize(("name", "ext", "media"), CASES, ids=[f"{q}.{e}" for q, e, _ in CASES])
def test_sparql_results_bytes_match_golden(results_client, name, ext, media):
    resp = results_client.get("/sparql", query_string={"query": QUERIES[name]}, headers={"Accept": media})
    assert resp.status_code == 200 and resp.mimetype == media
    path = GOLDEN / f"{name}.{ext}"
    if os.environ.get("KG_WRITE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(resp.data)
    assert resp.data == path.read_bytes()


BIG = {
    "json": (668732, "48ace02ab27747f1aa2da525c35d27d1d6cd008b90cf9e40f0e27c5869e09d88"),
    "xml": (782849, "969468711c6dd8dee4dd80a2df897d903158cb061da3e9ef80a7a9425be9340a"),
    "csv": (170677, "cbf6f4bcf9a30baa329ad49feb337e0f7322aedf6d078380684d24b2291ab3bc"),
    "tsv": (314679, "fb71861657bcb898bbb88a77cffcd2ac7b3b3263d3735cbffa955a6f29b05e28"),
    "ttl": (198780, "9893b5e448b8d17817aa9898ecdc3f55090f8f0fb63ae4369ceed42529a1a373"),
    "nt": (198780, "9893b5e448b8d17817aa9898ecdc3f55090f8f0fb63ae4369ceed42529a1a373"),
    "rdf": (387937, "c0a6d8814885dc1be55211eb3a4c88affcf1e8206bd082636966bab3aa631179"),
    "jsonld": (255781, "1177f38d8143de3bde14bda34a6f612c00156ee564cd5ea91c773b1c578ee9b4"),
}


@pytest.mark.parametrize("ext", list(BIG))
def test_sparql_results_long_answers_keep_their_bytes(results_client, ext):
    media = {**SOLUTION_FORMATS, **GRAPH_FORMATS}[ext]
    query = MANY_GRAPH if ext in GRAPH_FORMATS else MANY
    resp = results_client.get("/sparql", query_string={"query": query}, headers={"Accept": media})
    assert resp.status_code == 200 and len(resp.data) > 64 * 1024
    assert (len(resp.data), hashlib.sha256(resp.data).hexdigest()) == BIG[ext]
