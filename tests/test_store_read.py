"""kg.store.read: bounded views, search and node details read from the store, evidence segments, CONSTRUCT
checks, and one reader (with its caches) per store generation."""

from __future__ import annotations

import shutil

import pytest
from conftest import run_python

from kg.errors import QueryError, QueryRefused
from kg.store import GraphStore
from kg.store.read import GraphReader, NodeNotFound, ReaderCache, check_construct, highlight_segments

RES = "https://w3id.org/kg-papers/resource/"


@pytest.fixture(scope="module")
def reader(tiny_store) -> GraphReader:
    return GraphReader(GraphStore.open(tiny_store))


# ---------------------------------------------------------------- evidence segments
@pytest.mark.parametrize(("text", "spans", "marked"), [
    ("We use ViT here.", [{"start": 7, "end": 10}], ["ViT"]),
    ("ab cd", [], []),
    ("ViT and KD", [{"start": 0, "end": 3}, {"start": 8, "end": 10}], ["ViT", "KD"]),
    # overlapping: the earlier, longer span wins
    ("Vision Transformer", [{"start": 0, "end": 18}, {"start": 7, "end": 18}], ["Vision Transformer"]),
    # out of range or empty spans are dropped
    ("short", [{"start": 3, "end": 99}, {"start": 2, "end": 2}], []),
])
def test_read_highlight_segments_cover_text_and_mark_spans(text, spans, marked):
    segs = highlight_segments(text, spans)
    assert "".join(s["text"] for s in segs) == text
    assert [s["text"] for s in segs if s.get("highlight")] == marked


def test_read_highlight_segments_carry_span_fields():
    segs = highlight_segments("use ViT", [{"start": 4, "end": 7, "entity": "e", "role": "uses"}])
    assert segs[-1] == {"text": "ViT", "highlight": True, "entity": "e", "role": "uses"}


# ---------------------------------------------------------------- CONSTRUCT only, no SERVICE
@pytest.mark.parametrize("query", [
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "PREFIX kg: <https://w3id.org/kg-papers/ontology#>\nconstruct { ?p kg:uses ?m } where { ?p kg:uses ?m }",
    'CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?o != "SERVICE") }  # SELECT in a comment',
])
def test_read_check_construct_accepts(query):
    check_construct(query)


@pytest.mark.parametrize(("query", "error"), [
    ("SELECT * WHERE { ?s ?p ?o }", QueryRefused),
    ("ASK { ?s ?p ?o }", QueryRefused),
    ("DESCRIBE <http://x>", QueryRefused),
    ("INSERT DATA { <a:b> <a:c> <a:d> }", QueryRefused),
    ("CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }", QueryRefused),
    ("hello", QueryError),
])
def test_read_check_construct_refuses(query, error):
    with pytest.raises(error):
        check_construct(query)


def test_read_construct_view_draws_result_triples(reader):
    g = reader.construct_view("PREFIX kg: <https://w3id.org/kg-papers/ontology#>\n"
                              "CONSTRUCT { ?p kg:evaluatesOn ?d } WHERE { ?p kg:evaluatesOn ?d }")
    assert g.has_edge(RES + "paper/p1", RES + "dataset/imagenet-1k")
    assert g.nodes[RES + "dataset/imagenet-1k"]["type"] == "dataset"
    assert g.nodes[RES + "paper/p1"]["label"].startswith("DistilViT")
    assert {d["relation"] for *_, d in g.edges(data=True)} == {"evaluatesOn"}


def test_read_construct_view_stops_at_max_nodes(reader):
    g = reader.construct_view("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", max_nodes=10)
    assert g.number_of_nodes() <= 10 and g.graph["cut"]


# ---------------------------------------------------------------- views, search and details
def test_read_first_view_is_bounded_and_typed(reader):
    g = reader.first_view(6)
    assert 0 < g.number_of_nodes() <= 6
    assert {d["type"] for _, d in g.nodes(data=True)} <= {"paper", "method", "task", "dataset", "metric",
                                                          "architecture"}
    assert all(d["degree"] >= 1 for _, d in g.nodes(data=True))


def test_read_first_view_ranks_entities_by_papers(reader):
    g = reader.first_view(400)
    entities = [d for _, d in g.nodes(data=True) if d["type"] != "paper"]
    papers = [n for n, d in g.nodes(data=True) if d["type"] == "paper"]
    assert entities and set(papers) == {RES + "paper/p1", RES + "paper/p2", RES + "paper/p3"}
    assert g.has_edge(RES + "paper/p1", RES + "method/vision-transformer")


def test_read_neighbourhood_of_entity_and_paper(reader):
    g = reader.neighbourhood(RES + "method/resnet")
    assert g.graph["focus"] == RES + "method/resnet"
    assert RES + "paper/p1" in g and g.edges[RES + "method/resnet", RES + "paper/p1"]["relation"] == "comparesWith"
    assert g.has_edge(RES + "method/resnet", RES + "architecture/cnn")  # method → architecture
    assert g.nodes[RES + "method/resnet"]["families"] == ["CNN"]
    p = reader.neighbourhood(RES + "paper/p1")
    assert {g2 for g2 in p if g2 != RES + "paper/p1"} >= {RES + "entity/distilvit", RES + "dataset/imagenet-1k"}
    assert p.graph["total"] == p.graph["shown"] == p.number_of_nodes() - 1


def test_read_neighbourhood_is_cut_at_limit(reader):
    g = reader.neighbourhood(RES + "architecture/transformer", limit=1)
    assert g.graph["shown"] < g.graph["total"]


def test_read_neighbourhood_unknown_node(reader):
    with pytest.raises(NodeNotFound):
        reader.neighbourhood("https://example.org/nothing")


@pytest.mark.parametrize(("q", "first_iri"), [
    ("resnet", RES + "method/resnet"),
    ("residual network", RES + "method/resnet"),  # alias (skos:altLabel)
    ("IN-1K", RES + "dataset/imagenet-1k"),  # alias, case-insensitive
    ("decoder-only language", RES + "paper/p3"),  # paper title
])
def test_read_search_by_label_alias_or_title(reader, q, first_iri):
    hits = reader.search(q)
    assert hits and hits[0]["iri"] == first_iri
    assert len({h["iri"] for h in hits}) == len(hits)


def test_read_search_ignores_one_letter_queries(reader):
    assert reader.search("a") == []


def test_read_node_details_of_paper_highlights_evidence(reader):
    d = reader.node_details(RES + "paper/p1")
    assert d["type"] == "paper" and d["title"].startswith("DistilViT")
    assert "".join(s["text"] for s in d["abstract_segments"]) == d["abstract"]
    marked = {s["text"]: s for s in d["abstract_segments"] if s.get("highlight")}
    assert marked["ImageNet-1K"]["entity"] == RES + "dataset/imagenet-1k"
    assert marked["ImageNet-1K"]["role"] == "evaluatesOn"
    assert {e["iri"] for e in d["roles"]["proposes"]} == {RES + "entity/distilvit"}
    assert next(iter(d["roles"])) == "proposes"  # roles in the panel's order


def test_read_node_details_of_entity(reader):
    d = reader.node_details(RES + "dataset/imagenet-1k")
    assert d["type"] == "dataset" and d["label"] == "ImageNet-1K"
    assert set(d["aliases"]) >= {"IN-1K"}
    assert d["paper_count"] == 1 and [p["iri"] for p in d["papers"]] == [RES + "paper/p1"]


# ---------------------------------------------------------------- one reader per generation
def test_read_reader_cache_gives_one_reader_per_generation(tiny_store):
    store = GraphStore.open(tiny_store)
    cache = ReaderCache()
    first = cache.get(store, 1)
    assert cache.get(store, 1) is first
    first.search("resnet")
    assert first.ready("search_index")
    second = cache.get(store, 2)
    assert second is not first and second.generation == 2 and not second.ready("search_index")
    assert cache.get(store, 2) is second
    other = GraphStore.open(tiny_store)  # a reopened store is a new generation even with the same number
    assert cache.get(other, 2) is not second


def test_read_a_new_generation_sees_what_the_old_reader_cached_without(tiny_store, tmp_path):
    root = tmp_path / "store"
    shutil.copytree(tiny_store, root, symlinks=True)
    store = GraphStore.open(root, read_only=False)
    cache = ReaderCache()
    old = cache.get(store, 1)
    paper = RES + "paper/fresh"
    assert old.search("quokka") == [] and old.node_info(paper) is None
    store.ox.update(f"""PREFIX kg: <https://w3id.org/kg-papers/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
        INSERT DATA {{ GRAPH <{RES}graph/paper/fresh> {{ <{paper}> a kg:Paper ; dcterms:title "Quokka nets" }} }}""")
    assert old.search("quokka") == []  # the old generation's caches are kept as they were read
    new = cache.get(store, 2)
    assert [h["iri"] for h in new.search("quokka")] == [paper]
    assert new.node_info(paper)["label"] == "Quokka nets"
    assert new.neighbourhood(paper).nodes[paper]["label"] == "Quokka nets"
    assert new.node_details(paper)["title"] == "Quokka nets"


def test_read_layer_imports_no_later_stage():
    code = ("import sys, kg.store.read; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'spacy' "
            "or m.startswith(('kg.viz', 'kg.extract', 'kg.build', 'server'))))")
    assert run_python(code).strip() == "[]"
