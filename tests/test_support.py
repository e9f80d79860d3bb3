"""Entity support: each entity in the entities graph says which extractors found its evidence (kg:supportedBy) and,
when some found it in fewer than all its papers, how many papers each (kg:ExtractorSupport); recomputed by
`kg add` / `kg remove`."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from rdflib import Literal

from kg.build import build, remove
from kg.build.entities import EntityTable, contributions
from kg.config import load_settings
from kg.mapping.triples import entity_triples
from kg.model import Contribution, Entity, Link, Mention, Paper, PaperExtraction
from kg.namespace import KG
from kg.store import GraphStore

R = "https://w3id.org/kg-papers/resource/"


def _rows(root: Path, sparql: str) -> set[tuple[str, ...]]:
    sparql = re.sub(r"res:([\w/.-]+)", lambda m: f"<{R}{m.group(1)}>", sparql)
    prefixes = "PREFIX kg: <https://w3id.org/kg-papers/ontology#> "
    return {tuple(str(v) for v in r.values()) for r in GraphStore.open(root).select(prefixes + sparql)}


def test_support_contributions_carry_the_extractors_of_the_evidence():
    m = [Mention("abstract", 0, 3, "ViT", component="abbreviation"), Mention("abstract", 5, 8, "ViT", component="ner"),
         Mention("title", 0, 3, "ViT", component="inferred:method/x"), Mention("title", 0, 3, "ViT", component="")]
    ex = PaperExtraction(Paper("p", "t", "a"), (Link(Entity("method/vit", "method", "ViT"), "uses", 0.9, tuple(m)),))
    (c,) = contributions(ex)
    assert c.extractors == ("abbreviation", "inferred", "ner")  # "inferred:<source>" is one extractor; "" none


def test_support_entity_table_counts_papers_per_extractor():
    table = EntityTable()
    table.add_contributions([
        Contribution("p1", "method/a", "method", "A", (), (), (), ("gazetteer", "ner")),
        Contribution("p2", "method/a", "method", "A", (), (), (), ("gazetteer",)),
        Contribution("p3", "method/b", "method", "B", (), (), (), ("pattern",)),
    ])
    support = {e.id: (e.support, e.papers) for e in table.entities()}
    assert support == {"method/a": ((("gazetteer", 2), ("ner", 1)), 2), "method/b": ((("pattern", 1),), 1)}


def test_support_nodes_only_when_counts_differ_from_the_papers():
    one = set(entity_triples(Entity("method/b", "method", "B", support=(("pattern", 1), ("ner", 1)), papers=1)))
    assert {(p, o) for _, p, o in one if p in (KG.supportedBy, KG.hasSupport)} == {
        (KG.supportedBy, Literal("pattern")), (KG.supportedBy, Literal("ner"))}  # each count is the paper count
    two = list(entity_triples(Entity("method/a", "method", "A", support=(("gazetteer", 2), ("ner", 1)), papers=2)))
    nodes = {o for _, p, o in two if p == KG.hasSupport}
    assert {str(n) for n in nodes} == {R + "method/a/support/gazetteer", R + "method/a/support/ner"}
    assert {(str(s), int(o)) for s, p, o in two if p == KG.supportPapers} == {
        (R + "method/a/support/gazetteer", 2), (R + "method/a/support/ner", 1)}


def test_support_in_the_built_graph(tiny_store: Path):
    assert _rows(tiny_store, "SELECT ?x WHERE { res:architecture/transformer kg:supportedBy ?x }") == {("inferred",)}
    # two extractors in its one paper: no support nodes, each count is the entity's paperCount
    assert _rows(tiny_store, "SELECT ?x ?n WHERE { res:method/vision-transformer kg:supportedBy ?x ; kg:paperCount ?n . "
                             "FILTER NOT EXISTS { res:method/vision-transformer kg:hasSupport ?s } }") == {
        ("abbreviation", "1"), ("gazetteer", "1")}


def test_support_recomputed_by_an_update_without_stale_nodes(tmp_path: Path, data_dir: Path, tiny_extractor):
    """p9 adds abbreviation evidence for the Vision Transformer (gazetteer now counts 1 of its 2 papers); removing p1
    leaves it one extractor, and its support nodes go (the entities graph equals a build of what is left)."""
    extra = tmp_path / "p9.jsonl"
    extra.write_text(json.dumps({"id": "p9", "title": "Remote sensing", "abstract": "We apply the Vision "
                                 "Transformer (ViT) to remote sensing.", "year": 2025}) + "\n", encoding="utf-8")
    root = tmp_path / "s"
    settings = load_settings({"store_dir": str(root)}, env={})
    build([data_dir / "papers.jsonl", extra], settings, extractor=tiny_extractor)
    assert _rows(root, "SELECT ?x ?n WHERE { res:method/vision-transformer kg:hasSupport ?s . "
                       "?s kg:supportExtractor ?x ; kg:supportPapers ?n }") == {("abbreviation", "2"), ("gazetteer", "1")}
    remove(["p1"], settings)
    assert _rows(root, "SELECT ?x WHERE { res:method/vision-transformer kg:supportedBy ?x }") == {("abbreviation",)}
    assert not _rows(root, "SELECT ?s WHERE { ?s a kg:ExtractorSupport FILTER NOT EXISTS { ?e kg:hasSupport ?s } }")
    assert not _rows(root, "SELECT ?p WHERE { res:method/vision-transformer/support/gazetteer ?p ?o }")
    rest = tmp_path / "rest.jsonl"
    rest.write_text("".join((data_dir / "papers.jsonl").read_text(encoding="utf-8").splitlines(True)[1:]),
                    encoding="utf-8")
    ref = tmp_path / "ref"
    build([rest, extra], load_settings({"store_dir": str(ref)}, env={}), extractor=tiny_extractor)
    assert _entities_graph(root) == _entities_graph(ref)  # (paper graphs differ: kg:source names the file)


def _entities_graph(root: Path) -> list[bytes]:
    out = io.BytesIO()
    GraphStore.open(root).export("nquads", out)
    return [ln for ln in out.getvalue().splitlines() if ln.endswith(b"/graph/entities> .")]
