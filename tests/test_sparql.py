"""The /sparql endpoint: SPARQL 1.1 Protocol, result formats, service description, safety limits, CORS, updates."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from rdflib import XSD, Graph, Literal, URIRef
from rdflib.query import Result

from kg.store import current_path
from kg.store.oxigraph_store import new_generation_path, publish_generation
from kg.store.terms import from_ox
from server import create_app

EX = "http://example.org/"
TRIG = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:g1 { ex:a ex:p 1 ; ex:name "Alice"@en . }
ex:g2 { ex:b ex:p 2 ; ex:name "Bob, \\"the\\" builder\\tand\\nco" . }
ex:b ex:q ex:c .
"""
SELECT_NAMES = "PREFIX ex: <http://example.org/> SELECT ?s ?name WHERE { ?s ex:name ?name } ORDER BY ?s"
JSON = {"Accept": "application/sparql-results+json"}


def make_store(root: Path, trig: str = TRIG) -> Path:
    """A store directory (generations + current) holding ``trig``."""
    gen = new_generation_path(root)
    store = ox.Store(str(gen))
    store.load(trig.encode(), format=ox.RdfFormat.TRIG)
    store.flush()
    del store
    publish_generation(root, gen)
    return root


@pytest.fixture(scope="module")
def ex_store(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("sparql-store"))


@pytest.fixture
def ex_app(ex_store):
    return create_app({"store_dir": str(ex_store), "TESTING": True})


@pytest.fixture
def ex_client(ex_app):
    return ex_app.test_client()


def parse_graph(data: bytes, media: str) -> Graph:
    """RDF bytes → rdflib Graph (parsed by Oxigraph: rdflib's JSON-LD parser warns about deprecations)."""
    g = Graph()
    for t in ox.parse(data, format=ox.RdfFormat.from_media_type(media)):
        g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    return g


def names_of(resp) -> list[str]:
    assert resp.status_code == 200, resp.data
    return [b["name"]["value"] for b in resp.get_json()["results"]["bindings"]]


# ------------------------------------------------------------------------------------------------ protocol
def test_sparql_get_post_form_and_post_direct_agree(ex_client):
    got = [
        ex_client.get("/sparql", query_string={"query": SELECT_NAMES}, headers=JSON),
        ex_client.post("/sparql", data={"query": SELECT_NAMES}, headers=JSON),
        ex_client.post("/sparql", data=SELECT_NAMES, content_type="application/sparql-query", headers=JSON),
        ex_client.post("/sparql", data=SELECT_NAMES.encode(), content_type="application/sparql-query; charset=utf-8",
                       headers=JSON),
    ]
    assert all(names_of(r) == ["Alice", 'Bob, "the" builder\tand\nco'] for r in got)


@pytest.mark.parametrize(("accept", "media"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
])
def test_sparql_select_formats_parse_back(ex_client, accept, media):
    resp = ex_client.get("/sparql", query_string={"query": SELECT_NAMES}, headers={"Accept": accept})
    assert resp.status_code == 200 and resp.mimetype == media
    fmt = {"text/csv": "csv", "text/tab-separated-values": "tsv"}.get(media, media.split("+")[-1])
    result = Result.parse(io.BytesIO(resp.data), format=fmt)
    values = [(str(row[0]), str(row[1])) for row in result]
    assert values == [(EX + "a", "Alice"), (EX + "b", 'Bob, "the" builder\tand\nco')]


def test_sparql_json_keeps_language_and_datatype(ex_client):
    q = "PREFIX ex: <http://example.org/> SELECT ?name ?n WHERE { ex:a ex:name ?name ; ex:p ?n }"
    row = ex_client.get("/sparql", query_string={"query": q}, headers=JSON).get_json()["results"]["bindings"][0]
    assert row["name"] == {"type": "literal", "value": "Alice", "xml:lang": "en"}
    assert row["n"] == {"type": "literal", "value": "1", "datatype": str(XSD.integer)}


def test_sparql_csv_quotes_per_spec_and_tsv_uses_turtle_terms(ex_client):
    q = "PREFIX ex: <http://example.org/> SELECT ?s ?name ?none WHERE { ?s ex:name ?name } ORDER BY ?s"
    body = ex_client.get("/sparql", query_string={"query": q}, headers={"Accept": "text/csv"}).data.decode()
    assert body.startswith("s,name,none\r\n")
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert rows[2] == [EX + "b", 'Bob, "the" builder\tand\nco', ""]
    tsv = ex_client.get("/sparql", query_string={"query": q}, headers={"Accept": "text/tab-separated-values"})
    lines = tsv.data.decode().split("\n")
    assert lines[0] == "?s\t?name\t?none" and lines[1] == f'<{EX}a>\t"Alice"@en\t'


def test_sparql_ask_formats(ex_client):
    q = "ASK { ?s ?p ?o }"
    assert ex_client.get("/sparql", query_string={"query": q}, headers=JSON).get_json()["boolean"] is True
    xml = ex_client.get("/sparql", query_string={"query": q}, headers={"Accept": "application/sparql-results+xml"})
    assert b"<boolean>true</boolean>" in xml.data


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples", "application/rdf+xml",
                                    "application/ld+json"])
def test_sparql_construct_formats_parse_back(ex_client, accept):
    q = "PREFIX ex: <http://example.org/> CONSTRUCT { ?s ex:label ?name } WHERE { ?s ex:name ?name }"
    resp = ex_client.get("/sparql", query_string={"query": q}, headers={"Accept": accept})
    assert resp.status_code == 200 and resp.mimetype == accept
    g = parse_graph(resp.data, accept)
    assert (URIRef(EX + "a"), URIRef(EX + "label"), Literal("Alice", lang="en")) in g and len(g) == 2


def test_sparql_describe_returns_a_graph(ex_client):
    resp = ex_client.get("/sparql", query_string={"query": f"DESCRIBE <{EX}b>"}, headers={"Accept": "text/turtle"})
    g = Graph().parse(data=resp.data, format="turtle")
    assert (URIRef(EX + "b"), URIRef(EX + "q"), URIRef(EX + "c")) in g


@pytest.mark.parametrize(("query", "accept"), [
    (SELECT_NAMES, "text/turtle"),
    ("ASK {}", "application/rdf+xml"),
    (f"CONSTRUCT WHERE {{ <{EX}b> ?p ?o }}", "application/sparql-results+json"),
    (SELECT_NAMES, "image/png"),
])
def test_sparql_unservable_accept_is_406(ex_client, query, accept):
    resp = ex_client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert resp.status_code == 406
    assert resp.get_json()["error"]["code"] == "not_acceptable"


def test_sparql_malformed_query_is_400_with_parser_message(ex_client):
    resp = ex_client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p }"})
    err = resp.get_json()["error"]
    assert resp.status_code == 400 and err["code"] == "bad_query"
    assert "1:" in err["message"] and "expected" in err["message"]  # Oxigraph's "error at 1:24: expected …"


@pytest.mark.parametrize("kwargs", [
    {"data": "x", "content_type": "text/plain"},
    {"query_string": {"update": "CLEAR ALL"}, "method": "GET"},
    {"data": {"query": "ASK {}", "update": "CLEAR ALL"}},
    {"query_string": {"query": ["ASK {}", "ASK {}"]}, "method": "GET"},
    {"query_string": {"query": "  "}, "method": "GET"},
])
def test_sparql_protocol_misuse_is_400(ex_client, kwargs):
    method = kwargs.pop("method", "POST")
    resp = ex_client.open("/sparql", method=method, **kwargs)
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "bad_query"


def test_sparql_default_graph_uri_restricts_the_default_graph(ex_client):
    resp = ex_client.get("/sparql", query_string={"query": SELECT_NAMES, "default-graph-uri": EX + "g1"}, headers=JSON)
    assert names_of(resp) == ["Alice"]
    both = ex_client.get("/sparql", query_string={"query": SELECT_NAMES, "default-graph-uri": [EX + "g1", EX + "g2"]},
                         headers=JSON)
    assert len(names_of(both)) == 2


def test_sparql_named_graph_uri_limits_graph_patterns(ex_client):
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    resp = ex_client.post("/sparql", data={"query": q, "named-graph-uri": EX + "g2"}, headers=JSON)
    assert [b["g"]["value"] for b in resp.get_json()["results"]["bindings"]] == [EX + "g2"]
    # only named graphs given: the default graph is empty
    assert names_of(ex_client.post("/sparql", data={"query": SELECT_NAMES, "named-graph-uri": EX + "g2"},
                                   headers=JSON)) == []


def test_sparql_protocol_dataset_overrides_from_clauses(ex_client):
    q = f"PREFIX ex: <{EX}> SELECT ?name FROM ex:g2 WHERE {{ ?s ex:name ?name }}"
    assert names_of(ex_client.get("/sparql", query_string={"query": q}, headers=JSON)) == ['Bob, "the" builder\tand\nco']
    assert names_of(ex_client.get("/sparql", query_string={"query": q, "default-graph-uri": EX + "g1"},
                                  headers=JSON)) == ["Alice"]


def test_sparql_bad_graph_iri_is_400(ex_client):
    resp = ex_client.get("/sparql", query_string={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert resp.status_code == 400


# ------------------------------------------------------------------------------------------------ service description
def test_sparql_service_description_without_query(ex_client):
    resp = ex_client.get("/sparql", headers={"Host": "evil.example"})
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"
    assert b"evil.example" not in resp.data  # the endpoint is named from the settings, never from Host
    g = Graph().parse(data=resp.data, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = URIRef("http://127.0.0.1:8000/sparql")
    assert (endpoint, URIRef(sd + "endpoint"), endpoint) in g
    assert (endpoint, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in g
    assert (endpoint, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Update")) not in g
    assert len(list(g.objects(endpoint, URIRef(sd + "resultFormat")))) == 8
    assert g.value(endpoint, URIRef(sd + "defaultDataset")) is not None


def test_sparql_service_description_negotiates_rdf_formats(ex_client):
    resp = ex_client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert resp.mimetype == "application/ld+json"
    assert len(parse_graph(resp.data, "application/ld+json")) > 5


# ------------------------------------------------------------------------------------------------ safety
@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x ?y ?z . SERVICE ?endpoint { ?s ?p ?o } }",
    "SELECT * WHERE {\nSERVICE#comment\n<http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
])
def test_sparql_service_is_refused(ex_client, query):
    resp = ex_client.get("/sparql", query_string={"query": query})
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "query_refused"


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "SERVICE" }',
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "PREFIX service: <http://example.org/> SELECT ?service WHERE { ?service service:p ?o } # SERVICE",
])
def test_sparql_service_word_elsewhere_is_fine(ex_client, query):
    assert ex_client.get("/sparql", query_string={"query": query}).status_code == 200


def test_sparql_row_limit_truncates_and_says_so(ex_store):
    client = create_app({"store_dir": str(ex_store), "row_limit": 2, "TESTING": True}).test_client()
    resp = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers=JSON)
    assert len(resp.get_json()["results"]["bindings"]) == 2
    assert resp.headers["X-KG-Truncated"] == "true" and resp.headers["X-KG-Row-Limit"] == "2"
    small = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s <http://example.org/q> ?o }"})
    assert "X-KG-Truncated" not in small.headers
    ttl = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "text/turtle"})
    assert len(Graph().parse(data=ttl.data, format="turtle")) == 2 and ttl.headers["X-KG-Truncated"] == "true"


def _cross_product(n: int = 200) -> str:
    values = " ".join(str(i) for i in range(n))
    return f"VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} VALUES ?c {{ {values} }}"


def test_sparql_query_timeout_answers_503_and_keeps_serving(ex_store):
    client = create_app({"store_dir": str(ex_store), "query_timeout": 1.0, "row_limit": 10**9,
                         "TESTING": True}).test_client()
    # no row before the deadline (counting 64M rows takes the engine about 8 s): nothing was sent yet
    slow = f"SELECT (COUNT(*) AS ?n) WHERE {{ {_cross_product(400)} }}"
    resp = client.get("/sparql", query_string={"query": slow}, headers=JSON)
    assert resp.status_code == 503
    err = resp.get_json()["error"]
    assert err["code"] == "query_timeout" and "query_timeout" in err["message"]
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}, headers=JSON).get_json()["boolean"]


def test_sparql_deadline_cuts_a_streamed_answer_and_keeps_serving(ex_store, caplog):
    client = create_app({"store_dir": str(ex_store), "query_timeout": 1.0, "row_limit": 10**9,
                         "TESTING": True}).test_client()
    # rows come at once, all 64M of them take longer than the budget: the answer starts, then is cut
    resp = client.get("/sparql", query_string={"query": f"SELECT * WHERE {{ {_cross_product(400)} }}"},
                      headers=JSON)
    assert resp.status_code == 200 and "Content-Length" not in resp.headers
    assert resp.headers["X-KG-Row-Limit"] == str(10**9) and "X-KG-Truncated" not in resp.headers
    from server.sparql.routes import StreamCut

    with pytest.raises(StreamCut, match="time budget"):
        resp.get_data()
    assert "cut short" in caplog.text
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}, headers=JSON).get_json()["boolean"]


def test_sparql_long_answer_is_streamed_and_stops_at_the_row_cap(ex_store):
    client = create_app({"store_dir": str(ex_store), "row_limit": 20_000, "TESTING": True}).test_client()
    resp = client.get("/sparql", query_string={"query": f"SELECT * WHERE {{ {_cross_product(40)} }}"},
                      headers={"Accept": "text/csv"})
    # more than the first 64 KiB piece: sent before the cap is reached, so the cut cannot be announced
    assert resp.status_code == 200 and resp.headers["X-KG-Row-Limit"] == "20000"
    assert "X-KG-Truncated" not in resp.headers and "Content-Length" not in resp.headers
    pieces = list(resp.response)
    assert len(pieces) > 1  # sent in pieces as produced, not as one body
    lines = b"".join(pieces).decode().split("\r\n")
    assert lines[0] == "a,b,c" and len(lines) == 1 + 20_000 + 1 and lines[-1] == ""


def test_sparql_request_size_limit_is_413(ex_store):
    client = create_app({"store_dir": str(ex_store), "max_request_bytes": 200, "TESTING": True}).test_client()
    big = "ASK { ?s ?p ?o }" + " " * 1000
    resp = client.post("/sparql", data=big, content_type="application/sparql-query")
    assert resp.status_code == 413 and "error" in resp.get_json()


def test_sparql_cors_headers_and_preflight(ex_client):
    resp = ex_client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://elsewhere.example"})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    pre = ex_client.options("/sparql", headers={"Origin": "https://elsewhere.example",
                                                "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 204
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in pre.headers["Access-Control-Allow-Headers"]
    err = ex_client.get("/sparql", query_string={"query": "SELEC"})
    assert err.headers["Access-Control-Allow-Origin"] == "*"


def test_sparql_html_results_for_browsers(ex_client):
    resp = ex_client.get("/sparql", query_string={"query": SELECT_NAMES}, headers={"Accept": "text/html"})
    assert resp.mimetype == "text/html" and b"Alice" in resp.data


# ------------------------------------------------------------------------------------------------ updates
UPDATE = f"INSERT DATA {{ <{EX}new> <{EX}name> \"Carol\" }}"


def test_sparql_update_refused_when_read_only(ex_client):
    for resp in (ex_client.post("/sparql", data=UPDATE, content_type="application/sparql-update"),
                 ex_client.post("/sparql", data={"update": UPDATE})):
        assert resp.status_code == 403 and "read-only" in resp.get_json()["error"]["message"]


def test_sparql_update_needs_enabled_and_token(tmp_path):
    root = make_store(tmp_path / "rw")
    app = create_app({"store_dir": str(root), "update_enabled": True, "update_token": "s3cret", "TESTING": True})
    client = app.test_client()
    sd = client.get("/sparql").data
    assert b"SPARQL11Update" in sd
    assert client.post("/sparql", data=UPDATE, content_type="application/sparql-update").status_code == 401
    wrong = client.post("/sparql", data=UPDATE, content_type="application/sparql-update",
                        headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "unauthorized"
    ok = client.post("/sparql", data={"update": UPDATE}, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 204
    assert "Carol" in names_of(client.get("/sparql", query_string={"query": SELECT_NAMES}, headers=JSON))
    load = client.post("/sparql", data="LOAD <http://127.0.0.1:9/data.ttl>", content_type="application/sparql-update",
                       headers={"Authorization": "Bearer s3cret"})
    assert load.status_code == 403
    bad = client.post("/sparql", data="INSERT DATA {", content_type="application/sparql-update",
                      headers={"Authorization": "Bearer s3cret"})
    assert bad.status_code == 400
    assert current_path(root) is not None


def test_sparql_update_enabled_without_token_is_refused(tmp_path):
    root = make_store(tmp_path / "rw")
    client = create_app({"store_dir": str(root), "update_enabled": True, "TESTING": True}).test_client()
    resp = client.post("/sparql", data=UPDATE, content_type="application/sparql-update",
                       headers={"Authorization": "Bearer "})
    assert resp.status_code == 403 and "update_token" in resp.get_json()["error"]["message"]


def test_sparql_error_body_is_the_one_json_shape(ex_client):
    body = json.loads(ex_client.get("/sparql", query_string={"query": "SELEC"}).data)
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message"}


def test_sparql_cli_serve_options_reach_the_endpoint(ex_store):
    from click.testing import CliRunner

    from kg.cli import main

    q = "SELECT * WHERE { ?s ?p ?o }"
    result = CliRunner().invoke(main, ["serve", "--store", str(ex_store), "--row-limit", "1", "--threads", "2",
                                       "--query-timeout", "5", "--get", "/sparql?" + urlencode({"query": q})])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout_bytes)["results"]["bindings"]) == 1


# ------------------------------------------------------------------------------------------------ execution seam
def test_sparql_run_query_emits_head_then_answer_without_flask(ex_store):
    import pickle

    from kg.store import GraphStore
    from server.sparql.budget import Budget
    from server.sparql.execute import Head, QueryJob, run_query

    job = QueryJob(SELECT_NAMES, row_limit=1, accept="text/csv")
    assert pickle.loads(pickle.dumps(job)) == job  # plain values: a worker process can receive it
    items: list = []
    truncated = run_query(GraphStore.open(ex_store), job, Budget(5.0), items.append)
    assert items[0] == Head("csv", "text/csv") and truncated
    assert b"".join(items[1:]) == f"s,name\r\n{EX}a,Alice\r\n".encode()


def test_sparql_unread_streamed_answer_stops_its_worker(ex_store, monkeypatch):
    from werkzeug.test import EnvironBuilder

    from server.sparql.workers import WorkerPool

    streams = []
    start = WorkerPool.stream
    monkeypatch.setattr(WorkerPool, "stream", lambda pool, *args: streams.append(start(pool, *args)) or streams[-1])
    app = create_app({"store_dir": str(ex_store), "row_limit": 10**9, "TESTING": True})
    environ = EnvironBuilder("/sparql", query_string={"query": f"SELECT * WHERE {{ {_cross_product()} }}"},
                             headers=JSON).get_environ()
    status = []
    body = app.wsgi_app(environ, lambda s, headers, exc_info=None: status.append((s, dict(headers))))
    assert status[0][0] == "200 OK" and "X-KG-Row-Limit" in status[0][1]
    worker = streams[0].worker
    assert not streams[0].budget.cancelled.is_set() and worker.proc.is_alive()
    body.close()  # the server closes the body without reading it (a HEAD request, a client that went away)
    assert streams[0].budget.cancelled.is_set() and worker.killed == "cancelled"
    worker.proc.join(5)
    assert not worker.proc.is_alive()  # the worker process is gone, not left computing
