"""SHACL validation of the graph a build writes, against ``ontology/shapes.ttl``.

Two evaluators, same shapes, same verdicts (tests/test_build_validate.py checks them against each other):

* ``check_shapes(graph)`` — pySHACL on an rdflib ``Graph`` (data plus the ontology, so ``sh:class`` sees
  subclasses). Exact and readable, but ~10 ms per paper: the reference, and the fallback for shapes outside the
  subset below.
* ``row_violations(rows)`` / ``check_rows`` — the shapes compiled once into ``ShapeRule``s over plain terms
  (``kg.mapping.plain``) and evaluated in Python over one batch of triples (a batch of paper graphs, or a chunk of
  the entities graph): every constraint of the shapes is local to one paper's graph or to the entities graph, so
  the batches' verdicts are the whole graph's. ``triple_violations`` / ``check_triples`` take rdflib triples.
  About 0.1–0.3 ms per paper. The SHACL Core subset it understands: ``sh:targetClass`` (with the ontology's
  subclasses), ``sh:targetSubjectsOf``, ``sh:nodeKind``, and on single-IRI paths ``minCount``/``maxCount``,
  ``datatype``, ``minLength``/``maxLength``, ``nodeKind``, ``class``, ``in``, ``pattern`` (with ``flags``),
  numeric ranges, ``lessThan``/``lessThanOrEquals``. Anything else raises ``UnsupportedShape`` when the rules are compiled, and
  ``check_rows``/``check_triples`` fall back to pySHACL, so a new shape can never be silently ignored.

Output: None, or ``ShapeViolation`` with a readable report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from pyshacl import validate
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from kg.errors import ShapeViolation
from kg.mapping.plain import XSD_STRING, BNodeId, Lit, Row, plain, plain_rows
from ontology import ONTOLOGY_TTL, SHAPES_TTL

XSD_NS = str(XSD)
_XSD_DECIMAL, _XSD_DOUBLE, _XSD_FLOAT, _XSD_BOOLEAN = (XSD_NS + "decimal", XSD_NS + "double", XSD_NS + "float",
                                                       XSD_NS + "boolean")
_RDF_TYPE = str(RDF.type)

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
# The shapes are compiled once into plain-term rules (IRIs as str, literals as kg.mapping.plain.Lit) and evaluated
# over plain triples: the hot path of a build checks what kg.mapping.plain.paper_rows maps, without building rdflib
# terms; rdflib triples (tests, the entities graph) are converted first and checked by the same code.

KIND_IRI, KIND_BNODE, KIND_LITERAL = "iri", "bnode", "literal"
_KIND_SETS: dict[URIRef, frozenset[str]] = {
    SH.IRI: frozenset({KIND_IRI}), SH.Literal: frozenset({KIND_LITERAL}), SH.BlankNode: frozenset({KIND_BNODE}),
    SH.BlankNodeOrIRI: frozenset({KIND_BNODE, KIND_IRI}), SH.BlankNodeOrLiteral: frozenset({KIND_BNODE, KIND_LITERAL}),
    SH.IRIOrLiteral: frozenset({KIND_IRI, KIND_LITERAL}),
}


def _kind(term: Any) -> str:
    t = type(term)
    if t is Lit:
        return KIND_LITERAL
    if t is BNodeId:
        return KIND_BNODE
    return KIND_IRI


@dataclass(frozen=True)
class ShapeRule:
    """One node shape, ready to evaluate on plain terms: focus classes (with subclasses) and/or predicates whose
    subjects are focus nodes, node kind, property constraints (path IRI, ((constraint, compiled value), …))."""

    name: str
    classes: frozenset[str]
    node_kind: frozenset[str] | None
    properties: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]
    subjects_of: frozenset[str] = frozenset()
    kind_name: str = ""


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
        subjects_of = frozenset(str(p) for p in g.objects(shape, SH.targetSubjectsOf) if isinstance(p, URIRef))
        if not targets and not subjects_of:
            continue
        kind = g.value(shape, SH.nodeKind)
        if kind is not None and (not isinstance(kind, URIRef) or kind not in _KIND_SETS):
            raise UnsupportedShape(f"sh:nodeKind {kind} in {shape}")
        props: list[tuple[str, tuple[tuple[str, Any], ...]]] = []
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
                cons.append((name, _compile(name, value, g, flags, shape)))
            props.append((str(path), tuple(cons)))
        classes = [t for t in targets if isinstance(t, URIRef)]
        rules.append(ShapeRule(str(shape), frozenset(map(str, _subclasses(classes, _ontology()))) if classes
                               else frozenset(), _KIND_SETS[kind] if kind is not None else None, tuple(props),
                               subjects_of, str(kind) if kind is not None else ""))
    return tuple(rules)


def _compile(name: str, value: Any, g: Graph, flags: Any, shape: Any) -> Any:
    """One constraint's value in the form ``_check_values`` uses."""
    if name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
        if not isinstance(value, Literal):
            raise UnsupportedShape(f"sh:{name} with a non-literal value in {shape}")
        return _number(plain(value))
    if name == "in":
        return frozenset(plain(m) for m in Collection(g, value))
    if name == "class":
        if not isinstance(value, URIRef):
            raise UnsupportedShape(f"sh:class {value} in {shape}")
        return frozenset(map(str, _subclasses([value], _ontology())))
    if name in ("minCount", "maxCount", "minLength", "maxLength"):
        return int(str(value))
    if name == "pattern":
        return _regex(str(value), str(flags) if flags is not None else "")
    if name == "nodeKind":
        if value not in _KIND_SETS:
            raise UnsupportedShape(f"sh:nodeKind {value} in {shape}")
        return _KIND_SETS[value]
    if name in ("datatype", "lessThan", "lessThanOrEquals"):
        return str(value)
    raise UnsupportedShape(f"constraint sh:{name} in {shape}")


def _regex(pattern: str, flags: str) -> re.Pattern[str]:
    """``sh:pattern`` with ``sh:flags`` (the XPath flags SHACL allows; "q" is not supported)."""
    bits = 0
    for f in flags:
        if f not in _FLAGS:
            raise UnsupportedShape(f"sh:flags {flags!r}")
        bits |= _FLAGS[f]
    return re.compile(pattern, bits)


_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
_NONE: frozenset[str] = frozenset()

# Lexical forms of the numeric and boolean XSD datatypes (a literal that does not match is ill-typed: it fails
# sh:datatype and compares with nothing, as in rdflib/pySHACL).
_INTEGER_RE = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL_RE = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")
_DOUBLE_RE = re.compile(r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$")
_INTEGER_TYPES = {XSD_NS + t: bounds for t, bounds in {
    "integer": (None, None), "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
    "negativeInteger": (None, -1), "nonPositiveInteger": (None, 0), "long": (-2**63, 2**63 - 1),
    "int": (-2**31, 2**31 - 1), "short": (-2**15, 2**15 - 1), "byte": (-128, 127),
    "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1)}.items()}
_NUMBERS: dict[Lit, Any] = {}  # literal → value (None: not a well-typed number); offsets and scores repeat a lot


def _number(term: Any) -> Any:
    """A numeric literal's value, or None when it is not a well-typed number (not comparable)."""
    if type(term) is not Lit:
        return None
    try:
        return _NUMBERS[term]
    except KeyError:
        pass
    lex, dt = term.lex.strip(), term.datatype
    value: Any = None
    if dt in _INTEGER_TYPES and _INTEGER_RE.match(lex):
        lo, hi = _INTEGER_TYPES[dt]
        n = int(lex)
        value = n if (lo is None or n >= lo) and (hi is None or n <= hi) else None
    elif dt == _XSD_DECIMAL and _DECIMAL_RE.match(lex):
        value = Decimal(lex)
    elif dt in (_XSD_DOUBLE, _XSD_FLOAT) and _DOUBLE_RE.match(lex):
        value = float(lex.replace("INF", "inf"))
    if len(_NUMBERS) > 100_000:
        _NUMBERS.clear()
    _NUMBERS[term] = value
    return value


def _well_typed(term: Lit) -> bool:
    dt = term.datatype
    if dt in _INTEGER_TYPES or dt in (_XSD_DECIMAL, _XSD_DOUBLE, _XSD_FLOAT):
        return _number(term) is not None
    if dt == _XSD_BOOLEAN:
        return term.lex.strip() in ("true", "false", "1", "0")
    return True


def _datatype_ok(term: Any, dt: str) -> bool:
    return type(term) is Lit and term.datatype == dt and _well_typed(term)


_CMP: dict[str, Any] = {">=": lambda x, y: x >= y, "<=": lambda x, y: x <= y, ">": lambda x, y: x > y,
                        "<": lambda x, y: x < y}


def _compare(a: Any, b: Any, op: str) -> bool:
    x, y = _number(a), _number(b)
    if x is None or y is None:
        return False
    return bool(_CMP[op](x, y))


_OPS = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}


def _text(term: Any) -> str | None:
    """The string SHACL's length and pattern constraints read: a literal's lexical form, an IRI; None for a blank
    node (which fails them)."""
    t = type(term)
    if t is Lit:
        return str(term.lex)
    if t is BNodeId:
        return None
    return str(term)


def _check_values(values: list[Any], key: str, value: Any, props: dict[str, list[Any]],
                  types: dict[Any, set[str]]) -> list[Any] | bool:
    """Offending values for one constraint (``key`` is its local name; ``True``/``False`` for cardinality)."""
    bad: list[Any] | bool = _checker(key, value)(values, props, types)
    return bad


Checker = Any  # (values, props of the focus node, rdf:type facts) → offending values, or a bool for cardinality


def _checker(key: str, value: Any) -> Checker:
    """One constraint compiled to a function (``row_violations`` calls it for every focus node)."""
    if key == "minCount":
        return lambda vs, props, types: (len(vs) if len(vs) < 2 else len(set(vs))) < value
    if key == "maxCount":
        return lambda vs, props, types: (len(vs) if len(vs) < 2 else len(set(vs))) > value
    if key == "datatype":
        return lambda vs, props, types: [v for v in vs if not _datatype_ok(v, value)]
    if key == "minLength":
        return lambda vs, props, types: [v for v in vs if (t := _text(v)) is None or len(t) < value]
    if key == "maxLength":
        return lambda vs, props, types: [v for v in vs if (t := _text(v)) is None or len(t) > value]
    if key == "nodeKind":
        return lambda vs, props, types: [v for v in vs if _kind(v) not in value]
    if key == "class":  # value: the class and its subclasses
        return lambda vs, props, types: [v for v in vs if value.isdisjoint(types.get(v, _NONE))]
    if key == "in":
        return lambda vs, props, types: [v for v in vs if v not in value]
    if key == "pattern":
        search = value.search
        return lambda vs, props, types: [v for v in vs if (t := _text(v)) is None or not search(t)]
    if key in _OPS:
        cmp = _CMP[_OPS[key]]
        if value is None:
            return lambda vs, props, types: list(vs)
        return lambda vs, props, types: [v for v in vs if (x := _number(v)) is None or not cmp(x, value)]
    if key in ("lessThan", "lessThanOrEquals"):
        op = "<" if key == "lessThan" else "<="
        return lambda vs, props, types: [v for v in vs if not all(_compare(v, w, op) for w in props.get(value, ()))]
    raise UnsupportedShape(f"constraint {key}")


@cache
def _compiled(shapes_path: Path) -> tuple[tuple[ShapeRule, tuple[tuple[str, tuple[tuple[str, Any, Checker, bool], ...]],
                                                                  ...]], ...]:
    """Every rule with its constraints compiled to checkers (and whether each must run on no values)."""
    return tuple((rule, tuple((path, tuple((key, value, _checker(key, value), key == "minCount")
                                           for key, value in constraints))
                              for path, constraints in rule.properties))
                 for rule in shape_rules(shapes_path))


def row_violations(rows: Iterable[Row], shapes_path: Path = SHAPES_TTL) -> list[str]:
    """Violations of the shapes by the graph made of plain triples ``rows`` (``kg.mapping.plain``).

    Class targets and ``sh:class`` use the ``rdf:type`` facts in ``rows`` and the ontology's subclasses, as pySHACL
    does on data + ontology. Used per batch of papers and for the entities graph: every constraint of the shapes is
    about one paper's graph or about the entities graph, so the batches' verdicts are the whole graph's verdict.
    """
    by_subject: dict[Any, dict[str, list[Any]]] = {}
    types: dict[Any, set[str]] = {}
    for s, p, o in rows:
        props = by_subject.get(s)
        if props is None:
            props = by_subject[s] = {}
        vals = props.get(p)
        if vals is None:
            props[p] = [o]
        else:
            vals.append(o)
        if p == _RDF_TYPE and type(o) is str:
            types.setdefault(s, set()).add(o)
    out: list[str] = []
    empty: list[Any] = []
    for rule, properties in _compiled(shapes_path):
        focus_nodes = [s for s, ts in types.items() if not ts.isdisjoint(rule.classes)] if rule.classes else []
        if rule.subjects_of:
            seen = set(focus_nodes)
            focus_nodes += [s for s, props in by_subject.items()
                            if s not in seen and not rule.subjects_of.isdisjoint(props)]
        for focus in focus_nodes:
            props = by_subject.get(focus, {})
            if rule.node_kind is not None and _kind(focus) not in rule.node_kind:
                out.append(f"{rule.name} nodeKind {rule.kind_name}: focus {focus}")
            for path, constraints in properties:
                values = props.get(path, empty)
                for key, value, check, on_empty in constraints:
                    if not values and not on_empty:
                        continue
                    bad = check(values, props, types)
                    if bad:
                        shown = "" if bad is True else f", value {_show(bad[0])}"
                        out.append(f"{rule.name} {path} {key} {_show_constraint(key, value)}: focus {focus}{shown}")
            if len(out) >= REPORT_LIMIT * 10:
                return out
    return out


def _show(term: Any) -> str:
    if type(term) is Lit:
        return repr(term.lex) + (f"^^{term.datatype}" if term.datatype != XSD_STRING else "")
    return str(term)


def _show_constraint(key: str, value: Any) -> str:
    if key in ("in", "class", "nodeKind"):
        return "(…)"
    if key == "pattern":
        return str(value.pattern)
    return str(value)


def triple_violations(triples: Any, shapes_path: Path = SHAPES_TTL) -> list[str]:
    """``row_violations`` of rdflib triples (converted to plain terms first)."""
    return row_violations(plain_rows(triples), shapes_path)


def check_rows(rows: Iterable[Row], shapes_path: Path = SHAPES_TTL, fallback: Any = None) -> None:
    """``row_violations`` → ``ShapeViolation``. Shapes outside the supported subset fall back to pySHACL on the
    rdflib triples ``fallback()`` returns (or ``rows`` converted back)."""
    try:
        found = row_violations(rows, shapes_path)
    except UnsupportedShape:
        g = Graph()
        for t in (fallback() if fallback is not None else rdflib_triples(rows)):
            g.add(t)
        for t in _ontology():
            g.add(t)
        check_shapes(g, shapes_path)
        return
    if found:
        raise ShapeViolation("\n".join(found))


def check_triples(triples: Any, shapes_path: Path = SHAPES_TTL) -> None:
    """``triple_violations`` → ``ShapeViolation`` (falls back to pySHACL for shapes outside the supported subset)."""
    triples = list(triples)
    check_rows(plain_rows(triples), shapes_path, fallback=lambda: triples)


def rdflib_triples(rows: Iterable[Row]) -> list[tuple[Any, Any, Any]]:
    """Plain triples back to rdflib terms (for pySHACL)."""
    def term(t: Any) -> Any:
        if type(t) is Lit:
            if t.lang:
                return Literal(t.lex, lang=t.lang)
            return Literal(t.lex, datatype=URIRef(t.datatype) if t.datatype != XSD_STRING else None)
        if type(t) is BNodeId:
            return BNode(t)
        return URIRef(t)

    return [(term(s), term(p), term(o)) for s, p, o in rows]


@cache
def ontology_rows() -> tuple[Row, ...]:
    """The ontology as plain triples (checks of the entities graph see subclass and type facts)."""
    return tuple(plain_rows(_ontology()))
