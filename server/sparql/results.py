"""SPARQL result writers: SELECT solutions as SPARQL JSON, XML, CSV or TSV, written row by row so they can be
streamed; ASK booleans and CONSTRUCT/DESCRIBE graphs through Oxigraph's own serialisers.

In: variable names and rows of Oxigraph terms (``None`` for unbound). Out: text pieces whose concatenation is the
document (the same bytes the whole-document writers produced before results were streamed; pinned by
tests/test_sparql_results.py). Hand-written rather than Oxigraph's serialisers so the row cap and the deadline
apply while rows go out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox
from rdflib import XSD

XSD_STRING = str(XSD.string)
SOLUTION_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
BOOLEAN_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


def json_term(t: Any) -> dict[str, Any]:
    kind = type(t)
    if kind is ox.NamedNode:
        return {"type": "uri", "value": t.value}
    if kind is ox.Literal:
        out: dict[str, Any] = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            out["datatype"] = t.datatype.value
        return out
    if kind is ox.BlankNode:
        return {"type": "bnode", "value": t.value}
    return {"type": "triple", "value": {"subject": json_term(t.subject), "predicate": json_term(t.predicate),
                                        "object": json_term(t.object)}}


def xml_term(t: Any) -> str:
    kind = type(t)
    if kind is ox.NamedNode:
        return f"<uri>{xml_escape(t.value)}</uri>"
    if kind is ox.Literal:
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{xml_escape(t.value)}</literal>"
        if t.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{xml_escape(t.value)}</literal>"
        return f"<literal>{xml_escape(t.value)}</literal>"
    if kind is ox.BlankNode:
        return f"<bnode>{xml_escape(t.value)}</bnode>"
    return (f"<triple><subject>{xml_term(t.subject)}</subject><predicate>{xml_term(t.predicate)}</predicate>"
            f"<object>{xml_term(t.object)}</object></triple>")


def csv_field(t: Any) -> str:
    if t is None:
        return ""
    kind = type(t)
    text = t.value if kind in (ox.NamedNode, ox.Literal) else (f"_:{t.value}" if kind is ox.BlankNode else str(t))
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def tsv_field(t: Any) -> str:
    return "" if t is None else str(t).replace("\t", "\\t")


def write_solutions(names: list[str], rows: Iterable[Any], fmt: str) -> Iterator[str]:
    """SELECT results in ``fmt`` (json/xml/csv/tsv) as text pieces: the head, one piece per row, the tail."""
    if fmt == "json":
        yield '{"head": {"vars": ' + json.dumps(names, ensure_ascii=False) + '}, "results": {"bindings": ['
        sep = ""
        for sol in rows:
            yield sep + json.dumps({n: json_term(t) for n, t in zip(names, sol, strict=True) if t is not None},
                                   ensure_ascii=False)
            sep = ", "
        yield "]}}"
    elif fmt == "xml":
        yield ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
               + "".join(f"<variable name={quoteattr(n)}/>" for n in names) + "</head><results>")
        for sol in rows:
            yield ("<result>" + "".join(f"<binding name={quoteattr(n)}>{xml_term(t)}</binding>"
                                        for n, t in zip(names, sol, strict=True) if t is not None) + "</result>")
        yield "</results></sparql>\n"
    elif fmt == "csv":
        yield ",".join(csv_field(ox.Literal(n)) for n in names) + "\r\n"
        for sol in rows:
            yield ",".join(csv_field(t) for t in sol) + "\r\n"
    elif fmt == "tsv":
        yield "\t".join("?" + n for n in names) + "\n"
        for sol in rows:
            yield "\t".join(tsv_field(t) for t in sol) + "\n"
    else:
        raise ValueError(f"no solution writer for {fmt!r}; known: {', '.join(SOLUTION_FORMATS)}")


def html_table(result: Any, rows: Iterable[Any]) -> tuple[list[str], list[list[str | None]]]:
    """(column names, cell texts) of a result for the HTML results page; ``rows`` are the result's capped rows."""
    if isinstance(result, ox.QueryBoolean):
        return ["ASK"], [[str(bool(result)).lower()]]
    if isinstance(result, ox.QueryTriples):
        return ["subject", "predicate", "object"], [[str(t.subject), str(t.predicate), str(t.object)] for t in rows]
    return [v.value for v in result.variables], [[None if t is None else t.value for t in sol] for sol in rows]
