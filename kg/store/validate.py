"""SHACL validation of a built graph against ``ontology/shapes.ttl``.

Two engines, same shapes, same verdicts:

* ``check_shapes(graph)`` — pySHACL on an rdflib ``Graph`` (data plus the ontology, so ``sh:class`` sees
  subclasses). Exact and readable, but ~10 ms per paper: fine for a few hundred papers, not for 75k.
* ``check_store(store)`` — the same shapes compiled to SPARQL (``compile_shapes``) and run inside Oxigraph over
  the union of all graphs, without copying anything into Python. The SHACL Core constraints the shapes use are
  translated one query each (class targets and ``sh:class`` expanded to the subclasses the ontology declares —
  the data graph never declares classes, the ontology graph does; ``sh:in`` by term identity; numeric
  ranges and ``sh:datatype`` with SHACL's "not comparable / ill-typed ⇒ violation" rule). A shape using any
  other construct raises ``UnsupportedShape`` and ``check_store`` falls back to pySHACL, so a new shape can
  never be silently ignored. tests/test_build_validate.py checks both engines agree on broken graphs.

Output: None, or ``ShapeViolation`` with a readable report.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pyshacl import validate
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from kg.errors import ShapeViolation
from ontology import SHAPES_TTL

NUMERIC = {str(URIRef("http://www.w3.org/2001/XMLSchema#" + t)) for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong")}
# Keys of a property shape that are not constraints.
NON_CONSTRAINTS = {SH.path, RDF.type, SH.name, SH.description, URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
                   URIRef("http://www.w3.org/2000/01/rdf-schema#comment"), SH.order, SH.group, SH.message}
RANGES = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
REPORT_LIMIT = 10


class UnsupportedShape(Exception):
    """The shapes use a SHACL construct ``compile_shapes`` does not translate."""


@dataclass(frozen=True)
class CompiledCheck:
    """One constraint as a SPARQL SELECT whose rows (``?focus``, optional ``?value``) are the violations."""

    shape: str
    path: str
    constraint: str
    sparql: str


@cache
def _shapes(path: Path = SHAPES_TTL) -> Graph:
    return Graph().parse(path, format="turtle")


def check_shapes(data: Graph, shapes_path: Path = SHAPES_TTL) -> None:
    """pySHACL: raise ``ShapeViolation`` when ``data`` does not conform; return None when it does."""
    conforms, _, text = validate(data, shacl_graph=_shapes(shapes_path), inference="none", advanced=False,
                                 allow_warnings=True)
    if not conforms:
        raise ShapeViolation(text)


def _n3(term: Any) -> str:
    if isinstance(term, BNode):
        raise UnsupportedShape(f"blank node {term} as a constraint value")
    return term.n3()


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


def _focus(targets: list[URIRef]) -> str:
    """Focus nodes of class targets: instances of the classes or their subclasses (expanded up front from the
    ontology, so the engine does index lookups instead of evaluating a property path per node)."""
    classes = _subclasses(targets, _ontology())
    if len(classes) == 1:
        return f"?focus <{RDF.type}> {_n3(classes[0])} ."
    values = " ".join(_n3(t) for t in classes)
    return f"{{ SELECT DISTINCT ?focus WHERE {{ VALUES ?target {{ {values} }} ?focus <{RDF.type}> ?target }} }}"


def _is_instance(var: str, cls: URIRef) -> str:
    values = " ".join(_n3(t) for t in _subclasses([cls], _ontology()))
    return f"EXISTS {{ VALUES ?cls {{ {values} }} {var} <{RDF.type}> ?cls }}"


@cache
def _ontology() -> Graph:
    from ontology import ONTOLOGY_TTL

    return Graph().parse(ONTOLOGY_TTL, format="turtle")


def _node_kind_test(var: str, kind: URIRef) -> str:
    tests = {SH.IRI: f"isIRI({var})", SH.Literal: f"isLiteral({var})", SH.BlankNode: f"isBlank({var})",
             SH.BlankNodeOrIRI: f"(isBlank({var}) || isIRI({var}))",
             SH.BlankNodeOrLiteral: f"(isBlank({var}) || isLiteral({var}))",
             SH.IRIOrLiteral: f"(isIRI({var}) || isLiteral({var}))"}
    if kind not in tests:
        raise UnsupportedShape(f"sh:nodeKind {kind}")
    return tests[kind]


def _value_checks(shape: str, focus: str, path: URIRef, key: URIRef, value: Any, g: Graph) -> list[CompiledCheck]:
    """Checks for one constraint (``key value``) on the values of ``path``."""
    p, name = _n3(path), str(path)

    def values_where(filter_: str) -> str:
        return f"SELECT ?focus ?value WHERE {{ {focus} ?focus {p} ?value . FILTER({filter_}) }} LIMIT {REPORT_LIMIT}"

    k = key.split("#")[-1]
    if key == SH.minCount:
        n = int(value)
        if n <= 0:
            return []
        if n == 1:
            q = f"SELECT ?focus WHERE {{ {focus} FILTER NOT EXISTS {{ ?focus {p} ?value }} }} LIMIT {REPORT_LIMIT}"
        else:
            q = (f"SELECT ?focus WHERE {{ {focus} OPTIONAL {{ ?focus {p} ?value }} }} GROUP BY ?focus "
                 f"HAVING (COUNT(DISTINCT ?value) < {n}) LIMIT {REPORT_LIMIT}")
        return [CompiledCheck(shape, name, f"{k} {n}", q)]
    if key == SH.maxCount:
        n = int(value)
        if n == 1:
            q = (f"SELECT DISTINCT ?focus WHERE {{ {focus} ?focus {p} ?value, ?other . "
                 f"FILTER(!sameTerm(?value, ?other)) }} LIMIT {REPORT_LIMIT}")
        else:
            q = (f"SELECT ?focus WHERE {{ {focus} ?focus {p} ?value }} GROUP BY ?focus "
                 f"HAVING (COUNT(DISTINCT ?value) > {n}) LIMIT {REPORT_LIMIT}")
        return [CompiledCheck(shape, name, f"{k} {n}", q)]
    if key == SH.datatype:
        dt = str(value)
        ok = f"(isLiteral(?value) && sameTerm(datatype(?value), <{dt}>))"
        if dt in NUMERIC:
            ok = f"({ok} && COALESCE(isNumeric(?value), false))"  # ill-typed lexical forms are not numeric
        return [CompiledCheck(shape, name, f"{k} {dt}", values_where(f"!{ok}"))]
    if key == SH.minLength or key == SH.maxLength:
        op = "<" if key == SH.minLength else ">"
        return [CompiledCheck(shape, name, f"{k} {int(value)}",
                              values_where(f"isBlank(?value) || STRLEN(STR(?value)) {op} {int(value)}"))]
    if key == SH.nodeKind:
        return [CompiledCheck(shape, name, f"{k} {value}", values_where(f"!{_node_kind_test('?value', value)}"))]
    if key == SH["class"]:
        return [CompiledCheck(shape, name, f"{k} {value}", values_where(f"!{_is_instance('?value', value)}"))]
    if key == SH["in"]:
        members = list(Collection(g, value))
        test = " || ".join(f"sameTerm(?value, {_n3(m)})" for m in members) or "false"
        return [CompiledCheck(shape, name, "in (…)", values_where(f"!({test})"))]
    if key in RANGES:
        if not isinstance(value, Literal):
            raise UnsupportedShape(f"{key} with a non-literal value")
        return [CompiledCheck(shape, name, f"{k} {value}",
                              values_where(f"!COALESCE(?value {RANGES[key]} {_n3(value)}, false)"))]
    if key == SH.lessThan or key == SH.lessThanOrEquals:
        op = "<" if key == SH.lessThan else "<="
        q = (f"SELECT ?focus ?value WHERE {{ {focus} ?focus {p} ?value ; {_n3(value)} ?other . "
             f"FILTER(!COALESCE(?value {op} ?other, false)) }} LIMIT {REPORT_LIMIT}")
        return [CompiledCheck(shape, name, f"{k} {value}", q)]
    raise UnsupportedShape(f"constraint {key} in {shape}")


@cache
def compile_shapes(shapes_path: Path = SHAPES_TTL) -> tuple[CompiledCheck, ...]:
    """Every constraint of the shapes file as a SPARQL violation query; ``UnsupportedShape`` if one cannot be."""
    g = _shapes(shapes_path)
    checks: list[CompiledCheck] = []
    for shape in sorted(set(g.subjects(RDF.type, SH.NodeShape)), key=str):
        if (shape, SH.deactivated, Literal(True)) in g:
            continue
        targets = sorted(g.objects(shape, SH.targetClass), key=str)
        if any((shape, t, None) in g for t in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)):
            raise UnsupportedShape(f"targets other than sh:targetClass in {shape}")
        if not targets:
            continue
        focus, sname = _focus(targets), str(shape)
        for key, value in sorted(g.predicate_objects(shape), key=lambda kv: (str(kv[0]), str(kv[1]))):
            if key in NON_CONSTRAINTS or key in (SH.targetClass, SH.property, SH.deactivated, SH.closed,
                                                 SH.ignoredProperties):
                if key in (SH.closed,) and value == Literal(True):
                    raise UnsupportedShape(f"sh:closed in {shape}")
                continue
            if key == SH.nodeKind:
                q = (f"SELECT ?focus WHERE {{ {focus} FILTER(!{_node_kind_test('?focus', value)}) }} "
                     f"LIMIT {REPORT_LIMIT}")
                checks.append(CompiledCheck(sname, "", f"nodeKind {value}", q))
                continue
            raise UnsupportedShape(f"node constraint {key} in {shape}")
        for prop in sorted(g.objects(shape, SH.property), key=lambda n: str(g.value(n, SH.path))):
            path = g.value(prop, SH.path)
            if not isinstance(path, URIRef):
                raise UnsupportedShape(f"a property path that is not a single IRI in {shape}")
            if (prop, SH.deactivated, Literal(True)) in g:
                continue
            for key, value in sorted(g.predicate_objects(prop), key=lambda kv: (str(kv[0]), str(kv[1]))):
                if key in NON_CONSTRAINTS or key == SH.severity:
                    continue
                checks.extend(_value_checks(sname, focus, path, key, value, g))
    return tuple(checks)


# ------------------------------------------------------------------------- in-Python evaluation (per batch)


@dataclass(frozen=True)
class ShapeRule:
    """One node shape, ready to evaluate: focus classes (with subclasses), node kind, property constraints."""

    name: str
    classes: frozenset[URIRef]
    node_kind: URIRef | None
    properties: tuple[tuple[URIRef, tuple[tuple[str, Any], ...]], ...]


_DECIMAL_TYPES = {URIRef(t) for t in NUMERIC}
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
_XSD_STRING_STR = str(XSD_STRING)


@cache
def shape_rules(shapes_path: Path = SHAPES_TTL) -> tuple[ShapeRule, ...]:
    """The shapes as ``ShapeRule``s (``UnsupportedShape`` for constructs ``compile_shapes`` cannot translate)."""
    compile_shapes(shapes_path)  # raises UnsupportedShape for anything outside the supported subset
    g = _shapes(shapes_path)
    rules = []
    for shape in sorted(set(g.subjects(RDF.type, SH.NodeShape)), key=str):
        targets = sorted(g.objects(shape, SH.targetClass), key=str)
        if not targets or (shape, SH.deactivated, Literal(True)) in g:
            continue
        props = []
        for prop in sorted(g.objects(shape, SH.property), key=lambda n: str(g.value(n, SH.path))):
            if (prop, SH.deactivated, Literal(True)) in g:
                continue
            cons = []
            for key, value in sorted(g.predicate_objects(prop), key=lambda kv: (str(kv[0]), str(kv[1]))):
                if key in NON_CONSTRAINTS or key == SH.severity:
                    continue
                if key == SH["in"]:
                    value = frozenset(_canon(m) for m in Collection(g, value))
                elif key == SH["class"]:
                    value = frozenset(_subclasses([value], _ontology()))
                elif key in (SH.minCount, SH.maxCount, SH.minLength, SH.maxLength):
                    value = int(value)
                cons.append((key.split("#")[-1], value))
            props.append((g.value(prop, SH.path), tuple(cons)))
        rules.append(ShapeRule(str(shape), frozenset(_subclasses(targets, _ontology())), g.value(shape, SH.nodeKind),
                               tuple(props)))
    return tuple(rules)


_NONE: frozenset = frozenset()


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


def _compare(a: Any, b: Any, op: str) -> bool:
    x, y = _number(a), _number(b)
    if x is None or y is None:
        return False
    return {">=": x >= y, "<=": x <= y, ">": x > y, "<": x < y}[op]


_CMP = {">=": lambda x, y: x >= y, "<=": lambda x, y: x <= y, ">": lambda x, y: x > y, "<": lambda x, y: x < y}
_OPS = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}


def _check_values(values: list, key: str, value: Any, props: dict, types: dict) -> list[Any] | bool:
    """Offending values for one constraint (``key`` is its local name; ``True``/``False`` for cardinality)."""
    if key == "minCount":
        return len(set(values)) < value
    if key == "maxCount":
        return len(set(values)) > value
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
    by_subject: dict[Any, dict[Any, list]] = {}
    types: dict[Any, set] = {}
    rdf_type = RDF.type  # rdflib resolves namespace attributes slowly; this loop runs per triple
    for s, p, o in triples:
        if type(o) is Literal and o.datatype is not None:
            o = _canon(o)
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)
        if p == rdf_type:
            types.setdefault(s, set()).add(o)
    out: list[str] = []
    for rule in shape_rules(shapes_path):
        for focus in [s for s, ts in types.items() if ts & rule.classes]:
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


# ------------------------------------------------------------------------- in-engine evaluation (whole store)


def violations(store: Any, shapes_path: Path = SHAPES_TTL) -> list[str]:
    """Readable violation lines from running the compiled shapes on ``store`` (a ``GraphStore``)."""
    out = []
    for check in compile_shapes(shapes_path):
        res = store.query(check.sparql)
        has_value = "value" in {v.value for v in res.variables}
        for row in res:
            focus, value = row["focus"], row["value"] if has_value else None
            where = f" {check.path}" if check.path else ""
            out.append(f"{check.shape}{where} {check.constraint}: focus {focus}" + (f", value {value}" if value else ""))
    return out


def check_store(store: Any, shapes_path: Path = SHAPES_TTL) -> None:
    """Validate a whole ``GraphStore`` inside the engine; ``ShapeViolation`` listing what failed."""
    try:
        compile_shapes(shapes_path)
    except UnsupportedShape:
        from kg.build import store_to_rdflib

        check_shapes(store_to_rdflib(store), shapes_path)
        return
    found = violations(store, shapes_path)
    if found:
        raise ShapeViolation("\n".join(found))
