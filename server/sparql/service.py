"""The SPARQL 1.1 Service Description of the endpoint (what ``/sparql`` answers without a query).

In: the endpoint URL and the settings it describes (update on or off, time budget, row cap, union default graph).
Out: RDF triples (``service_description``), negotiated into Turtle, N-Triples, RDF/XML or JSON-LD by ``respond``.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response, current_app, request
from rdflib import RDF, RDFS, Namespace
from rdflib.namespace import DCTERMS

from server.negotiation import negotiate
from server.security import public_base
from server.sparql.results import GRAPH_FORMATS

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT_SIMPLE = "http://www.w3.org/ns/entailment/Simple"
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "RDF_XML", "JSON-LD")


def service_description(endpoint: str, update_enabled: bool, timeout: float, row_limit: int,
                        union_default: bool = True) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of this endpoint, as triples."""
    def nn(iri: str) -> ox.NamedNode:
        return ox.NamedNode(str(iri))

    svc, dataset, graph = nn(endpoint), ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")
    rdf_type = nn(RDF.type)
    triples: list[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]] = [
        (svc, rdf_type, nn(SD.Service)),
        (svc, nn(SD.endpoint), svc),
        (svc, nn(SD.supportedLanguage), nn(SD.SPARQL11Query)),
        (svc, nn(SD.defaultEntailmentRegime), nn(ENTAILMENT_SIMPLE)),
        (svc, nn(SD.defaultDataset), dataset),
        (dataset, rdf_type, nn(SD.Dataset)),
        (dataset, nn(SD.defaultGraph), graph),
        (graph, rdf_type, nn(SD.Graph)),
        (svc, nn(DCTERMS.title), ox.Literal("kg — paper knowledge graph")),
        (svc, nn(RDFS.comment), ox.Literal(
            f"Read-only unless updates are enabled; SERVICE refused; query time budget {timeout:g} s; "
            f"at most {row_limit} result rows.")),
    ]
    if update_enabled:
        triples.append((svc, nn(SD.supportedLanguage), nn(SD.SPARQL11Update)))
    if union_default:
        triples.append((svc, nn(SD.feature), nn(SD.UnionDefaultGraph)))
    triples += [(svc, nn(SD.resultFormat), nn(FORMATS[name])) for name in RESULT_FORMATS]
    return [ox.Triple(*t) for t in triples]


def respond() -> Response:
    """This app's service description in the format the request accepts (Turtle by default)."""
    cfg = current_app.config
    chosen = negotiate(request.headers.get("Accept"), "graph", request.args.get("format")) or ("turtle", "text/turtle")
    name, media = chosen
    triples = service_description(public_base() + request.path, bool(cfg["KG_UPDATE_ENABLED"]), float(cfg["KG_QUERY_TIMEOUT"]),
                                  int(cfg["KG_ROW_LIMIT"]), bool(cfg["KG_UNION_DEFAULT_GRAPH"]))
    prefixes = {"sd": str(SD)} if name in ("turtle", "rdfxml") else None
    body = ox.serialize(triples, format=GRAPH_FORMATS[name], prefixes=prefixes)
    return Response(body, mimetype=media)
