"""The closed ``KG`` namespace, mirroring ``ontology/kg.ttl`` term for term (a test keeps them in sync),
and the resource namespace entities and papers are minted in."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/kg-papers/ontology"
RESOURCE_BASE = "https://w3id.org/kg-papers/resource/"
RES = Namespace(RESOURCE_BASE)
SCHEMA = Namespace("https://schema.org/")
LPWC = Namespace("https://linkedpaperswithcode.com/class/")


class KG(DefinedNamespace):
    """Terms of the kg ontology."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes
    Paper: URIRef
    Entity: URIRef
    Method: URIRef
    Task: URIRef
    Dataset: URIRef
    Metric: URIRef
    Architecture: URIRef
    Link: URIRef
    Mention: URIRef
    # architecture classes
    Transformer: URIRef
    EncoderOnlyTransformer: URIRef
    DecoderOnlyTransformer: URIRef
    EncoderDecoderTransformer: URIRef
    VisionTransformer: URIRef
    ConvolutionalNeuralNetwork: URIRef
    RecurrentNeuralNetwork: URIRef
    LSTM: URIRef
    GRU: URIRef
    GraphNeuralNetwork: URIRef
    MultilayerPerceptron: URIRef
    StateSpaceModel: URIRef
    MixtureOfExperts: URIRef
    Autoencoder: URIRef
    VariationalAutoencoder: URIRef
    GenerativeAdversarialNetwork: URIRef
    DiffusionModel: URIRef
    ImplicitNeuralRepresentation: URIRef
    # paper → entity
    relatedTo: URIRef
    proposes: URIRef
    uses: URIRef
    evaluatesOn: URIRef
    comparesWith: URIRef
    addresses: URIRef
    mentions: URIRef
    hasArchitecture: URIRef
    # evidence
    confidence: URIRef
    hasMention: URIRef
    inField: URIRef
    startOffset: URIRef
    endOffset: URIRef
    mentionText: URIRef
    sentence: URIRef
    extractor: URIRef
    score: URIRef
    # metadata
    year: URIRef
    source: URIRef
    mergeReason: URIRef
    paperCount: URIRef
    # materialised statistics (stats graph)
    Statistic: URIRef
    PaperCount: URIRef
    EntityPaperCount: URIRef
    EntityCount: URIRef
    LinkCount: URIRef
    count: URIRef
    forEntity: URIRef
    forYear: URIRef
    forMonth: URIRef
    forClass: URIRef
    forProperty: URIRef
