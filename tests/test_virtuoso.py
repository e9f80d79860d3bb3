"""Integration: the bundled graph bulk-loaded into a real Virtuoso (127.0.0.1, free ports, temp database) answers the
standard queries like the embedded store; Graph Store Protocol updates mirror kg add / kg remove."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from system_deps import missing_system_package

from kg.remote.virtuoso import VirtuosoServer, installed, push_papers, retract_papers
from kg.store import GraphStore
from kg.store.queries import load_query

pytestmark = pytest.mark.slow
EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "kg" / "store" / "queries" / "examples").glob("*.rq"))
NUMERIC = ("integer", "decimal", "double", "float", "int", "long")


def _norm(value: str, datatype: str | None) -> object:
    if datatype and datatype.rsplit("#", 1)[-1] in NUMERIC:
        return round(float(value), 6)
    return value


def _embedded_rows(store: GraphStore, sparql: str) -> Counter:
    from rdflib import Literal

    rows = Counter()
    for row in store.select(sparql):
        rows[tuple(sorted((k, _norm(str(v), str(v.datatype) if isinstance(v, Literal) and v.datatype else None))
                          for k, v in row.items() if v is not None))] += 1
    return rows


def _remote_rows(client, sparql: str) -> Counter:
    rows = Counter()
    for b in client.select(sparql)["results"]["bindings"]:
        rows[tuple(sorted((k, _norm(v["value"], v.get("datatype"))) for k, v in b.items()))] += 1
    return rows


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory, bundled_store: Path):
    if not installed():
        missing_system_package("virtuoso-opensource not installed (scripts/install-system-deps.sh installs it)")
    db = tmp_path_factory.mktemp("virtuoso")
    nq = db / "graph.nq"
    with nq.open("wb") as fh:
        GraphStore.open(bundled_store).export("nquads", fh)
    quads = nq.read_bytes().count(b"\n")
    with VirtuosoServer(db) as server:
        client = server.client()
        assert client.bulk_load_nquads(nq) >= quads > 10_000  # (Virtuoso counts its own system graphs too)
        yield client


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_virtuoso_standard_queries_same_answers(virtuoso, bundled_store: Path, path: Path):
    sparql = re.sub(r"\bLIMIT\s+\d+", "", path.read_text(encoding="utf-8"))  # ties under LIMIT may differ
    embedded = _embedded_rows(GraphStore.open(bundled_store), sparql)
    assert _remote_rows(virtuoso, sparql) == embedded


def test_virtuoso_counts_by_type_same_answers(virtuoso, bundled_store: Path):
    sparql = load_query("counts_by_type")
    assert _remote_rows(virtuoso, sparql) == _embedded_rows(GraphStore.open(bundled_store), sparql)


def test_virtuoso_graph_store_updates_mirror_add_and_remove(virtuoso, bundled_store: Path):
    store = GraphStore.open(bundled_store)
    count = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/kg-papers/ontology#Paper> }"
    pid = str(store.select("PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?id WHERE { ?p dcterms:identifier ?id }"
                           " ORDER BY ?id LIMIT 1")[0]["id"])
    before = _remote_rows(virtuoso, count)
    retract_papers(virtuoso, store, [pid])
    after = next(iter(_remote_rows(virtuoso, count)))[0][1]
    assert after == next(iter(before))[0][1] - 1
    push_papers(virtuoso, store, [pid])
    assert _remote_rows(virtuoso, count) == before


def test_virtuoso_sparql_update_over_http(virtuoso):
    ask = "ASK { GRAPH <urn:kg:test> { <urn:kg:a> <urn:kg:b> 1 } }"
    virtuoso.update("INSERT DATA { GRAPH <urn:kg:test> { <urn:kg:a> <urn:kg:b> 1 } }")
    assert virtuoso.select(ask)["boolean"] is True
    virtuoso.update("DROP SILENT GRAPH <urn:kg:test>")
    assert virtuoso.select(ask)["boolean"] is False


def test_virtuoso_cli_load_and_retract(tmp_path: Path, bundled_store: Path):
    """`kg virtuoso load` bulk-loads the embedded graph into a second, empty Virtuoso; `retract` drops a paper."""
    from click.testing import CliRunner

    from kg import cli

    store = GraphStore.open(bundled_store)
    papers = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/kg-papers/ontology#Paper> }"
    load_dir = tmp_path / "load"
    with VirtuosoServer(tmp_path / "db", load_dir=load_dir) as server:
        args = ["virtuoso", "--endpoint", server.endpoint, "--isql-port", str(server.isql_port)]
        res = CliRunner().invoke(cli.main, [*args, "load", "--dir", str(load_dir), "--store", str(bundled_store)])
        assert res.exit_code == 0, res.output
        assert "Virtuoso now holds" in res.output
        client = server.client()
        assert _remote_rows(client, papers) == _embedded_rows(store, papers)
        pid = str(store.select("PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?id WHERE "
                               "{ ?p dcterms:identifier ?id } ORDER BY ?id LIMIT 1")[0]["id"])
        res = CliRunner().invoke(cli.main, [*args, "retract", pid, "--store", str(bundled_store)])
        assert res.exit_code == 0, res.output
        n_remote = int(client.select(papers)["results"]["bindings"][0]["n"]["value"])
        assert n_remote == int(store.select(papers)[0]["n"]) - 1


def test_virtuoso_cli_unreachable_endpoint_is_a_message(tmp_path: Path, bundled_store: Path):
    from click.testing import CliRunner

    from kg import cli

    res = CliRunner().invoke(cli.main, ["virtuoso", "--endpoint", "http://127.0.0.1:9/sparql", "push", "x",
                                        "--store", str(bundled_store)])
    assert res.exit_code == 1 and "Traceback" not in res.output
