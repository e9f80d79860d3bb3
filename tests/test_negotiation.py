"""Content negotiation is a pure function: Accept header (+ ?format=) and result kind → (format, media type)."""

from __future__ import annotations

import pytest

from server.negotiation import negotiate, parse_accept

SOLUTIONS = [
    (None, None, ("json", "application/sparql-results+json")),
    ("", None, ("json", "application/sparql-results+json")),
    ("*/*", None, ("json", "application/sparql-results+json")),
    ("*", None, ("json", "application/sparql-results+json")),
    ("application/sparql-results+json", None, ("json", "application/sparql-results+json")),
    ("application/sparql-results+xml", None, ("xml", "application/sparql-results+xml")),
    ("text/csv", None, ("csv", "text/csv")),
    ("text/tab-separated-values", None, ("tsv", "text/tab-separated-values")),
    ("application/json", None, ("json", "application/json")),
    ("application/xml", None, ("xml", "application/xml")),
    ("text/csv;q=0.5, text/tab-separated-values", None, ("tsv", "text/tab-separated-values")),
    ("text/csv, text/tab-separated-values", None, ("csv", "text/csv")),
    # an exact type beats a wildcard of the same q
    ("*/*, text/csv", None, ("csv", "text/csv")),
    # q=0 excludes even when a wildcard would match
    ("text/*, text/csv;q=0", None, ("tsv", "text/tab-separated-values")),
    ("application/sparql-results+json;q=0, */*;q=0.1", None, ("xml", "application/sparql-results+xml")),
    # browsers: HTML first
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, ("html", "text/html")),
    # YASGUI / SPARQLWrapper / rdflib SPARQLStore
    ("application/sparql-results+json,*/*;q=0.9", None, ("json", "application/sparql-results+json")),
    ("application/sparql-results+xml, application/rdf+xml", None, ("xml", "application/sparql-results+xml")),
    ("APPLICATION/SPARQL-RESULTS+JSON; charset=utf-8", None, ("json", "application/sparql-results+json")),
    ("text/turtle", None, None),
    ("image/png", None, None),
    ("text/csv;q=0", None, None),
    ("text/csv;q=oops", None, None),
    # ?format= overrides the header
    ("text/csv", "json", ("json", "application/sparql-results+json")),
    (None, "tsv", ("tsv", "text/tab-separated-values")),
    (None, "application/sparql-results+xml", ("xml", "application/sparql-results+xml")),
    (None, "turtle", None),
]

GRAPH = [
    (None, None, ("turtle", "text/turtle")),
    ("*/*", None, ("turtle", "text/turtle")),
    ("text/turtle", None, ("turtle", "text/turtle")),
    ("application/n-triples", None, ("nt", "application/n-triples")),
    ("text/plain", None, ("nt", "text/plain")),
    ("application/rdf+xml", None, ("rdfxml", "application/rdf+xml")),
    ("application/ld+json", None, ("jsonld", "application/ld+json")),
    ("application/sparql-results+xml, application/rdf+xml", None, ("rdfxml", "application/rdf+xml")),
    ("text/turtle,*/*;q=0.9", None, ("turtle", "text/turtle")),
    ("application/x-turtle", None, ("turtle", "application/x-turtle")),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, ("rdfxml", "application/xml")),
    ("application/sparql-results+json", None, None),
    ("text/csv", None, None),
    (None, "ttl", ("turtle", "text/turtle")),
    (None, "n-triples", ("nt", "application/n-triples")),
    (None, "json-ld", ("jsonld", "application/ld+json")),
    (None, "csv", None),
]


@pytest.mark.parametrize(("accept", "fmt", "expected"), SOLUTIONS)
def test_negotiation_solutions_table(accept, fmt, expected):
    assert negotiate(accept, "solutions", fmt) == expected


@pytest.mark.parametrize(("accept", "fmt", "expected"), GRAPH)
def test_negotiation_graph_table(accept, fmt, expected):
    assert negotiate(accept, "graph", fmt) == expected


def test_negotiation_parse_accept_orders_by_q_then_position():
    assert parse_accept("text/csv;q=0.5, */*;q=0.1, text/tab-separated-values") == [
        ("text/tab-separated-values", 1.0), ("text/csv", 0.5), ("*/*", 0.1)]
