"""Benchmark: two ways to store the evidence of a link — plain RDF reification (what ``kg.mapping`` writes) and RDF
1.2 triple terms (the annotation syntax ``:p kg:uses :e ~ :link {| kg:confidence 0.9 |}``, i.e. a reifier with
``rdf:reifies <<( :p kg:uses :e )>>``). Both keep the same link facts (confidence, extractors) and the same
mentions by reference (RFC 5147 span IRIs); only the reification differs.

    nice .venv/bin/python bench/evidence_shapes.py --limit 5000 [--clients]

Prints quads per paper, the bulk load into a fresh on-disk store (wall and CPU µs per quad), the median time of
three evidence queries in each shape, and with ``--clients`` whether SPARQLWrapper, rdflib's ``SPARQLStore`` and
the YASGUI page (headless Chromium) read an answer holding the link's statement (and rdflib the exported file).
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "arxiv-cs-2025" / "arxiv_cs_2025_2026.jsonl.gz"
RDF_REIFIES = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#reifies>"

PREFIXES = """PREFIX kg: <https://w3id.org/kg-papers/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
# The same three questions in both shapes: the evidence of one entity's links, every link with its confidence
# (what analytics reads), and the links of one entity with confidence and role (the details panel of an entity).
QUERIES = {
    "reification": {
        "evidence of an entity's links": PREFIXES + """SELECT ?paper ?property ?confidence ?mention WHERE {
  ?link rdf:object ?entity ; rdf:subject ?paper ; rdf:predicate ?property ; kg:confidence ?confidence ;
        kg:hasMention ?mention . VALUES ?entity { <ENTITY> } }""",
        "all links with confidence": PREFIXES + """SELECT ?paper ?property ?entity ?confidence WHERE {
  ?link rdf:subject ?paper ; rdf:predicate ?property ; rdf:object ?entity ; kg:confidence ?confidence }""",
        "links of an entity": PREFIXES + """SELECT ?paper ?property ?confidence WHERE {
  ?link rdf:object <ENTITY> ; rdf:subject ?paper ; rdf:predicate ?property ; kg:confidence ?confidence }""",
    },
    "rdf12": {
        "evidence of an entity's links": PREFIXES + """SELECT ?paper ?property ?confidence ?mention WHERE {
  ?link rdf:reifies <<( ?paper ?property ?entity )>> ; kg:confidence ?confidence ; kg:hasMention ?mention .
  VALUES ?entity { <ENTITY> } }""",
        "all links with confidence": PREFIXES + """SELECT ?paper ?property ?entity ?confidence WHERE {
  ?link rdf:reifies <<( ?paper ?property ?entity )>> ; kg:confidence ?confidence }""",
        "links of an entity": PREFIXES + """SELECT ?paper ?property ?confidence WHERE {
  ?paper ?property <ENTITY> {| kg:confidence ?confidence |} }""",
    },
}
STATEMENT_QUERY = {  # an answer that holds the statement itself: what a client must be able to read
    "reification": PREFIXES + "SELECT ?link ?s ?p ?o WHERE { ?link rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o } LIMIT 5",
    "rdf12": PREFIXES + "SELECT ?link ?statement WHERE { ?link rdf:reifies ?statement } LIMIT 5",
}


def papers(paths: list[Path], limit: int) -> list:
    from kg.ingest import read_papers

    return list(itertools.islice(read_papers(paths), limit or None))


def rdf12_lines(ex) -> Iterator[str]:
    """One paper's graph with RDF 1.2 reifiers instead of rdf:subject/predicate/object (same metadata, facts and
    mention IRIs)."""
    from rdflib import RDF

    from kg.mapping.iris import entity_iri, link_iri, paper_graph_iri, paper_iri
    from kg.mapping.triples import link_property, link_triples, paper_metadata_triples
    from kg.store.nquads import term

    g = term(paper_graph_iri(ex.paper.id))
    for s, p, o in paper_metadata_triples(ex.paper):
        yield f"{term(s)} {term(p)} {term(o)} {g} .\n"
    for link in sorted(ex.links, key=lambda lk: lk.entity.id):
        s, o = term(paper_iri(ex.paper.id)), term(entity_iri(link.entity.id))
        prop = term(link_property(link.entity.type, link.role))
        node = term(link_iri(ex.paper.id, link.entity.id))
        yield f"{s} {prop} {o} {g} .\n"
        yield f"{node} {RDF_REIFIES} <<( {s} {prop} {o} )>> {g} .\n"
        for ts, tp, to in link_triples(ex.paper.id, link):
            if tp not in (RDF.subject, RDF.predicate, RDF.object) and ts != paper_iri(ex.paper.id):
                yield f"{term(ts)} {term(tp)} {term(to)} {g} .\n"


def reification_lines(ex) -> Iterator[str]:
    from kg.mapping.iris import paper_graph_iri
    from kg.mapping.triples import paper_triples
    from kg.store.nquads import nquads

    yield nquads((s, p, o, paper_graph_iri(ex.paper.id)) for s, p, o in paper_triples(ex))


def load(path: Path, store_dir: Path) -> tuple[float, float, int]:
    import pyoxigraph as ox

    store = ox.Store(str(store_dir))
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    store.flush()
    wall, r1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
    cpu = r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime
    n = len(store)
    del store
    return wall, cpu, n


def timed(store, query: str, repeat: int = 3) -> tuple[float, int]:
    runs, n = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        n = len(list(store.query(query, use_default_graph_as_union=True)))
        runs.append(time.perf_counter() - t)
    return statistics.median(runs), n


def check_clients(root: Path, shape: str, tmp: Path) -> dict[str, str]:
    """Ask the statement query through a live server with each client; "ok" or the error it raised."""
    sys.path.insert(0, str(REPO / "tests"))
    from browser_support import chromium_driver, live_server
    from rdflib import Graph

    from server import create_app

    out: dict[str, str] = {}
    query = STATEMENT_QUERY[shape]
    with live_server(create_app({"store_dir": str(root)})) as url:
        try:
            from SPARQLWrapper import JSON, SPARQLWrapper

            sw = SPARQLWrapper(url + "/sparql")
            sw.setQuery(query)
            sw.setReturnFormat(JSON)
            rows = sw.queryAndConvert()["results"]["bindings"]
            out["SPARQLWrapper (JSON)"] = f"ok, {len(rows)} rows, types {sorted({v['type'] for r in rows for v in r.values()})}"
        except Exception as exc:
            out["SPARQLWrapper (JSON)"] = f"{type(exc).__name__}: {str(exc)[:100]}"
        try:
            from rdflib.plugins.stores.sparqlstore import SPARQLStore

            store = SPARQLStore(url + "/sparql", returnFormat="json")
            rows = list(Graph(store=store).query(query))
            out["rdflib SPARQLStore (JSON)"] = f"ok, {len(rows)} rows"
            store.close()
        except Exception as exc:
            out["rdflib SPARQLStore (JSON)"] = f"{type(exc).__name__}: {str(exc)[:100]}"
        try:
            from SPARQLWrapper import TURTLE, SPARQLWrapper

            sw = SPARQLWrapper(url + "/sparql")
            sw.setQuery(PREFIXES + "CONSTRUCT { ?l ?p ?o } WHERE { ?l kg:confidence ?c ; ?p ?o } LIMIT 20")
            sw.setReturnFormat(TURTLE)
            g = Graph().parse(data=sw.queryAndConvert(), format="turtle")
            out["CONSTRUCT → rdflib Turtle parser"] = f"ok, {len(g)} triples"
        except Exception as exc:
            out["CONSTRUCT → rdflib Turtle parser"] = f"{type(exc).__name__}: {str(exc)[:100]}"
        try:
            with chromium_driver(tmp / f"profile-{shape}") as driver:
                from urllib.parse import quote

                driver.get(f"{url}/query?query={quote(query)}")
                driver.execute_script("window.kgYasgui.getTab().query();")
                cells: list = []
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and not cells:
                    cells = driver.execute_script(
                        "return Array.from(document.querySelectorAll('.yasr table tbody tr'))"
                        ".map(tr => Array.from(tr.querySelectorAll('td')).map(td => td.innerText));")
                    time.sleep(0.2)
                errors = [e["message"][:100] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
                out["YASGUI (Chromium)"] = (f"ok, {len(cells)} rows, first: {cells[0][-1][:60]!r}" if cells and not errors
                                            else f"no table; errors {errors}")
        except Exception as exc:
            out["YASGUI (Chromium)"] = f"{type(exc).__name__}: {str(exc)[:100]}"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", nargs="*", type=Path, default=[CORPUS])
    ap.add_argument("--limit", type=int, default=5000)
    ap.add_argument("--clients", action="store_true", help="also check SPARQLWrapper, SPARQLStore and YASGUI")
    ap.add_argument("--entity", default="https://w3id.org/kg-papers/resource/dataset/imagenet")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))

    from kg.build.entities import EntityTable, contributions
    from kg.extract import Extractor
    from kg.mapping.ontology import ontology_quads
    from kg.mapping.triples import entity_triples
    from kg.namespace import ENTITIES_GRAPH
    from kg.store.nquads import nquads
    from kg.store.oxigraph_store import new_generation_path, publish_generation

    docs = papers(args.input, args.limit)
    t = time.perf_counter()
    extractions = list(Extractor().extract(docs))
    print(f"{len(docs)} papers extracted in {time.perf_counter() - t:.0f} s")
    table = EntityTable()
    for ex in extractions:
        table.add_contributions(contributions(ex))
    shared = nquads(ontology_quads()) + nquads((s, p, o, ENTITIES_GRAPH) for e in table.entities()
                                               for s, p, o in entity_triples(e))
    with tempfile.TemporaryDirectory(prefix="kg-evidence-") as tmp_name:
        tmp = Path(tmp_name)
        report: dict[str, dict] = {}
        for shape, lines in (("reification", reification_lines), ("rdf12", rdf12_lines)):
            path = tmp / f"{shape}.nq"
            paper_quads = 0
            with path.open("w", encoding="utf-8") as fh:
                fh.write(shared)
                for ex in extractions:
                    text = "".join(lines(ex))
                    paper_quads += text.count("\n")
                    fh.write(text)
            root = tmp / f"store-{shape}"
            gen = new_generation_path(root)
            wall, cpu, n = load(path, gen)
            publish_generation(root, gen)
            import pyoxigraph as ox

            store = ox.Store.read_only(str(gen))
            queries = {name: timed(store, q.replace("ENTITY", args.entity)) for name, q in QUERIES[shape].items()}
            try:  # `kg export --format jsonld`
                store.dump(format=ox.RdfFormat.JSON_LD, from_graph=ox.NamedNode(
                    "https://w3id.org/kg-papers/resource/graph/paper/" + extractions[0].paper.id))
                jsonld = "ok"
            except Exception as exc:
                jsonld = f"{type(exc).__name__}: {str(exc)[:80]}"
            del store
            report[shape] = {"paper quads/paper": round(paper_quads / len(docs), 1), "store quads": n,
                             "store quads/paper": round(n / len(docs), 1),
                             "load wall µs/quad": round(1e6 * wall / n, 2), "load CPU µs/quad": round(1e6 * cpu / n, 2),
                             "queries s (rows)": {k: f"{v[0]:.3f} ({v[1]})" for k, v in queries.items()},
                             "JSON-LD export": jsonld}
            if args.clients:
                report[shape]["clients"] = check_clients(root, shape, tmp)
            try:  # what an rdflib user of `kg export --format nquads` gets
                from rdflib import Dataset

                Dataset().parse(data=path.read_text(encoding="utf-8")[-200_000:].split("\n", 1)[1], format="nquads")
                report[shape]["rdflib parses the N-Quads"] = "ok"
            except Exception as exc:
                report[shape]["rdflib parses the N-Quads"] = f"{type(exc).__name__}: {str(exc)[:80]}"
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
