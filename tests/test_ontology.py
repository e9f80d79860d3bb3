"""The ontology file is the truth: the Python namespace mirrors it; every term has a label and a comment."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.build.shapes import check_shapes
from kg.errors import ShapeViolation
from kg.namespace import KG, SCHEMA
from ontology import ONTOLOGY_TTL, SHAPES_TTL

NS = str(KG._NS)


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_TTL, format="turtle")


def _declared(g: Graph) -> set[str]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {str(s)[len(NS):] for k in kinds for s in g.subjects(RDF.type, k) if str(s).startswith(NS)}


def test_ontology_python_namespace_declares_the_same_terms(onto):
    python_terms = set(KG.__annotations__)
    assert _declared(onto) == python_terms


def test_ontology_every_term_has_label_and_comment(onto):
    for term in _declared(onto):
        iri = URIRef(NS + term)
        assert onto.value(iri, RDFS.label), term
        assert onto.value(iri, RDFS.comment), term


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        ("EncoderOnlyTransformer", "Transformer"), ("DecoderOnlyTransformer", "Transformer"),
        ("EncoderDecoderTransformer", "Transformer"), ("VisionTransformer", "Transformer"),
        ("LSTM", "RecurrentNeuralNetwork"), ("GRU", "RecurrentNeuralNetwork"),
        ("VariationalAutoencoder", "Autoencoder"), ("ConvolutionalNeuralNetwork", "Architecture"),
        ("GraphNeuralNetwork", "Architecture"), ("MultilayerPerceptron", "Architecture"),
        ("StateSpaceModel", "Architecture"), ("MixtureOfExperts", "Architecture"),
        ("GenerativeAdversarialNetwork", "Architecture"), ("DiffusionModel", "Architecture"),
        ("ImplicitNeuralRepresentation", "Architecture"), ("Transformer", "Architecture"),
    ],
)
def test_ontology_architecture_hierarchy(onto, sub, sup):
    assert URIRef(NS + sup) in set(onto.transitive_objects(URIRef(NS + sub), RDFS.subClassOf))


def test_ontology_alignment(onto):
    assert (KG.Paper, RDFS.subClassOf, SCHEMA.ScholarlyArticle) in onto
    lpwc = "https://linkedpaperswithcode.com/class/"
    for cls, target in (("Paper", "paper"), ("Method", "method"), ("Task", "task"), ("Dataset", "dataset")):
        assert (URIRef(NS + cls), OWL.equivalentClass, URIRef(lpwc + target)) in onto


def test_ontology_every_architecture_class_has_one_individual(onto):
    arch_classes = {c for c in onto.transitive_subjects(RDFS.subClassOf, KG.Architecture) if c != KG.Architecture}
    typed = {o for s, o in onto.subject_objects(RDF.type) if o in arch_classes}
    assert typed == arch_classes


def _paper(title: str | None) -> Graph:
    g = Graph().parse(ONTOLOGY_TTL, format="turtle")
    p = URIRef("https://w3id.org/kg-papers/resource/paper/x")
    g.add((p, RDF.type, KG.Paper))
    g.add((p, DCTERMS.identifier, Literal("x")))
    g.add((p, DCTERMS.abstract, Literal("An abstract.")))
    if title is not None:
        g.add((p, DCTERMS.title, Literal(title)))
    return g


def test_ontology_shapes_accept_a_good_paper():
    check_shapes(_paper("A title"))


def test_ontology_shapes_reject_a_paper_without_title_with_a_readable_report():
    with pytest.raises(ShapeViolation) as err:
        check_shapes(_paper(None))
    assert "title" in str(err.value) and "MinCount" in err.value.report


def test_ontology_shapes_file_parses():
    assert len(Graph().parse(SHAPES_TTL, format="turtle")) > 20
