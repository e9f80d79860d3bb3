"""SHACL validation of the graph a build writes, against ``ontology/shapes.ttl``.

Two evaluators, same shapes, same verdicts (tests/test_build_validate.py checks them against each other):

* ``check_shapes(graph)`` — pySHACL on an rdflib ``Graph`` (data plus the ontology, so ``sh:class`` sees
  subclasses). Exact and readable, but ~10 ms per paper: the reference, and the fallback for shapes outside the
  subset below.
* ``triple_violations(triples)`` / ``check_triples`` — the shapes compiled once into ``ShapeRule``s and evaluated
  in Python over one batch of triples (a batch of paper graphs, or a chunk of the entities graph): every constraint
  of the shapes is local to one paper's graph or to the entities graph, so the batches' verdicts are the whole
  graph's. The SHACL Core subset it understands: ``sh:targetClass`` (with the ontology's subclasses),
  ``sh:targetSubjectsOf``, ``sh:nodeKind``, and on single-IRI paths ``minCount``/``maxCount``, ``datatype``,
  ``minLength``/``maxLength``, ``nodeKind``, ``class``, ``in``, ``pattern`` (with ``flags``), numeric ranges,
  ``lessThan``/``lessThanOrEquals``. Anything else raises
  ``UnsupportedShape`` when the rules are compiled, and ``check_triples`` falls back to pySHACL, so a new shape can
  never be silently ignored.

Output: None, or ``ShapeViolation`` with a readable report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pyshacl import validate
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from kg.errors import ShapeViolation
from ontology import ONTOLOGY_TTL, SHAPES_TTL

NUMERIC = {str(XSD[t]) for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong")}
# Keys of a property shape that are not constraints.
NON_CONSTRAINTS = {SH.path, RDF.type, SH.name, SH.description, RDFS.label, RDFS.comment, SH.order, SH.group,
                   SH.message, SH.severity}
# Constraints of a property shape that ``_check_values`` evaluates (local names).
SUPPORTED = {"minCount", "maxCount", "datatype", "minLength", "maxLength", "nodeKind", "class", "in", "pattern",
             "flags", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "lessThan", "lessThanOrEquals"}
# Keys of a node shape that ``shape_rules`` understands.
NODE_KEYS = {SH.targetClass, SH.targetSubjectsOf, SH.property, SH.deactivated, SH.nodeKind} | NON_CONSTRAINTS
REPORT_LIMIT = 10


class UnsupportedShape(Exception):
    """The shapes use a SHACL construct the per-batch evaluator does not understand."""


@cache
def _shapes(path: Path = SHAPES_TTL) -> Graph:
    return Graph().parse(path, format="turtle")


def check_shapes(data: Graph, shapes_path: Path = SHAPES_TTL) -> None:
    """pySHACL: raise ``ShapeViolation`` when ``data`` does not conform; return None when it does."""
    conforms, _, text = validate(data, shacl_graph=_shapes(shapes_path), inference="none", advanced=False,
                                 allow_warnings=True)
    if not conforms:
        raise ShapeViolation(text)


def _subclasses(classes: list[URIRef], g: Graph) -> list[URIRef]:
    """The classes and their subclasses (``rdfs:subClassOf*``) in ``g`` — the ontology, for SHACL's class targets."""
    out: set[URIRef] = set()
    todo = list(classes)
    while todo:
        c = todo.pop()
        if c in out:
            continue
        out.add(c)
        todo.extend(s for s in g.subjects(RDFS.subClassOf, c) if isinstance(s, URIRef))
    return sorted(out, key=str)


@cache
def _ontology() -> Graph:
    return Graph().parse(ONTOLOGY_TTL, format="turtle")


# ------------------------------------------------------------------------- in-Python evaluation (per batch)


@dataclass(frozen=True)
class ShapeRule:
    """One node shape, ready to evaluate: focus classes (with subclasses) and/or predicates whose subjects are
    focus nodes, node kind, property constraints."""

    name: str
    classes: frozenset[URIRef]
    node_kind: URIRef | None
    properties: tuple[tuple[URIRef, tuple[tuple[str, Any], ...]], ...]
    subjects_of: frozenset[URIRef] = frozenset()


_DECIMAL_TYPES = {URIRef(t) for t in NUMERIC}
XSD_STRING = XSD.string
_XSD_STRING_STR = str(XSD_STRING)


@cache
def shape_rules(shapes_path: Path = SHAPES_TTL) -> tuple[ShapeRule, ...]:
    """The shapes as ``ShapeRule``s; ``UnsupportedShape`` for any construct outside the subset above."""
    g = _shapes(shapes_path)
    rules = []
    for shape in sorted(set(g.subjects(RDF.type, SH.NodeShape)), key=str):
        if (shape, SH.deactivated, Literal(True)) in g:
            continue
        unknown = {k for k in g.predicates(shape, None) if k not in NODE_KEYS}
        if unknown:
            raise UnsupportedShape(f"{', '.join(sorted(map(str, unknown)))} in {shape}")
        targets = sorted(g.objects(shape, SH.targetClass), key=str)
        subjects_of = frozenset(p for p in g.objects(shape, SH.targetSubjectsOf) if isinstance(p, URIRef))
        if not targets and not subjects_of:
            continue
        kind = g.value(shape, SH.nodeKind)
        if kind is not None and (not isinstance(kind, URIRef) or kind not in _KINDS):
            raise UnsupportedShape(f"sh:nodeKind {kind} in {shape}")
        props: list[tuple[URIRef, tuple[tuple[str, Any], ...]]] = []
        for prop in sorted(g.objects(shape, SH.property), key=lambda n: str(g.value(n, SH.path))):
            if (prop, SH.deactivated, Literal(True)) in g:
                continue
            path = g.value(prop, SH.path)
            if not isinstance(path, URIRef):
                raise UnsupportedShape(f"a property path that is not a single IRI in {shape}")
            cons: list[tuple[str, Any]] = []
            flags = g.value(prop, SH.flags)
            for key, value in sorted(g.predicate_objects(prop), key=lambda kv: (str(kv[0]), str(kv[1]))):
                if key in NON_CONSTRAINTS or key in (SH.deactivated, SH.flags):
                    continue
                name = str(key).split("#")[-1]
                if not str(key).startswith(str(SH)) or name not in SUPPORTED:
                    raise UnsupportedShape(f"constraint {key} in {shape}")
                if key in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive) \
                        and not isinstance(value, Literal):
                    raise UnsupportedShape(f"{key} with a non-literal value in {shape}")
                compiled: Any = value
                if key == SH["in"]:
                    compiled = frozenset(_canon(m) for m in Collection(g, value))
                elif key == SH["class"] and isinstance(value, URIRef):
                    compiled = frozenset(_subclasses([value], _ontology()))
                elif key in (SH.minCount, SH.maxCount, SH.minLength, SH.maxLength):
                    compiled = int(str(value))
                elif key == SH.pattern:
                    compiled = _regex(str(value), str(flags) if flags is not None else "")
                cons.append((name, compiled))
            props.append((path, tuple(cons)))
        classes = [t for t in targets if isinstance(t, URIRef)]
        rules.append(ShapeRule(str(shape), frozenset(_subclasses(classes, _ontology())) if classes else frozenset(),
                               kind, tuple(props), subjects_of))
    return tuple(rules)


def _regex(pattern: str, flags: str) -> re.Pattern[str]:
    """``sh:pattern`` with ``sh:flags`` (the XPath flags SHACL allows; "q" is not supported)."""
    bits = 0
    for f in flags:
        if f not in _FLAGS:
            raise UnsupportedShape(f"sh:flags {flags!r}")
        bits |= _FLAGS[f]
    return re.compile(pattern, bits)


_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


_NONE: frozenset[URIRef] = frozenset()


def _canon(term: Any) -> Any:
    """RDF 1.1: a literal typed xsd:string is the same term as the plain literal (rdflib keeps them apart)."""
    if type(term) is Literal and term.datatype is not None and str(term.datatype) == _XSD_STRING_STR:
        return Literal(str(term))
    return term


_KINDS: dict[URIRef, tuple[type, ...]] = {
    SH.IRI: (URIRef,), SH.Literal: (Literal,), SH.BlankNode: (BNode,), SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal), SH.IRIOrLiteral: (URIRef, Literal),
}


def _kind_ok(term: Any, kind: URIRef) -> bool:
    return isinstance(term, _KINDS[kind])


_NUMBERS: dict[tuple[str, str], Any] = {}  # (lexical form, datatype) → value; offsets and scores repeat a lot


def _number(term: Any) -> Any:
    """A numeric literal's value, or None when it is not a well-typed number (not comparable)."""
    if not isinstance(term, Literal) or term.datatype is None:
        return None
    key = (str(term), str(term.datatype))
    try:
        return _NUMBERS[key]
    except KeyError:
        pass
    value = term.toPython() if term.datatype in _DECIMAL_TYPES and not term.ill_typed else None
    if len(_NUMBERS) > 100_000:
        _NUMBERS.clear()
    _NUMBERS[key] = value
    return value


def _datatype_ok(term: Any, dt: URIRef) -> bool:
    if not isinstance(term, Literal) or term.ill_typed:
        return False
    actual = term.datatype or (None if term.language else XSD_STRING)
    return str(actual) == str(dt)


_CMP: dict[str, Any] = {">=": lambda x, y: x >= y, "<=": lambda x, y: x <= y, ">": lambda x, y: x > y,
                        "<": lambda x, y: x < y}


def _compare(a: Any, b: Any, op: str) -> bool:
    x, y = _number(a), _number(b)
    if x is None or y is None:
        return False
    return bool(_CMP[op](x, y))


_OPS = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}


def _check_values(values: list[Any], key: str, value: Any, props: dict[Any, list[Any]],
                  types: dict[Any, set[Any]]) -> list[Any] | bool:
    """Offending values for one constraint (``key`` is its local name; ``True``/``False`` for cardinality)."""
    if key == "minCount":
        return bool(len(set(values)) < value)
    if key == "maxCount":
        return bool(len(set(values)) > value)
    if not values:
        return []
    if key == "datatype":
        return [v for v in values if not _datatype_ok(v, value)]
    if key == "minLength":
        return [v for v in values if isinstance(v, BNode) or len(v) < value]
    if key == "maxLength":
        return [v for v in values if isinstance(v, BNode) or len(v) > value]
    if key == "nodeKind":
        return [v for v in values if not _kind_ok(v, value)]
    if key == "class":  # value: the class and its subclasses
        return [v for v in values if not (types.get(v, _NONE) & value)]
    if key == "in":
        return [v for v in values if v not in value]
    if key == "pattern":  # SHACL: a blank node never matches; IRIs and literals by their string
        return [v for v in values if isinstance(v, BNode) or not value.search(str(v))]
    if key in _OPS:
        bound, op = _number(value), _OPS[key]
        if bound is None:
            return list(values)
        return [v for v in values if (x := _number(v)) is None or not _CMP[op](x, bound)]
    if key in ("lessThan", "lessThanOrEquals"):
        op = "<" if key == "lessThan" else "<="
        others = props.get(value, [])
        return [v for v in values if not all(_compare(v, w, op) for w in others)]
    raise UnsupportedShape(f"constraint {key}")


def triple_violations(triples: Any, shapes_path: Path = SHAPES_TTL) -> list[str]:
    """Violations of the shapes by the graph made of ``triples`` (rdflib terms), evaluated in Python.

    Class targets and ``sh:class`` use the ``rdf:type`` facts in ``triples`` and the ontology's subclasses, as
    pySHACL does on data + ontology. Used per batch of papers and for the entities graph: every constraint of
    the shapes is about one paper's graph or about the entities graph, so the batches' verdicts are the whole
    graph's verdict.
    """
    by_subject: dict[Any, dict[Any, list[Any]]] = {}
    types: dict[Any, set[Any]] = {}
    rdf_type = RDF.type  # rdflib resolves namespace attributes slowly; this loop runs per triple
    for s, p, o in triples:
        if type(o) is Literal and o.datatype is not None:
            o = _canon(o)
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)
        if p == rdf_type:
            types.setdefault(s, set()).add(o)
    out: list[str] = []
    for rule in shape_rules(shapes_path):
        focus_nodes = [s for s, ts in types.items() if ts & rule.classes]
        if rule.subjects_of:
            seen = set(focus_nodes)
            focus_nodes += [s for s, props in by_subject.items()
                            if s not in seen and not rule.subjects_of.isdisjoint(props)]
        for focus in focus_nodes:
            props = by_subject.get(focus, {})
            if rule.node_kind is not None and not _kind_ok(focus, rule.node_kind):
                out.append(f"{rule.name} nodeKind {rule.node_kind}: focus {focus}")
            for path, constraints in rule.properties:
                values = props.get(path, [])
                for key, value in constraints:
                    bad = _check_values(values, key, value, props, types)
                    if bad:
                        shown = "" if bad is True else f", value {bad[0]!r}"
                        out.append(f"{rule.name} {path} {key} {value if key != 'in' else '(…)'}: focus {focus}{shown}")
            if len(out) >= REPORT_LIMIT * 10:
                return out
    return out


def check_triples(triples: Any, shapes_path: Path = SHAPES_TTL) -> None:
    """``triple_violations`` → ``ShapeViolation`` (falls back to pySHACL for shapes outside the supported subset)."""
    try:
        found = triple_violations(triples, shapes_path)
    except UnsupportedShape:
        g = Graph()
        for t in triples:
            g.add(t)
        for t in _ontology():
            g.add(t)
        check_shapes(g, shapes_path)
        return
    if found:
        raise ShapeViolation("\n".join(found))
