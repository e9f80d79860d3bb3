"""The layout holds: imports read from the source (lazy ones inside functions included) form no cycle, each stage
imports only the stages before it, the store knows nothing of the write path, and the server never reaches spaCy."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kg", "server", "ontology")

# What each stage may import (besides itself). The foundations (model, config, errors, namespace, ids, ontology)
# are importable by all; anything missing here is a new edge that must be thought about first.
FOUNDATIONS = {"model", "config", "errors", "namespace", "ids", "ontology"}
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "errors": set(),
    "config": {"errors"},
    "namespace": {"model"},
    "ids": {"model"},
    "ontology": set(),
    "ingest": FOUNDATIONS,
    "extract": FOUNDATIONS | {"ingest"},
    "mapping": FOUNDATIONS,
    "store": FOUNDATIONS,
    "build": FOUNDATIONS | {"ingest", "extract", "mapping", "store"},
    "evaluation": FOUNDATIONS | {"ingest", "extract", "mapping"},
    "remote": FOUNDATIONS | {"mapping", "store"},
    "viz": FOUNDATIONS | {"store"},
    "analytics": FOUNDATIONS | {"store", "viz"},
    "server": FOUNDATIONS | {"store", "viz", "analytics"},
    "cli": FOUNDATIONS | {"ingest", "extract", "mapping", "build", "store", "evaluation", "remote", "viz",
                          "analytics", "server"},
    "__main__": {"cli"},
}


@cache
def modules() -> dict[str, Path]:
    """Dotted module name → file, for every module of the runtime packages (the shipped NER model excluded)."""
    out = {}
    for pkg in PACKAGES:
        for f in (ROOT / pkg).rglob("*.py"):
            if "tagger_model" in f.parts:
                continue
            parts = list(f.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = f
    return out


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:`` (annotations only; never executed)."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return out


def imports_of(name: str) -> set[str]:
    """Modules ``name`` imports when it runs (lazy imports in functions included, ``TYPE_CHECKING`` blocks not);
    ``from pkg import sub`` counts as an import of ``pkg.sub``."""
    mods = modules()
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(mods[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                found.add(sub if sub in mods else node.module)
    return found


def stage(module: str) -> str:
    parts = module.split(".")
    if parts[0] in ("server", "ontology"):
        return parts[0]
    return parts[1] if len(parts) > 1 else "kg"


@cache
def graph() -> dict[str, set[str]]:
    mods = modules()
    return {m: {i for i in imports_of(m) if i in mods} for m in mods}


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``g`` as a closed path of module names, or None (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for n in sorted(g.get(m, ())):
            if state.get(n) == 1:
                return [*path[path.index(n):], n]
            if n not in state and (found := visit(n)):
                return found
        path.pop()
        state[m] = 2
        return None

    for m in sorted(g):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_architecture_no_import_cycle():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_architecture_cycle_finder_sees_a_lazy_back_edge():
    assert find_cycle({"kg.a": {"kg.b"}, "kg.b": {"kg.c"}, "kg.c": {"kg.a"}}) == ["kg.a", "kg.b", "kg.c", "kg.a"]
    assert find_cycle({"kg.a": {"kg.b"}, "kg.b": set()}) is None


def test_architecture_each_stage_imports_only_earlier_stages():
    bad = []
    for m, targets in graph().items():
        s = stage(m)
        for t in targets:
            ts = stage(t)
            if ts != s and ts != "kg" and ts not in ALLOWED.get(s, set()):
                bad.append(f"{m} -> {t}")
    assert not bad, "imports against the flow:\n" + "\n".join(sorted(bad))


def test_architecture_store_knows_nothing_of_the_write_path():
    reach = {t for m, ts in graph().items() if stage(m) == "store" for t in ts}
    assert not {stage(t) for t in reach} & {"ingest", "extract", "mapping", "build", "viz", "server"}


def test_architecture_server_never_reaches_spacy():
    """Everything the server imports, transitively, stays clear of spaCy and the extraction stage."""
    g = graph()
    seen: set[str] = set()
    todo = [m for m in g if stage(m) == "server"]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        assert not any(i.split(".")[0] in ("spacy", "thinc") for i in imports_of(m)), f"{m} imports spaCy"
        todo.extend(g[m])
    assert not {m for m in seen if stage(m) in ("extract", "build")}
