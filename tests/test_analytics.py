"""kg.analytics on a small hand-made store: graph ↔ RDF, projections, rankings, communities, trends, paths,
exports, summaries, and the `kg stats` / `kg analytics` commands."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import analytics as ka
from kg.cli import main
from kg.mapping.iris import paper_iri
from kg.mapping.triples import entity_triples, paper_triples
from kg.model import Entity, Link, Mention, Paper, PaperExtraction
from kg.namespace import KG, ONTOLOGY_GRAPH, RES
from kg.store import GraphStore, new_generation_path, publish_generation
from kg.store.stats import refresh_stats
from ontology import ONTOLOGY_TTL

BERT = Entity("method/bert", "method", "BERT", architectures=("architecture/encoder-only",))
GPT = Entity("method/gpt", "method", "GPT", architectures=("architecture/decoder-only",))
RESNET = Entity("method/resnet", "method", "ResNet", architectures=("architecture/cnn",))
VIT = Entity("method/vit", "method", "ViT", architectures=("architecture/vision-transformer",))
GLUE = Entity("dataset/glue", "dataset", "GLUE")
SQUAD = Entity("dataset/squad", "dataset", "SQuAD")
IMAGENET = Entity("dataset/imagenet", "dataset", "ImageNet")
QA = Entity("task/qa", "task", "question answering")
CLS = Entity("task/classification", "task", "image classification")
ACC = Entity("metric/accuracy", "metric", "accuracy")

# id, date, links (entity, role, confidence)
CORPUS = [
    ("p1", "2024-01-05", [(BERT, "uses", 0.9), (GLUE, "evaluates_on", 0.9), (QA, "uses", 0.8)]),
    ("p2", "2024-02-11", [(BERT, "uses", 0.9), (SQUAD, "evaluates_on", 0.9), (QA, "uses", 0.8)]),
    ("p3", "2025-01-20", [(GPT, "proposes", 0.95), (GLUE, "evaluates_on", 0.9)]),
    ("p4", "2025-02-02", [(RESNET, "uses", 0.9), (IMAGENET, "evaluates_on", 0.9), (CLS, "uses", 0.8),
                          (ACC, "evaluates_on", 0.4)]),
    ("p5", "2025-03-15", [(VIT, "proposes", 0.95), (IMAGENET, "evaluates_on", 0.9), (CLS, "uses", 0.8)]),
    ("p6", "2025-03-30", [(GPT, "uses", 0.9), (BERT, "compares", 0.7)]),
]


def title(pid: str) -> str:
    return f"Paper {pid.upper()}"


def _extractions() -> list[PaperExtraction]:
    out = []
    for pid, date, links in CORPUS:
        paper = Paper(pid, title(pid), "An abstract.", year=int(date[:4]), date=date)
        out.append(PaperExtraction(paper, tuple(
            Link(e, role, conf, (Mention("abstract", 0, 2, "An", component="gazetteer", score=conf),))  # type: ignore[arg-type]
            for e, role, conf in links)))
    return out


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("analytics-store")
    gen = new_generation_path(root)
    gs = GraphStore(ox.Store(str(gen)), gen, read_only=False)
    gs.load_file(ONTOLOGY_TTL, ONTOLOGY_GRAPH)
    quads = []
    for ex in _extractions():
        quads += [(s, p, o, None) for s, p, o in paper_triples(ex)]
    for e in {lk.entity for ex in _extractions() for lk in ex.links}:
        quads += [(s, p, o, None) for s, p, o in entity_triples(e)]
    gs.add_quads(quads)
    refresh_stats(gs)
    gs.flush()
    del gs
    publish_generation(root, gen)
    return root


@pytest.fixture(scope="module")
def store(store_dir: Path) -> GraphStore:
    return GraphStore.open(store_dir)


@pytest.fixture(scope="module")
def g(store: GraphStore) -> nx.Graph:
    return ka.to_networkx(store)


def P(pid: str) -> str:
    return str(paper_iri(pid))


def E(e: Entity) -> str:
    return str(RES[e.id])


# ---------------------------------------------------------------- to_networkx and back


def test_analytics_to_networkx_nodes_carry_types_labels_years(g):
    assert g.nodes[P("p1")] == {"label": "Paper P1", "type": "paper", "year": 2024, "date": "2024-01-05"}
    assert g.nodes[E(BERT)]["type"] == "method" and g.nodes[E(BERT)]["label"] == "BERT"
    assert g.nodes[E(BERT)]["roles"] == "comparesWith,uses" and g.nodes[E(BERT)]["papers"] == 3
    assert g.nodes[E(QA)]["roles"] == "addresses"  # tasks a paper works on are kg:addresses
    assert g.edges[P("p3"), E(GPT)] == {"relation": "proposes", "confidence": 0.95}
    assert all(v is not None for _, attrs in g.nodes(data=True) for v in attrs.values())


def test_analytics_to_networkx_adds_method_architectures(g):
    arch = str(RES["architecture/encoder-only"])
    assert g.edges[E(BERT), arch]["relation"] == "hasArchitecture"
    assert g.nodes[arch] == {"label": "encoder-only", "type": "architecture", "roles": "", "papers": 0}


@pytest.mark.parametrize(
    ("kwargs", "kept_types", "relations"),
    [
        ({"entity_types": ["dataset"]}, {"paper", "dataset"}, {"evaluatesOn"}),
        ({"relations": ["proposes"]}, {"paper", "method", "architecture"}, {"proposes", "hasArchitecture"}),
        ({"relations": ["proposes"], "include_method_architectures": False}, {"paper", "method"}, {"proposes"}),
        ({"min_confidence": 0.85, "entity_types": ["task", "metric"]}, {"paper"}, set()),
    ],
)
def test_analytics_to_networkx_filters(store, kwargs, kept_types, relations):
    g = ka.to_networkx(store, **kwargs)
    assert {t for _, t in g.nodes(data="type")} <= kept_types
    assert {r for *_, r in g.edges(data="relation")} == relations


def test_analytics_to_networkx_rejects_unknown_names(store):
    with pytest.raises(ka.AnalyticsError, match="choose from"):
        ka.to_networkx(store, entity_types=["model"])
    with pytest.raises(ka.AnalyticsError, match="relation"):
        ka.to_networkx(store, relations=["usesDataset"])


def test_analytics_to_networkx_accepts_a_store_directory(store_dir, g):
    assert nx.utils.graphs_equal(ka.to_networkx(store_dir), g)


def test_analytics_to_rdf_writes_ontology_triples(g):
    sub = g.subgraph([P("p1"), E(BERT), E(GLUE), str(RES["architecture/encoder-only"])])
    rdf = ka.to_rdf(sub)
    from rdflib import RDF, RDFS, Literal, URIRef
    from rdflib.namespace import DCTERMS

    p1, bert = URIRef(P("p1")), URIRef(E(BERT))
    assert (p1, KG.uses, bert) in rdf and (p1, KG.evaluatesOn, URIRef(E(GLUE))) in rdf
    assert (bert, KG.hasArchitecture, RES["architecture/encoder-only"]) in rdf
    assert (p1, RDF.type, KG.Paper) in rdf and (bert, RDF.type, KG.Method) in rdf
    assert (p1, DCTERMS.title, Literal("Paper P1")) in rdf and (bert, RDFS.label, Literal("BERT")) in rdf
    assert (p1, KG.year, Literal(2024)) in rdf


def test_analytics_to_rdf_leaves_out_projection_edges(g):
    rdf = ka.to_rdf(ka.method_co_usage(g))
    assert not list(rdf.triples((None, KG.uses, None)))
    assert len(set(rdf.subjects())) == 4  # the four methods, typed and labelled


def test_analytics_to_notebook_html_is_a_self_contained_iframe(g):
    out = ka.to_notebook_html(g.subgraph([P("p1"), E(BERT)]), height=300)
    assert out.startswith("<iframe srcdoc=") and "height: 300px" in out
    page = html.unescape(re.search(r'srcdoc="([^"]*)"', out).group(1))
    assert "BERT" in page and "<script" in page
    assert not re.search(r'<script[^>]+src="https?://', page)  # nothing from a CDN


# ---------------------------------------------------------------- projections


def test_analytics_method_co_usage_weights_shared_papers(g):
    co = ka.method_co_usage(g)
    assert set(co) == {E(BERT), E(GPT), E(RESNET), E(VIT)}
    assert co.edges[E(BERT), E(GPT)] == {"weight": 1, "relation": "coOccursWith"}
    assert co.number_of_edges() == 1


def test_analytics_dataset_task_projection(g):
    dt = ka.dataset_task(g)
    assert dt.edges[E(IMAGENET), E(CLS)]["weight"] == 2
    assert dt.edges[E(GLUE), E(QA)]["weight"] == 1 and not dt.has_edge(E(GLUE), E(CLS))
    table = ka.projection_table(dt)
    assert list(table.columns) == ["a", "label_a", "b", "label_b", "weight"]
    assert table.iloc[0]["weight"] == 2


def test_analytics_paper_similarity_jaccard_and_adamic_adar(g):
    jac = ka.paper_similarity(g, "jaccard")
    top = jac.iloc[0]
    # p1 links bert, glue, qa; p2 bert, squad, qa
    assert (top.paper_a, top.paper_b, top.shared, top.score) == (P("p1"), P("p2"), 2, pytest.approx(2 / 4))
    # p4 links resnet, imagenet, classification, accuracy; p5 vit, imagenet, classification
    assert jac.iloc[1].score == pytest.approx(2 / 5) and {jac.iloc[1].paper_a, jac.iloc[1].paper_b} == {P("p4"), P("p5")}
    aa = ka.paper_similarity(g, "adamic_adar")
    row = aa[(aa.paper_a == P("p4")) & (aa.paper_b == P("p5"))].iloc[0]
    assert row.score == pytest.approx(2 / math.log(2))
    p1p2 = aa[(aa.paper_a == P("p1")) & (aa.paper_b == P("p2"))].iloc[0]
    # bert is linked to 3 papers, qa to 2
    assert p1p2.score == pytest.approx(1 / math.log(3) + 1 / math.log(2))


def test_analytics_paper_similarity_skips_hub_entities_for_candidates(g):
    pairs = ka.paper_similarity(g, max_entity_papers=2)
    assert (P("p1"), P("p6")) not in set(zip(pairs.paper_a, pairs.paper_b, strict=True))  # only bert joins them


def test_analytics_similar_papers_by_title(g):
    df = ka.similar_papers(g, "paper p4", k=3)
    assert df.iloc[0]["paper"] == P("p5") and df.iloc[0]["shared_labels"] == "ImageNet; image classification"
    with pytest.raises(ka.AnalyticsError, match="not a paper"):
        ka.similar_papers(g, "BERT")
    with pytest.raises(ka.AnalyticsError, match="jaccard"):
        ka.similar_papers(g, "paper p4", "cosine")  # type: ignore[arg-type]


def test_analytics_similarity_graph(g):
    sg = ka.similarity_graph(g, "jaccard", min_score=0.3)
    assert sg.has_edge(P("p4"), P("p5")) and sg.nodes[P("p4")]["type"] == "paper"


# ---------------------------------------------------------------- rankings


def test_analytics_rank_degree_and_types(g):
    df = ka.rank(g, "degree", node_type="method", top=2)
    assert list(df.columns) == ["rank", "node", "label", "type", "score", "degree"]
    assert list(df.label) == ["BERT", "GPT"] and list(df["rank"]) == [1, 2]
    assert ka.rank(g, "degree", top=None).shape[0] == g.number_of_nodes()


def test_analytics_rank_pagerank_and_betweenness(g):
    pr = ka.centrality(g, "pagerank")
    assert sum(pr.values()) == pytest.approx(1.0)
    exact = ka.centrality(g, "betweenness")
    sampled = ka.centrality(g, "betweenness", k=5, seed=1)
    assert sampled == ka.centrality(g, "betweenness", k=5, seed=1)  # seeded sampling is reproducible
    assert set(sampled) == set(exact) and max(exact, key=exact.get) in {E(BERT), E(GLUE), E(IMAGENET)}
    with pytest.raises(ka.AnalyticsError, match="pagerank"):
        ka.centrality(g, "closeness")  # type: ignore[arg-type]


def test_analytics_top_entities_per_type(g):
    df = ka.top_entities(g, "degree", n=1)
    assert dict(zip(df.type, df.label, strict=True)) == {
        "method": "BERT", "task": "image classification", "dataset": "GLUE", "metric": "accuracy",
        "architecture": "CNN"}


# ---------------------------------------------------------------- communities


def test_analytics_communities_cover_the_graph_reproducibly(g):
    first = ka.communities(g)
    assert [c.nodes for c in first] == [c.nodes for c in ka.communities(g)]
    assert set().union(*(c.nodes for c in first)) == set(g)
    assert [c.size for c in first] == sorted((c.size for c in first), reverse=True)
    assert [c.id for c in first] == list(range(len(first)))


def test_analytics_communities_are_labelled_by_top_entities(g):
    found = ka.communities(g)
    vision = next(c for c in found if E(IMAGENET) in c.nodes)
    assert vision.top_entities[0] in {E(IMAGENET), E(CLS)}
    assert "ImageNet" in vision.label or "image classification" in vision.label
    table = ka.communities_table(g, found, top=2)
    assert list(table.columns) == ["community", "size", "papers", "entities", "label", "top_entities"]
    assert len(table) == 2 and table.iloc[0]["size"] >= table.iloc[1]["size"]
    ka.assign_communities(g2 := g.copy(), found)
    assert g2.nodes[E(IMAGENET)]["community"] == vision.id


# ---------------------------------------------------------------- trends


def test_analytics_papers_per_period(store):
    assert ka.papers_per_period(store, "year").to_dict() == {"2024": 2, "2025": 4}
    assert ka.papers_per_period(store, "month")["2025-03"] == 2


def test_analytics_architecture_trends_count_through_methods_and_roll_up(store):
    df = ka.trend_table(store, "architecture", "year").set_index("label")
    assert df.loc["transformer", ["2024", "2025", "total"]].tolist() == [2, 3, 5]  # p1 p2 | p3 p5 p6
    assert df.loc["encoder-only", ["2024", "2025"]].tolist() == [2, 1]
    assert df.loc["CNN", "total"] == 1
    flat = ka.trend_table(store, "architecture", "year", rollup=False)
    assert "transformer" not in set(flat.label)


def test_analytics_method_trends_by_month(store):
    df = ka.trend_table(store, "method", "month", top=1)
    assert df.iloc[0]["label"] == "BERT"
    assert df.iloc[0][["2024-01", "2024-02", "2025-03", "total"]].tolist() == [1, 1, 1, 3]
    with pytest.raises(ka.AnalyticsError, match="granularity"):
        ka.trend_table(store, "method", "week")  # type: ignore[arg-type]


def test_analytics_rising_and_falling_entities(store):
    df = ka.rising_falling(store, "method", "year", min_papers=1)
    rising = df[df.trend == "rising"]
    falling = df[df.trend == "falling"]
    assert rising.iloc[0]["label"] == "GPT" and falling.iloc[0]["label"] == "BERT"
    bert = falling.iloc[0]
    assert (bert.early, bert.late) == (2, 1) and bert.early_share == 1.0 and bert.late_share == 0.25


def test_analytics_trends_are_empty_without_dates(tmp_path):
    gs = GraphStore.in_memory()
    ex = PaperExtraction(Paper("x", "T", "A."), (Link(BERT, "uses", 0.9, (Mention("title", 0, 1, "T"),)),))
    gs.add_quads((s, p, o, None) for s, p, o in paper_triples(ex))
    gs.add_quads((s, p, o, None) for s, p, o in entity_triples(BERT))
    refresh_stats(gs)
    assert ka.trend_table(gs, "method").empty and ka.rising_falling(gs, "method").empty


# ---------------------------------------------------------------- paths


def test_analytics_explain_path_goes_through_papers(g):
    path = ka.explain_path(g, "ResNet", "ViT")
    assert list(path.label) == ["ResNet", "Paper P4", "ImageNet", "Paper P5", "ViT"]
    assert list(path.type) == ["method", "paper", "dataset", "paper", "method"]
    assert ka.path_text(path) == 'ResNet ←uses– "Paper P4" –evaluatesOn→ ImageNet ←evaluatesOn– "Paper P5" –proposes→ ViT'


def test_analytics_explain_path_ignores_architecture_shortcuts(g):
    # BERT and GPT share no architecture but p6 links both; encoder-only is reachable only via BERT's vocabulary edge
    assert len(ka.explain_path(g, "BERT", "GPT")) == 3
    with pytest.raises(ka.AnalyticsError, match="no chain of papers"):
        ka.explain_path(g, "encoder-only", "GPT")
    with pytest.raises(ka.AnalyticsError, match="no node"):
        ka.explain_path(g, "BERT", "Mamba")


# ---------------------------------------------------------------- exports


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_analytics_export_round_trips(g, tmp_path, fmt):
    h = g.copy()
    h.nodes[E(BERT)]["aliases"] = ["Bert", "bert-base"]
    h.nodes[E(BERT)]["note"] = None
    path = ka.export(h, tmp_path / f"g.{fmt}")
    back = {"graphml": nx.read_graphml, "gexf": nx.read_gexf, "json": ka.from_node_link_json}[fmt](path)
    assert back.number_of_nodes() == g.number_of_nodes() and back.number_of_edges() == g.number_of_edges()
    assert back.nodes[E(BERT)]["label"] == "BERT" and back.nodes[E(BERT)]["aliases"] == "Bert,bert-base"
    assert "note" not in back.nodes[E(BERT)]
    assert back.nodes[P("p1")]["year"] == 2024


def test_analytics_node_link_is_json(g):
    data = ka.node_link(g)
    assert {"nodes", "links"} <= set(data) and json.dumps(data)
    with pytest.raises(ka.AnalyticsError, match="graphml"):
        ka.export(g, "g.dot")


# ---------------------------------------------------------------- summary and CLI


def test_analytics_store_summary(store):
    s = ka.store_summary(store, top=2)
    assert dict(zip(s.types.type, s.types["count"], strict=True)) == {
        "paper": 6, "method": 4, "task": 2, "dataset": 3, "metric": 1, "architecture": 0}
    assert s.relations.iloc[0].to_dict() == {"relation": "evaluatesOn", "links": 6}
    methods = s.top[s.top.type == "method"]
    assert list(methods.label) == ["BERT", "GPT"] and list(methods.papers) == [3, 2]
    assert "top method entities" in s.text()


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_analytics_cli_stats(store_dir):
    out = _run("stats", "--store", str(store_dir), "--top", "3")
    assert "counts per type" in out and "links per relation" in out and "BERT" in out


def test_analytics_cli_rank_csv(store_dir):
    out = _run("analytics", "rank", "--measure", "degree", "--type", "method", "--top", "2", "--format", "csv",
               "--store", str(store_dir))
    assert out.splitlines()[0] == "rank,label,type,score,degree" and out.splitlines()[1].startswith("1,BERT,")


def test_analytics_cli_communities_and_trends(store_dir):
    assert "label" in _run("analytics", "communities", "--top", "2", "--store", str(store_dir))
    out = _run("analytics", "trends", "--type", "architecture", "--format", "csv", "--store", str(store_dir))
    assert out.splitlines()[0] == "label,2024,2025,total" and "transformer,2,3,5" in out
    out = _run("analytics", "trends", "--type", "method", "--rising", "--by", "year", "--min-papers", "1",
               "--store", str(store_dir))
    assert "rising" in out


def test_analytics_cli_similar_and_path(store_dir):
    assert "Paper P5" in _run("analytics", "similar", "Paper P4", "--store", str(store_dir))
    out = _run("analytics", "path", "ResNet", "ViT", "--store", str(store_dir))
    assert '"Paper P4"' in out
    result = CliRunner().invoke(main, ["analytics", "path", "ResNet", "Mamba", "--store", str(store_dir)])
    assert result.exit_code == 1 and "no node" in result.output


def test_analytics_betweenness_samples_on_large_graphs(g, monkeypatch):
    from kg.analytics import rankings

    monkeypatch.setattr(rankings, "EXACT_BETWEENNESS_MAX_NODES", 5)
    monkeypatch.setattr(rankings, "DEFAULT_BETWEENNESS_SAMPLES", 3)
    assert ka.centrality(g, "betweenness") == ka.centrality(g, "betweenness", k=3, seed=0)
    assert ka.centrality(g, "betweenness") != ka.centrality(g, "betweenness", k=g.number_of_nodes())


def test_analytics_cli_trends_say_why_a_store_without_dates_has_none(tmp_path, tiny_extractor):
    from kg.build import build
    from kg.config import load_settings

    src = tmp_path / "undated.jsonl"
    src.write_text('{"id": "u1", "title": "ResNet again", "abstract": "We train ResNet on ImageNet-1K."}\n',
                   encoding="utf-8")
    build([src], load_settings({"store_dir": str(tmp_path / "store")}, env={}), extractor=tiny_extractor)
    out = _run("analytics", "trends", "--store", str(tmp_path / "store"))
    assert "no paper in this store has a year" in out and "Daily Papers" in out


def test_analytics_cli_rising_lists_only_rising_and_falling_only_falling(store_dir):
    rising = _run("analytics", "trends", "--type", "method", "--rising", "--by", "year", "--min-papers", "1",
                  "--format", "csv", "--store", str(store_dir))
    falling = _run("analytics", "trends", "--type", "method", "--falling", "--by", "year", "--min-papers", "1",
                   "--format", "csv", "--store", str(store_dir))
    assert rising.splitlines()[1:] and all(r.startswith("rising,") for r in rising.splitlines()[1:])
    assert falling.splitlines()[1:] and all(r.startswith("falling,") for r in falling.splitlines()[1:])
    assert "BERT" in falling and "BERT" not in rising


def test_analytics_rising_needs_a_growing_share_and_late_papers(store):
    df = ka.rising_falling(store, "method", "year", min_papers=1)
    up, down = df[df.trend == "rising"], df[df.trend == "falling"]
    assert (up.change_pp > 0).all() and (up.late > 0).all()
    assert (down.change_pp < 0).all() and (down.early > 0).all()
