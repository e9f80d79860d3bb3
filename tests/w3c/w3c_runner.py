"""W3C SPARQL 1.1 test-suite runner: every query test goes through the HTTP endpoint (``/sparql``).

In: the suite folder (``../shared/w3c-sparql11``, or ``$KG_W3C_SUITE``), its manifests and data. For each test the
manifest names, the data is loaded into a fresh in-memory Oxigraph store that the Flask app serves, the query is
sent with the Flask test client (``Accept`` chosen to match the expected file: .srx → SPARQL XML, .srj → JSON,
.tsv → TSV, .csv → CSV, RDF → N-Triples), and the answer is compared the way the suite defines it: result sets
as multisets (in order when the query has ORDER BY), blank nodes up to a consistent renaming, literals as RDF
terms (rdflib's canonical lexical forms for numbers), graphs by isomorphism. Syntax tests: positive → 200,
negative → 400. Out: pass/fail counts per category (``python tests/w3c/w3c_runner.py [-v] [--write-expected]``).

Excluded categories and tests are listed below with their reasons; nothing else is skipped.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from rdflib.query import Result

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SUITE = Path(os.environ.get("KG_W3C_SUITE", REPO.parent / "shared" / "w3c-sparql11"))
EXPECTED_FILE = HERE / "expected_pass.json"
W3C_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")

# Categories run: the SPARQL 1.1 Query conformance manifests plus the CSV/TSV and JSON results manifests.
CATEGORIES = [
    "aggregates", "bind", "bindings", "cast", "construct", "exists", "functions", "grouping", "negation",
    "project-expression", "property-path", "subquery", "syntax-query", "csv-tsv-res", "json-res",
]
EXCLUDED_CATEGORIES = {
    "service": "federation: the endpoint refuses SERVICE on purpose (it must never fetch URLs for a client)",
    "syntax-fed": "SERVICE syntax: refused by the endpoint before parsing (403), see 'service'",
    "entailment": "RDFS/OWL entailment regimes: the engine implements simple entailment only",
    "add": "SPARQL Update: the endpoint is read-only by default (updates need update_enabled + a token)",
    "basic-update": "SPARQL Update (read-only endpoint)", "clear": "SPARQL Update (read-only endpoint)",
    "copy": "SPARQL Update (read-only endpoint)", "delete": "SPARQL Update (read-only endpoint)",
    "delete-data": "SPARQL Update (read-only endpoint)", "delete-insert": "SPARQL Update (read-only endpoint)",
    "delete-where": "SPARQL Update (read-only endpoint)", "drop": "SPARQL Update (read-only endpoint)",
    "move": "SPARQL Update (read-only endpoint)", "update-silent": "SPARQL Update (read-only endpoint)",
    "syntax-update-1": "SPARQL Update syntax (read-only endpoint)",
    "syntax-update-2": "SPARQL Update syntax (read-only endpoint)",
    "protocol": "protocol tests are prose for a live HTTP harness (covered by tests/test_sparql.py instead)",
    "service-description": "prose tests (the description itself is checked in tests/test_sparql.py)",
    "graph-store-protocol": "the Graph Store HTTP Protocol is not offered",
    "http-rdf-update": "the Graph Store HTTP Protocol is not offered",
}
# Single tests left out (test IRI local name → reason).
EXCLUDED_TESTS: dict[str, str] = {
    "test_4": "syntax-select-expr-04 calls an extension function <http://example/function>: it parses, but the "
              "engine implements no extension functions, so the endpoint answers 400 instead of running it",
}

TEST_TYPES = {MF.QueryEvaluationTest: "eval", MF.CSVResultFormatTest: "eval", MF.PositiveSyntaxTest11: "syntax+",
              MF.NegativeSyntaxTest11: "syntax-"}
ACCEPT = {".srx": "application/sparql-results+xml", ".srj": "application/sparql-results+json",
          ".tsv": "text/tab-separated-values", ".csv": "text/csv"}
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.I)


@dataclass
class W3CTest:
    iri: str
    category: str
    name: str
    kind: str  # eval | syntax+ | syntax-
    query: Path
    data: list[Path] = field(default_factory=list)
    graph_data: list[tuple[str, Path]] = field(default_factory=list)  # (graph IRI, file)
    result: Path | None = None

    @property
    def local_name(self) -> str:
        return self.iri.rsplit("#", 1)[-1]


def _path(iri: Any, suite: Path) -> Path:
    text = str(iri)
    if not text.startswith(W3C_BASE):
        raise ValueError(f"{text} is not under {W3C_BASE}")
    return suite / text[len(W3C_BASE):]


def _iri(path: Path, suite: Path) -> str:
    return W3C_BASE + path.relative_to(suite).as_posix()


def load_tests(suite: Path = SUITE, categories: Iterable[str] = CATEGORIES) -> list[W3CTest]:
    """The tests of ``categories``, in manifest order (withdrawn ones dropped)."""
    tests = []
    for category in categories:
        manifest = suite / category / "manifest.ttl"
        g = Graph().parse(manifest, format="turtle", publicID=W3C_BASE + f"{category}/manifest.ttl")
        root = next(g.subjects(RDF.type, MF.Manifest))
        entries = g.value(root, MF.entries)
        for entry in Collection(g, entries) if entries is not None else []:
            kind = next((TEST_TYPES[t] for t in g.objects(entry, RDF.type) if t in TEST_TYPES), None)
            if kind is None or g.value(entry, DAWGT.approval) == DAWGT.Withdrawn:
                continue
            action = g.value(entry, MF.action)
            test = W3CTest(str(entry), category, str(g.value(entry, MF.name)), kind, Path())
            if isinstance(action, BNode):
                test.query = _path(g.value(action, QT.query), suite)
                test.data = [_path(d, suite) for d in g.objects(action, QT.data)]
                test.graph_data = [(str(d), _path(d, suite)) for d in g.objects(action, QT.graphData)]
            else:
                test.query = _path(action, suite)
            result = g.value(entry, MF.result)
            test.result = _path(result, suite) if result is not None else None
            tests.append(test)
    return tests


# ---------------------------------------------------------------------------------------------- the endpoint
class FixedStoreHandle:
    """Stands in for server.store_access.StoreHandle: serves whatever in-memory store the runner sets."""

    def __init__(self) -> None:
        from kg.store import GraphStore

        self.store = GraphStore.in_memory()
        self.generation = 0

    def get(self):
        return self.store


def make_client(timeout: float = 20.0):
    """A Flask test client of the real app (plain SPARQL default graph) whose store the runner swaps per test."""
    from server import create_app
    from server.store_access import EXTENSION_KEY

    app = create_app({"store_dir": tempfile.gettempdir(), "union_default_graph": False, "query_timeout": timeout,
                      "row_limit": 1_000_000, "max_request_bytes": 10_000_000, "TESTING": True})
    handle = FixedStoreHandle()
    app.extensions[EXTENSION_KEY] = handle
    return app.test_client(), handle


def _rdf_format(path: Path) -> ox.RdfFormat:
    return ox.RdfFormat.from_extension(path.suffix.lstrip("."))


def load_dataset(test: W3CTest, suite: Path):
    from kg.store import GraphStore

    store = GraphStore.in_memory()
    for path in test.data:
        store.ox.load(path=str(path), format=_rdf_format(path), base_iri=_iri(path, suite))
    for name, path in test.graph_data:
        store.ox.load(path=str(path), format=_rdf_format(path), base_iri=_iri(path, suite), to_graph=ox.NamedNode(name))
    return store


# ---------------------------------------------------------------------------------------------- comparison
Row = dict[str, Any]


def _compatible(e: Row, a: Row, fwd: dict, back: dict) -> list[tuple[Any, Any]] | None:
    """New bnode pairs making rows ``e`` and ``a`` equal under the mapping, or None when they cannot be."""
    if e.keys() != a.keys():
        return None
    new: list[tuple[Any, Any]] = []
    for var, et in e.items():
        at = a[var]
        if isinstance(et, BNode) and isinstance(at, BNode):
            mapped = fwd.get(et)
            if mapped is None:
                for x, y in new:
                    if x == et:
                        mapped = y
                if mapped is None:
                    if at in back or any(y == at for _, y in new):
                        return None
                    new.append((et, at))
                    continue
            if mapped != at:
                return None
        elif et != at:
            return None
    return new


XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "float", "double", "int", "long", "short", "byte",
                             "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
                             "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}


def canon(term: Any) -> Any:
    """The comparison key of a term: numeric literals by (datatype, value) so "1"^^xsd:decimal equals
    "1.0"^^xsd:decimal; everything else as the RDF term itself."""
    if isinstance(term, Literal) and term.datatype is not None and str(term.datatype) in NUMERIC:
        value = term.toPython()
        if not isinstance(value, Literal) and value == value:  # parsed, and not NaN
            return ("number", str(term.datatype), value)
    return term


def rows_equal(expected: list[Row], actual: list[Row], ordered: bool) -> bool:
    """Multiset (or sequence) equality of result rows, blank nodes up to a consistent bijective renaming."""
    if len(expected) != len(actual):
        return False
    expected = [{k: canon(v) for k, v in r.items()} for r in expected]
    actual = [{k: canon(v) for k, v in r.items()} for r in actual]
    if ordered:
        fwd: dict = {}
        back: dict = {}
        for e, a in zip(expected, actual, strict=True):
            new = _compatible(e, a, fwd, back)
            if new is None:
                return False
            for x, y in new:
                fwd[x], back[y] = y, x
        return True

    def ground(r: Row) -> bool:
        return not any(isinstance(v, BNode) for v in r.values())

    def key(r: Row) -> frozenset:
        return frozenset(r.items())

    exp_ground = Counter(key(r) for r in expected if ground(r))
    act_ground = Counter(key(r) for r in actual if ground(r))
    if exp_ground != act_ground:
        return False
    exp_rest = [r for r in expected if not ground(r)]
    act_rest = [r for r in actual if not ground(r)]
    used = [False] * len(act_rest)

    def search(i: int, fwd: dict, back: dict) -> bool:
        if i == len(exp_rest):
            return True
        for j, a in enumerate(act_rest):
            if used[j]:
                continue
            new = _compatible(exp_rest[i], a, fwd, back)
            if new is None:
                continue
            used[j] = True
            f2, b2 = dict(fwd), dict(back)
            for x, y in new:
                f2[x], b2[y] = y, x
            if search(i + 1, f2, b2):
                return True
            used[j] = False
        return False

    return search(0, {}, {})


def parse_results(data: bytes, fmt: str) -> tuple[list[str], list[Row]] | bool:
    """SPARQL results (xml/json/tsv) → (vars, rows) or the ASK boolean."""
    result = Result.parse(io.BytesIO(data), format=fmt)
    if result.type == "ASK":
        return bool(result.askAnswer)
    names = [str(v) for v in result.vars or []]
    rows = [{str(k): v for k, v in b.items() if v is not None} for b in result.bindings]
    return names, rows


def parse_rdf_result_set(path: Path, suite: Path) -> tuple[list[str], list[Row], bool] | bool:
    """A result set written in the DAWG rs: vocabulary (Turtle/RDF-XML) → (vars, rows, ordered) or boolean."""
    g = Graph().parse(path, publicID=_iri(path, suite))
    rs = next(g.subjects(RDF.type, RS.ResultSet))
    boolean = g.value(rs, RS.boolean)
    if boolean is not None:
        return bool(boolean.toPython())
    names = [str(v) for v in g.objects(rs, RS.resultVariable)]
    indexed = []
    for sol in g.objects(rs, RS.solution):
        row = {str(g.value(b, RS.variable)): g.value(b, RS.value) for b in g.objects(sol, RS.binding)}
        index = g.value(sol, RS.index)
        indexed.append((int(index) if index is not None else 0, row))
    ordered = any(i for i, _ in indexed)
    indexed.sort(key=lambda t: t[0])
    return names, [r for _, r in indexed], ordered


def _csv_rows(data: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data, newline="")))


def csv_equal(expected: str, actual: str) -> bool:
    """CSV results: same header, same rows as text (blank-node labels up to renaming), unordered."""
    exp, act = _csv_rows(expected), _csv_rows(actual)
    if not exp or not act or sorted(exp[0]) != sorted(act[0]):  # SELECT * leaves the column order open
        return False

    def as_rows(rows: list[list[str]], header: list[str]) -> list[Row]:
        return [{h: (BNode(v[2:]) if v.startswith("_:") else v) for h, v in zip(header, r, strict=True) if v != ""}
                for r in rows]

    return rows_equal(as_rows(exp[1:], exp[0]), as_rows(act[1:], act[0]), ordered=False)


# ---------------------------------------------------------------------------------------------- running
@dataclass
class Outcome:
    test: W3CTest
    passed: bool
    message: str = ""


def run_test(client, handle, test: W3CTest, suite: Path = SUITE) -> Outcome:
    query = test.query.read_text(encoding="utf-8")
    text = f"BASE <{_iri(test.query, suite)}>\n{query}"
    if test.kind in ("syntax+", "syntax-"):
        resp = client.post("/sparql", data=text.encode("utf-8"), content_type="application/sparql-query")
        want = 200 if test.kind == "syntax+" else 400
        ok = resp.status_code == want
        return Outcome(test, ok, "" if ok else f"status {resp.status_code}, wanted {want}: {resp.data[:200]!r}")
    handle.store = load_dataset(test, suite)
    result = test.result
    assert result is not None
    suffix = result.suffix
    ordered = bool(_ORDER_BY.search(query))
    rdf_expected = suffix in (".ttl", ".nt", ".rdf")
    is_result_set = rdf_expected and _is_rdf_result_set(result)
    if rdf_expected and not is_result_set:
        accept = "application/n-triples"
    elif is_result_set:
        accept = "application/sparql-results+json"
    else:
        accept = ACCEPT[suffix]
    resp = client.post("/sparql", data=text.encode("utf-8"), content_type="application/sparql-query",
                       headers={"Accept": accept})
    if resp.status_code != 200:
        return Outcome(test, False, f"HTTP {resp.status_code}: {resp.data[:300]!r}")
    if rdf_expected and not is_result_set:
        expected_graph = Graph().parse(result, publicID=_iri(result, suite))
        actual_graph = Graph().parse(data=resp.data, format="nt")
        ok = isomorphic(expected_graph, actual_graph)
        return Outcome(test, ok, "" if ok else f"graphs differ: expected {len(expected_graph)} triples, "
                                               f"got {len(actual_graph)}")
    if suffix == ".csv":
        ok = csv_equal(result.read_text(encoding="utf-8"), resp.data.decode("utf-8"))
        return Outcome(test, ok, "" if ok else f"CSV differs:\n{resp.data.decode()[:400]}")
    if is_result_set:
        parsed = parse_rdf_result_set(result, suite)
        expected = parsed if isinstance(parsed, bool) else parsed[:2]
        ordered = ordered or (not isinstance(parsed, bool) and parsed[2])
    else:
        expected = parse_results(result.read_bytes(), {".srx": "xml", ".srj": "json", ".tsv": "tsv"}[suffix])
    actual = parse_results(resp.data, {"application/sparql-results+json": "json",
                                       "application/sparql-results+xml": "xml",
                                       "text/tab-separated-values": "tsv"}[accept])
    if isinstance(expected, bool) or isinstance(actual, bool):
        ok = expected == actual
        return Outcome(test, ok, "" if ok else f"ASK: expected {expected}, got {actual}")
    ok = rows_equal(expected[1], actual[1], ordered)
    if ok and not is_result_set and set(expected[0]) != set(actual[0]):
        return Outcome(test, False, f"variables differ: expected {expected[0]}, got {actual[0]}")
    return Outcome(test, ok, "" if ok else _diff(expected[1], actual[1]))


def _is_rdf_result_set(path: Path) -> bool:
    head = path.read_text(encoding="utf-8", errors="replace")
    return "result-set#" in head and "ResultSet" in head


def _show(rows: list[Row]) -> str:
    return "\n".join("  " + ", ".join(f"{k}={v.n3() if hasattr(v, 'n3') else v}" for k, v in sorted(r.items()))
                     for r in rows[:8]) + ("\n  …" if len(rows) > 8 else "")


def _diff(expected: list[Row], actual: list[Row]) -> str:
    def keys(rows: list[Row]) -> Counter:
        return Counter(frozenset((k, canon(v)) for k, v in r.items()) for r in rows)

    exp, act = keys(expected), keys(actual)
    missing = [r for r in expected if keys([r]) - act]
    extra = [r for r in actual if keys([r]) - exp]
    return (f"expected {len(expected)} rows, got {len(actual)}; only expected:\n{_show(missing)}\n"
            f"only got:\n{_show(extra)}")


def run_suite(suite: Path = SUITE, categories: Iterable[str] = CATEGORIES) -> list[Outcome]:
    client, handle = make_client()
    outcomes = []
    for test in load_tests(suite, categories):
        if test.local_name in EXCLUDED_TESTS:
            continue
        try:
            outcomes.append(run_test(client, handle, test, suite))
        except Exception as exc:  # a harness problem on one test must not hide the others
            outcomes.append(Outcome(test, False, f"runner error: {type(exc).__name__}: {exc}"))
    return outcomes


def summarise(outcomes: list[Outcome]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for o in outcomes:
        row = table.setdefault(o.test.category, {"pass": 0, "fail": 0})
        row["pass" if o.passed else "fail"] += 1
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print every failure with its reason")
    parser.add_argument("--write-expected", action="store_true", help=f"record the pass counts in {EXPECTED_FILE}")
    parser.add_argument("--suite", type=Path, default=SUITE)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    start = time.perf_counter()
    outcomes = run_suite(args.suite)
    table = summarise(outcomes)
    print(f"{'category':<22}{'pass':>6}{'fail':>6}")
    for cat in CATEGORIES:
        row = table.get(cat, {"pass": 0, "fail": 0})
        print(f"{cat:<22}{row['pass']:>6}{row['fail']:>6}")
    passed = sum(o.passed for o in outcomes)
    print(f"{'total':<22}{passed:>6}{len(outcomes) - passed:>6}   ({time.perf_counter() - start:.1f} s)")
    print("excluded categories: " + ", ".join(sorted(EXCLUDED_CATEGORIES)))
    if args.verbose:
        for o in outcomes:
            if not o.passed:
                print(f"\nFAIL {o.test.category}/{o.test.local_name} ({o.test.name}) {o.test.query.name}\n{o.message}")
    if args.write_expected:
        record = {"total_pass": passed, "per_category": {c: table.get(c, {}).get("pass", 0) for c in CATEGORIES},
                  "failing": sorted(f"{o.test.category}/{o.test.local_name}" for o in outcomes if not o.passed)}
        EXPECTED_FILE.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {EXPECTED_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
