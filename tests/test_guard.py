"""The parse-based guard (kg.store.guard): SERVICE/LOAD found from tokens whatever surrounds them, limits that
keep deep or long queries from the engine, escapes decoded as the grammar says."""

from __future__ import annotations

import random

import pytest

from kg.errors import QueryError, QueryRefused
from kg.store.guard import check_allowed, has_dataset_clause, is_update, query_form, tokens

BYPASSES = [
    # the forms of issue 14: a '#' or "'" escaped inside a prefixed name is neither a comment nor a string
    "PREFIX ex: <http://e/> SELECT * WHERE { OPTIONAL { ?s ?p ex:a\\# } SERVICE <http://127.0.0.1:9/x> { ?x ?y ?z } }",
    "PREFIX ex: <http://e/> SELECT * WHERE { OPTIONAL { ?s ?p ex:a\\' } SERVICE <http://127.0.0.1:9/x> { ?x ?y ?z } }",
    "PREFIX ex: <http://e/> SELECT * WHERE { ?s ?p ex:it\\'s . SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } . ?s ?p 'x' }",
    "select * where { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE {\nSERVICE#comment\n<http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\U00000053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p \"a\\\"\" SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p '''a''' SERVICE ?x { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p <http://x#> SERVICE<http://127.0.0.1:9/>{?s ?p ?o} }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o<?s) SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }",
]


@pytest.mark.parametrize("query", BYPASSES)
def test_guard_refuses_service_in_every_disguise(query):
    with pytest.raises(QueryRefused, match="SERVICE"):
        check_allowed(query)


@pytest.mark.parametrize("update", [
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "PREFIX ex: <http://e/> INSERT DATA { ex:a\\# ex:p 1 } ; LOAD <http://127.0.0.1:9/x>",
    "load silent <http://127.0.0.1:9/x> into graph <http://g>",
])
def test_guard_refuses_load(update):
    with pytest.raises(QueryRefused, match="LOAD"):
        check_allowed(update, update=True)


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "SERVICE" }',
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "PREFIX service: <http://example.org/> SELECT ?service WHERE { ?service service:load ?o } # SERVICE",
    "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:SERVICE ?o . ?s ?p 'LOAD' }",
    'SELECT * WHERE { ?s ?p """multi\nline SERVICE""" }',
])
def test_guard_lets_the_word_be_data(query):
    check_allowed(query)


def test_guard_tokens_understand_escaped_prefixed_names_strings_and_comments():
    toks = [(t.kind, t.text) for t in tokens("ex:a\\#b 'it''s' # SERVICE\n<http://x#y> ?v _:b1 12.5e3")]
    assert toks == [("pname", "ex:a\\#b"), ("string", "'it'"), ("string", "'s'"), ("comment", "# SERVICE"),
                    ("iri", "<http://x#y>"), ("var", "?v"), ("bnode", "_:b1"), ("number", "12.5e3")]


@pytest.mark.parametrize("escape", ["\\U00110000", "\\UFFFFFFFF", "\\uD800"])
def test_guard_escape_beyond_unicode_is_a_400_not_a_crash(escape):
    with pytest.raises(QueryError, match="invalid escape"):
        check_allowed(f'SELECT * WHERE {{ ?s ?p "{escape}" }}')


@pytest.mark.parametrize(("query", "what"), [
    ("SELECT * WHERE " + "{" * 2265 + "}" * 2265, "nested"),
    ("SELECT * WHERE { FILTER(" + "(" * 4740 + "1" + ")" * 4740 + ") }", "nested"),
    ("SELECT (" + "+".join(["1"] * 6906) + " AS ?x) WHERE {}", "operators"),
    ("SELECT * WHERE { " + " UNION ".join(["{?s ?p ?o}"] * 2000) + " }", "operators"),
    ("SELECT * WHERE { ?s " + "(" * 50_000 + "<http://e/p>" + ")" * 50_000 + " ?o }", "bytes"),
    ("SELECT * WHERE { BIND(" + "CONCAT(" * 100 + '"a"' + ',"b")' * 100 + " AS ?x) }", "nested"),
])
def test_guard_limits_answer_before_the_engine(query, what):
    with pytest.raises(QueryError, match=what):
        check_allowed(query)


def test_guard_limits_are_settings():
    deep = "SELECT * WHERE " + "{" * 10 + "}" * 10
    check_allowed(deep)
    with pytest.raises(QueryError, match="query_max_depth"):
        check_allowed(deep, max_depth=5)
    with pytest.raises(QueryError, match="query_max_bytes"):
        check_allowed("ASK {}" + " " * 100, max_bytes=50)


def test_guard_forms_dataset_and_updates_from_tokens():
    assert query_form("PREFIX select: <http://e/> # ASK\nCONSTRUCT { ?s ?p ?o } WHERE { { SELECT * {} } }") == "CONSTRUCT"
    assert has_dataset_clause("SELECT * FROM <http://g> { ?s ?p ?o }")
    assert not has_dataset_clause("PREFIX from: <http://e/> SELECT * { ?s from:x 'FROM' }")
    assert is_update("INSERT DATA { <http://a> <http://b> 1 }") and not is_update("SELECT ?insert {}")


def test_guard_never_raises_anything_but_query_errors_on_random_text():
    rng = random.Random(14)
    alphabet = "{}()[]<>\"'#\\:?$_.;,|/^*+-=!&@ \nuUSERVICEload0123456789abcxyz\u202e\U0001F600"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        try:
            check_allowed(text, update=rng.random() < 0.5)
            query_form(text)
        except (QueryError, QueryRefused):
            pass
