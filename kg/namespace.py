"""Names every stage shares: the closed ``KG`` namespace mirroring ``ontology/kg.ttl`` term for term (a test keeps
them in sync), the resource namespace papers and entities are minted in, the well-known named graphs, and the
entity type ↔ class table.

Imports nothing of the project but ``kg.model``, so ingest, extract, mapping, build, store, server and analytics can
all read it.
"""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from kg.model import EntityType

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
    extractor: URIRef
    hasMention: URIRef
    # metadata
    year: URIRef
    source: URIRef
    mergeReason: URIRef
    paperCount: URIRef
    # entity support and curation (entities graph)
    supportedBy: URIRef
    ExtractorSupport: URIRef
    hasSupport: URIRef
    supportExtractor: URIRef
    supportPapers: URIRef
    curation: URIRef
    # materialised statistics (stats graph)
    Statistic: URIRef
    PaperCount: URIRef
    EntityPaperCount: URIRef
    EntityCount: URIRef
    LinkCount: URIRef
    TaskDatasetCount: URIRef
    MethodPairCount: URIRef
    ProposalCount: URIRef
    count: URIRef
    taskDatasetCount: URIRef
    methodPairCount: URIRef
    proposedMethods: URIRef
    proposingPapers: URIRef
    forEntity: URIRef
    withEntity: URIRef
    forYear: URIRef
    forMonth: URIRef
    forClass: URIRef
    forProperty: URIRef


ENTITIES_GRAPH = URIRef(RESOURCE_BASE + "graph/entities")
ONTOLOGY_GRAPH = URIRef(RESOURCE_BASE + "graph/ontology")
STATS_GRAPH = URIRef(RESOURCE_BASE + "graph/stats")

# Entity type (the records' word) ↔ its top-level ontology class.
TYPE_CLASS: dict[EntityType, URIRef] = {
    "method": KG.Method,
    "task": KG.Task,
    "dataset": KG.Dataset,
    "metric": KG.Metric,
    "architecture": KG.Architecture,
}
CLASS_TYPE: dict[str, EntityType] = {str(c): t for t, c in TYPE_CLASS.items()}


# A mention is a span of a paper's title or abstract, named by an RFC 5147 fragment IRI of that text:
# <paper IRI>/<field>#char=<start>,<end> (0-based character offsets, end exclusive — Web Annotation's
# TextPositionSelector start/end on the source <paper IRI>/<field>).
SPAN_FIELDS = ("title", "abstract")
_SPAN = re.compile(r"^(.*)/(title|abstract)#char=([0-9]+),([0-9]+)$")


def parse_span(iri: str) -> tuple[str, str, int, int] | None:
    """A mention IRI → (paper IRI, field, start, end); None for anything else."""
    m = _SPAN.match(iri)
    return (m.group(1), m.group(2), int(m.group(3)), int(m.group(4))) if m else None


def local_name(iri: str) -> str:
    """The last segment of an IRI: after the last '#', else after the last '/'."""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def resource_path(iri: str) -> str | None:
    """What follows the resource namespace in ``iri`` ("method/bert" for an entity), or None outside it."""
    return iri[len(RESOURCE_BASE):] if iri.startswith(RESOURCE_BASE) else None
