"""Per-batch SHACL evaluation (kg.build.shapes) gives pySHACL's verdicts on the same shapes."""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.build.shapes import check_shapes, check_triples, shape_rules, triple_violations
from kg.errors import ShapeViolation
from kg.namespace import KG
from kg.store import GraphStore

R = "https://w3id.org/kg-papers/resource/"
P, E, LK, M = URIRef(R + "paper/x"), URIRef(R + "method/m"), URIRef(R + "paper/x/link/method/m"), URIRef(R + "paper/x/abstract#char=0,1")
S = URIRef(R + "method/m/support/ner")


def good() -> list[tuple]:
    return [
        (P, RDF.type, KG.Paper), (P, DCTERMS.title, Literal("T")), (P, DCTERMS.abstract, Literal("A")),
        (P, DCTERMS.identifier, Literal("x")), (P, KG.year, Literal(2024, datatype=XSD.integer)),
        (E, RDF.type, KG.Method), (E, RDFS.label, Literal("M")),
        (LK, RDF.subject, P), (LK, RDF.predicate, KG.uses), (LK, RDF.object, E),
        (LK, KG.confidence, Literal("0.500", datatype=XSD.decimal)), (LK, KG.extractor, Literal("gazetteer")),
        (LK, KG.hasMention, M),
        (E, KG.supportedBy, Literal("ner")), (E, KG.hasSupport, S), (S, RDF.type, KG.ExtractorSupport),
        (S, KG.supportExtractor, Literal("ner")), (S, KG.supportPapers, Literal(1, datatype=XSD.integer)),
        (E, KG.curation, Literal("label set to 'M' by curation.jsonl:1")),
    ]


def span(text: str) -> list[tuple]:
    """``good()`` with its one mention IRI replaced by ``text``."""
    return [t if t[1] != KG.hasMention else (LK, KG.hasMention, URIRef(text)) for t in good()]


def without(*preds: URIRef) -> list[tuple]:
    return [t for t in good() if t[1] not in preds]


CASES = {
    "good": good(),
    "no title": without(DCTERMS.title),
    "two titles": [*good(), (P, DCTERMS.title, Literal("T2"))],
    "empty abstract": [t if t[1] != DCTERMS.abstract else (P, DCTERMS.abstract, Literal("")) for t in good()],
    "year not integer": [t if t[1] != KG.year else (P, KG.year, Literal("2024")) for t in good()],
    "ill-typed year": [t if t[1] != KG.year else (P, KG.year, Literal("soon", datatype=XSD.integer)) for t in good()],
    "title with language": [t if t[1] != DCTERMS.title else (P, DCTERMS.title, Literal("T", lang="en")) for t in good()],
    "entity without label": without(RDFS.label),
    "entity two labels": [*good(), (E, RDFS.label, Literal("M2"))],
    "confidence above 1": [t if t[1] != KG.confidence else (LK, KG.confidence, Literal("1.5", datatype=XSD.decimal))
                           for t in good()],
    "confidence a string": [t if t[1] != KG.confidence else (LK, KG.confidence, Literal("high")) for t in good()],
    "predicate not allowed": [t if t[1] != RDF.predicate else (LK, RDF.predicate, KG.year) for t in good()],
    "subject not a paper": [t if t != (P, RDF.type, KG.Paper) else (P, RDF.type, KG.Method) for t in good()],
    "link without mention": without(KG.hasMention),
    "link without extractor": without(KG.extractor),
    "untyped link found by rdf:subject": [*good(), (URIRef(R + "paper/x/link/method/n"), RDF.subject, P)],
    "mention field unknown": span(R + "paper/x/body#char=0,1"),
    "mention without offsets": span(R + "paper/x/abstract"),
    "mention end not positive": span(R + "paper/x/abstract#char=0,0"),
    "mention negative start": span(R + "paper/x/abstract#char=-1,3"),
    "mention a literal": [t if t[1] != KG.hasMention else (LK, KG.hasMention, Literal(M)) for t in good()],
    "extractor empty": [t if t[1] != KG.extractor else (LK, KG.extractor, Literal("")) for t in good()],
    "object a literal": [t if t[1] != RDF.object else (LK, RDF.object, Literal("m")) for t in good()],
    "empty supporting extractor": [t if t[1] != KG.supportedBy else (E, KG.supportedBy, Literal("")) for t in good()],
    "support counting no paper": [t if t[1] != KG.supportPapers else (S, KG.supportPapers, Literal(0, datatype=XSD.integer))
                                  for t in good()],
    "support without extractor": without(KG.supportExtractor),
    "support not typed": [t for t in good() if t != (S, RDF.type, KG.ExtractorSupport)],
    "curation record not a string": [t if t[1] != KG.curation else (E, KG.curation, Literal(3, datatype=XSD.integer))
                                     for t in good()],
}


def _pyshacl_conforms(triples: list[tuple]) -> bool:
    from ontology import ONTOLOGY_TTL

    g = Graph().parse(ONTOLOGY_TTL, format="turtle")
    for t in triples:
        g.add(t)
    try:
        check_shapes(g)
    except ShapeViolation:
        return False
    return True


@pytest.mark.parametrize("case", sorted(CASES))
def test_build_validate_same_verdict_as_pyshacl(case: str):
    triples = CASES[case]
    expected = _pyshacl_conforms(triples)
    assert (triple_violations(triples) == []) == expected, triple_violations(triples)
    assert (case in ("good", "link without extractor")) == expected


def test_build_validate_every_shape_is_compiled_with_all_its_constraints():
    rules = {r.name.rsplit("#", 1)[-1]: r for r in shape_rules()}
    assert set(rules) == {"PaperShape", "EntityShape", "LinkShape", "SupportShape"}
    keys = {k for r in rules.values() for _, cons in r.properties for k, _ in cons}
    assert {"minCount", "maxCount", "datatype", "minLength", "class", "in", "minInclusive", "pattern"} <= keys
    assert rules["LinkShape"].subjects_of


def test_build_validate_unsupported_shape_falls_back_to_pyshacl(tmp_path):
    """A constraint the per-batch evaluator does not know (sh:hasValue) is not ignored: pySHACL judges instead."""
    from kg.build.shapes import UnsupportedShape
    from ontology import SHAPES_TTL

    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPES_TTL.read_text(encoding="utf-8").replace(
        "sh:path dcterms:identifier ;", 'sh:path dcterms:identifier ; sh:hasValue "42" ;'), encoding="utf-8")
    with pytest.raises(UnsupportedShape, match="hasValue"):
        shape_rules(shapes)
    with pytest.raises(ShapeViolation, match=r"(?i)hasValue"):
        check_triples(good(), shapes)  # identifier "x"
    numbered = [t if t[1] != DCTERMS.identifier else (P, DCTERMS.identifier, Literal("42")) for t in good()]
    check_triples(numbered, shapes)


def test_build_validate_violation_names_shape_and_focus():
    with pytest.raises(ShapeViolation, match=r"PaperShape .*title.* minCount 1: focus https://w3id.org/kg-papers/resource/paper/x"):
        check_triples(without(DCTERMS.title))


def test_entities_graph_is_written_in_chunks_with_the_same_content_and_checks(tmp_path):
    """write_entities in chunks of 2 gives the same entities graph as one chunk, and a bad entity in a later
    chunk still fails the shape check."""
    import pyoxigraph as ox

    from kg.build.entities import EntityTable, write_entities
    from kg.errors import ShapeViolation
    from kg.model import Contribution

    table = EntityTable()
    table.add_contributions([
        Contribution("p1", f"method/m{i}", "method", f"M{i}", (f"M{i}", f"m-{i}"), ("architecture/transformer",), ())
        for i in range(7)])
    graphs = []
    for chunk in (2, 100):
        store = GraphStore(ox.Store(), tmp_path, read_only=False)
        write_entities(store, table, validate=True, chunk=chunk)
        graphs.append(set(store.ox))
    assert graphs[0] == graphs[1] and len(graphs[0]) == 7 * 4

    table.add_contributions([Contribution("p2", "method/zz-bad", "method", "", (), (), ())])  # empty label, last
    with pytest.raises(ShapeViolation, match="zz-bad"):
        write_entities(GraphStore(ox.Store(), tmp_path, read_only=False), table, validate=True, chunk=2)
