"""Real clients against a live loopback server: SPARQLWrapper, rdflib's SPARQLStore, and the YASGUI query page in
headless Chromium — each runs a query and checks the answer against the store read in-process."""

from __future__ import annotations

import time
from urllib.parse import quote, urlparse

import pyoxigraph as ox
import pytest
from browser_support import chromium_driver, live_server
from rdflib import DCTERMS, RDF, Graph, URIRef

from kg.store import GraphStore
from kg.store.oxigraph_store import new_generation_path, publish_generation

KG = "https://w3id.org/kg-papers/ontology#"
RES = "https://w3id.org/kg-papers/resource/"
PAPERS = {"2501.00001": "Attention is still all you need", "2501.00002": "Sparse mixtures, \"dense\" results",
          "2501.00003": "Graph networks for retrieval"}
TITLES = f"""PREFIX kg: <{KG}> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?paper ?title WHERE {{ ?paper a kg:Paper ; dcterms:title ?title }} ORDER BY ?title"""
RDF_TYPE = str(RDF.type)
COUNT = f"PREFIX kg: <{KG}> SELECT (COUNT(?p) AS ?papers) WHERE {{ ?p a kg:Paper }}"


@pytest.fixture(scope="module")
def client_store(tmp_path_factory):
    """A small paper-shaped store (one named graph per paper), independent of the extraction pipeline."""
    root = tmp_path_factory.mktemp("client-store")
    gen = new_generation_path(root)
    store = ox.Store(str(gen))
    for pid, title in PAPERS.items():
        paper = ox.NamedNode(f"{RES}paper/{pid}")
        store.add(ox.Quad(paper, ox.NamedNode(RDF_TYPE), ox.NamedNode(KG + "Paper"), paper))
        store.add(ox.Quad(paper, ox.NamedNode(str(DCTERMS.title)), ox.Literal(title), paper))
    store.flush()
    del store
    publish_generation(root, gen)
    return root


@pytest.fixture(scope="module")
def expected(client_store) -> dict:
    store = GraphStore.open(client_store)
    rows = store.select(TITLES)
    return {"titles": [(str(r["paper"]), str(r["title"])) for r in rows], "count": len(rows)}


@pytest.fixture(scope="module")
def base_url(client_store):
    from server import create_app

    with live_server(create_app({"store_dir": str(client_store)})) as url:
        yield url


@pytest.mark.slow
def test_clients_sparqlwrapper_select_ask_construct(base_url, expected):
    from SPARQLWrapper import JSON, POST, TURTLE, XML, SPARQLWrapper

    sw = SPARQLWrapper(base_url + "/sparql")
    sw.setQuery(TITLES)
    sw.setReturnFormat(JSON)
    rows = sw.queryAndConvert()["results"]["bindings"]
    assert [(r["paper"]["value"], r["title"]["value"]) for r in rows] == expected["titles"]

    sw = SPARQLWrapper(base_url + "/sparql")
    sw.setMethod(POST)
    sw.setQuery(f"PREFIX kg: <{KG}> ASK {{ ?p a kg:Paper }}")
    sw.setReturnFormat(XML)
    assert sw.queryAndConvert().getElementsByTagName("boolean")[0].firstChild.data == "true"

    sw = SPARQLWrapper(base_url + "/sparql")
    sw.setQuery(f"PREFIX kg: <{KG}> CONSTRUCT {{ ?p a kg:Paper }} WHERE {{ ?p a kg:Paper }}")
    sw.setReturnFormat(TURTLE)
    g = Graph().parse(data=sw.queryAndConvert(), format="turtle")
    assert len(g) == expected["count"]


@pytest.mark.slow
def test_clients_rdflib_sparqlstore(base_url, expected):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(base_url + "/sparql", returnFormat="json")
    g = Graph(store=store)
    rows = list(g.query(TITLES))
    assert [(str(r[0]), str(r[1])) for r in rows] == expected["titles"]
    assert int(next(iter(g.query(COUNT)))[0]) == expected["count"]
    paper = URIRef(expected["titles"][0][0])
    assert (paper, None, None) in g  # triple pattern → ASK over HTTP
    store.close()


COUNT_AND_PAPER = f"""PREFIX kg: <{KG}>
SELECT (COUNT(?p) AS ?papers) (MIN(?p) AS ?first) WHERE {{ ?p a kg:Paper }}"""


def _wait_for(driver, condition, timeout: float = 30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)


@pytest.mark.slow
def test_clients_query_ui_in_chromium_runs_a_query(base_url, expected, tmp_path):
    with chromium_driver(tmp_path / "profile") as driver:
        driver.get(f"{base_url}/query?query={quote(TITLES)}")
        driver.execute_script("window.kgYasgui.getTab().query();")
        cells = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            cells = driver.execute_script(
                "return Array.from(document.querySelectorAll('.yasr table tbody tr'))"
                ".map(tr => Array.from(tr.querySelectorAll('td')).map(td => td.innerText));")
            if cells and len(cells) >= expected["count"]:
                break
            time.sleep(0.2)
        texts = [" ".join(row) for row in cells]
        assert len(texts) == expected["count"]
        for (_, title), text in zip(expected["titles"], texts, strict=True):
            assert title in text
        # examples are listed and load into the editor
        names = driver.execute_script(
            "return Array.from(document.querySelectorAll('button.kg-example')).map(b => b.dataset.name);")
        assert "02_top_datasets_per_task" in names
        driver.execute_script("document.querySelector('button.kg-example[data-name=\"02_top_datasets_per_task\"]')"
                              ".click();")
        assert "kg:evaluatesOn" in driver.execute_script("return window.kgYasgui.getTab().getYasqe().getValue();")
        # results read: a typed literal shows as its value, our IRIs are abbreviated and open the graph view
        driver.execute_script("var t = window.kgYasgui.getTab(); t.getYasqe().setValue(arguments[0]); t.query();",
                              COUNT_AND_PAPER)

        def row(d):
            cells = d.execute_script(
                "return Array.from(document.querySelectorAll('.yasr table.kg-table tbody tr td'))"
                ".map(td => [td.innerText, td.className, (td.querySelector('a') || {}).href || '']);")
            return cells if len(cells) == 3 else None

        (num, num_class, _), (count, count_class, _), (paper, _, link) = _wait_for(driver, row)
        assert (num, count) == ("1", str(expected["count"])) and "row-num" in num_class and count_class == "num"
        assert paper.startswith("res:paper/") and "^^" not in count
        assert urlparse(link).path == "/graph" and "focus=https" in link
        # an error answers as a sentence, not as raw JSON
        driver.execute_script("var t = window.kgYasgui.getTab(); t.getYasqe().setValue('SELEC nonsense'); t.query();")
        error = _wait_for(driver, lambda d: d.execute_script(
            "var e = document.querySelector('.yasr .kg-error'); return e && e.innerText;"))
        assert "The query failed (400" in error and "{" not in error
        # everything the page loaded came from our own server (no CDN, no prefix.cc / LOV look-ups)
        urls = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name);")
        hosts = {urlparse(u).netloc for u in [*urls, driver.current_url] if u.startswith("http")}
        assert hosts == {urlparse(base_url).netloc}, hosts
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
                  and "the server responded with a status of 400" not in e["message"]  # the bad query above
                  and "expected CONSTRUCT" not in e["message"]]
        assert not errors, errors


def _cross_product(n: int) -> str:
    values = " ".join(str(i) for i in range(n))
    return f"SELECT * WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} VALUES ?c {{ {values} }} }}"


@pytest.mark.slow
def test_clients_streamed_answers_over_real_http(client_store):
    import http.client
    import urllib.request
    from urllib.parse import urlencode

    from server import create_app

    def get(base: str, query: str):
        req = urllib.request.Request(f"{base}/sparql?{urlencode({'query': query})}", headers={"Accept": "text/csv"})
        return urllib.request.urlopen(req, timeout=30)

    app = create_app({"store_dir": str(client_store), "query_timeout": 3.0, "row_limit": 10**9})
    with live_server(app) as url:
        with get(url, _cross_product(40)) as resp:  # 64,000 rows: sent chunked, whole
            assert resp.status == 200 and resp.headers["Transfer-Encoding"] == "chunked"
            assert len(resp.read().decode().split("\r\n")) == 1 + 40**3 + 1
        with get(url, _cross_product(400)) as resp:  # 64M rows: longer than the budget, cut by closing
            assert resp.status == 200
            with pytest.raises(http.client.IncompleteRead):
                resp.read()
        with get(url, "ASK { ?s ?p ?o }") as resp:
            assert resp.read().strip() == b"true"


EVIDENCE = """PREFIX kg: <https://w3id.org/kg-papers/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?paper ?entity ?confidence ?field ?start ?end ?text ?fieldText WHERE {
  ?link rdf:subject ?paper ; rdf:object ?entity ; kg:confidence ?confidence ; kg:hasMention ?m .
  ?paper dcterms:title ?title ; dcterms:abstract ?abstract .
  BIND(REPLACE(STRBEFORE(STR(?m), "#char="), "^.*/", "") AS ?field)
  BIND(xsd:integer(STRBEFORE(STRAFTER(STR(?m), "#char="), ",")) AS ?start)
  BIND(xsd:integer(STRAFTER(STRAFTER(STR(?m), "#char="), ",")) AS ?end)
  BIND(IF(?field = "title", ?title, ?abstract) AS ?fieldText)
  BIND(SUBSTR(?fieldText, ?start + 1, ?end - ?start) AS ?text)
}"""


@pytest.mark.slow
def test_clients_read_evidence_stored_by_reference(tiny_store):
    """Evidence is stored as span IRIs into the stored text; SPARQLWrapper and rdflib's SPARQLStore read the derived
    mention texts, and each is the field's slice at its offsets."""
    from rdflib.plugins.stores.sparqlstore import SPARQLStore
    from SPARQLWrapper import JSON, SPARQLWrapper

    from server import create_app

    with live_server(create_app({"store_dir": str(tiny_store)})) as url:
        sw = SPARQLWrapper(url + "/sparql")
        sw.setQuery(EVIDENCE)
        sw.setReturnFormat(JSON)
        rows = sw.queryAndConvert()["results"]["bindings"]
        assert len(rows) > 10
        for r in rows:
            start, end = int(r["start"]["value"]), int(r["end"]["value"])
            assert r["text"]["value"] == r["fieldText"]["value"][start:end] != ""
        store = SPARQLStore(url + "/sparql", returnFormat="json")
        got = {(str(r.paper), str(r.entity), str(r.text)) for r in Graph(store=store).query(EVIDENCE)}
        store.close()
    assert got == {(r["paper"]["value"], r["entity"]["value"], r["text"]["value"]) for r in rows}
