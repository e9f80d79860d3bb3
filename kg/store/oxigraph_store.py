"""The embedded on-disk store (Oxigraph): generations, atomic replacement, queries and export.

Layout of a store directory::

    <store_dir>/generations/<stamp>/   one complete Oxigraph database per build
    <store_dir>/current                symlink to the generation being served

A build writes a new generation and only then swaps ``current`` with an atomic
rename, so a build that fails or is killed leaves the previous graph intact and
served. Readers (the server) open generations read-only and notice a swap.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from kg.errors import QueryError, StoreError
from kg.namespace import KG, RESOURCE_BASE, SCHEMA
from kg.store.queries import load_query
from kg.store.terms import from_ox, to_ox

CURRENT = "current"
GENERATIONS = "generations"
SIDECARS = "indexes"  # one file per generation that the write path keeps beside it (its entity index)
KEEP_GENERATIONS = 2  # the served one and its predecessor (a running server may still read it)

Quad = tuple[Node, Node, Node, Node | None]

EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

PREFIXES = {
    "kg": str(KG._NS),
    "res": RESOURCE_BASE,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "xsd": str(XSD),
    "schema": str(SCHEMA),
    "owl": str(OWL),
}


def current_path(root: Path) -> Path | None:
    """Resolved directory of the served generation, or None when nothing was built yet."""
    link = root / CURRENT
    if not link.is_symlink() and not link.is_dir():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def new_generation_path(root: Path) -> Path:
    """A fresh, unique directory name for the next generation (not yet created)."""
    gens = root / GENERATIONS
    gens.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    return gens / f"{stamp}-{os.getpid()}-{time.monotonic_ns() % 10**9}"


def sidecar_path(generation: Path) -> Path:
    """The file kept beside the generation directory ``<store>/generations/<name>``: ``<store>/indexes/<name>.sqlite``
    (outside the Oxigraph directory, so nothing but Oxigraph writes there); pruned with its generation."""
    folder = generation.parent.parent / SIDECARS
    folder.mkdir(parents=True, exist_ok=True)
    return folder / (generation.name + ".sqlite")


def publish_generation(root: Path, generation: Path) -> None:
    """Atomically point ``current`` at ``generation`` and prune old generations."""
    tmp = root / f".{CURRENT}.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(generation, root), tmp)
    os.replace(tmp, root / CURRENT)
    prune_generations(root)


def prune_generations(root: Path, keep: int = KEEP_GENERATIONS) -> None:
    """Delete all but the newest ``keep`` generations, never the current one; also leftovers of dead builds."""
    gens = root / GENERATIONS
    if not gens.is_dir():
        return
    current = current_path(root)
    ordered = sorted((p for p in gens.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    # Generations newer than the current one belong to builds in progress (or killed ones): keep the in-progress
    # one only if it is very recent.
    kept = 0
    for p in ordered:
        if current is not None and p.resolve() == current:
            kept += 1
            continue
        if current is not None and p.stat().st_mtime > current.stat().st_mtime and time.time() - p.stat().st_mtime < 3600:
            continue
        if kept < keep and current is not None and p.stat().st_mtime <= current.stat().st_mtime:
            kept += 1
            continue
        shutil.rmtree(p, ignore_errors=True)
    # Scratch directories of builds/updates that were killed (kg.build spools papers there).
    for scratch in list(root.glob(".build-*")) + list(root.glob(".add-*")):
        if scratch.is_dir() and time.time() - scratch.stat().st_mtime > 3600:
            shutil.rmtree(scratch, ignore_errors=True)
    # Sidecar files of generations that are gone.
    indexes = root / SIDECARS
    if indexes.is_dir():
        for f in indexes.glob("*.sqlite"):
            if not (gens / f.stem).is_dir():
                f.unlink(missing_ok=True)


def _bind(bindings: Mapping[str, Node] | None) -> dict[ox.Variable, Any] | None:
    if not bindings:
        return None
    return {ox.Variable(k): to_ox(v if isinstance(v, Node) else Literal(v)) for k, v in bindings.items()}


class GraphStore:
    """A thin wrapper over one Oxigraph database; queries see the union of all graphs by default."""

    def __init__(self, store: ox.Store, path: Path | None = None, read_only: bool = True) -> None:
        self.ox = store
        self.path = path
        self.read_only = read_only

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(cls, root: Path | str, read_only: bool = True) -> GraphStore:
        """Open the served generation under ``root``; ``StoreError`` when there is none."""
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise StoreError(f"{root} is a file, not a store directory (setting store_dir / KG_STORE_DIR)")
        path = current_path(root)
        if path is None:
            raise StoreError(f"no graph at {root}: run `kg build --store {root}` first")
        try:
            store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc
        return cls(store, path, read_only)

    @classmethod
    def in_memory(cls) -> GraphStore:
        return cls(ox.Store(), None, read_only=False)

    # ---------------------------------------------------------------- writing
    def add_quads(self, quads: Iterable[Quad], bulk: bool = True) -> int:
        """Add rdflib (s, p, o, graph-or-None) quads; returns how many were given."""
        n = 0

        def convert() -> Iterable[ox.Quad]:
            nonlocal n
            for s, p, o, g in quads:
                n += 1
                subject, predicate, graph = to_ox(s), to_ox(p), None if g is None else to_ox(g)
                if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode) \
                        or isinstance(graph, ox.Literal):
                    raise TypeError(f"not an RDF quad: {(s, p, o, g)!r}")
                yield ox.Quad(subject, predicate, to_ox(o), ox.DefaultGraph() if graph is None else graph)

        (self.ox.bulk_extend if bulk else self.ox.extend)(convert())
        return n

    def load_nquads(self, data: bytes) -> None:
        """Bulk-load N-Quads text (what extraction workers produce); the store must be writable."""
        if data:
            self.ox.bulk_load(data, format=ox.RdfFormat.N_QUADS)

    def load_file(self, path: Path, graph: URIRef | None = None) -> None:
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
        if fmt is None:
            raise StoreError(f"{path}: unknown RDF file extension {path.suffix!r}")
        to_graph = ox.NamedNode(str(graph)) if graph is not None else None
        if to_graph is not None and not fmt.supports_datasets:
            self.ox.bulk_load(path=str(path), format=fmt, to_graph=to_graph)
        else:
            self.ox.bulk_load(path=str(path), format=fmt)

    def flush(self) -> None:
        self.ox.flush()

    # ---------------------------------------------------------------- reading
    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None, union: bool = True, **kw: Any) -> Any:
        """Run SPARQL, returning Oxigraph's result object; parse errors become ``QueryError``."""
        try:
            return self.ox.query(sparql, use_default_graph_as_union=union, substitutions=_bind(bindings), **kw)
        except SyntaxError as exc:
            raise QueryError(str(exc)) from exc

    def select(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> list[dict[str, Node | None]]:
        """SELECT → list of rows {variable: rdflib term or None}."""
        res = self.query(sparql, bindings)
        names = [v.value for v in res.variables]
        return [{n: from_ox(sol[n]) for n in names} for sol in res]

    def named(self, name: str, **bindings: Node | str | int) -> list[dict[str, Node | None]]:
        """Run the named ``.rq`` query with bound parameters (plain values become literals); rows as in ``select``."""
        return self.select(load_query(name), {k: v if isinstance(v, Node) else Literal(v) for k, v in bindings.items()})

    def triple_count(self) -> int:
        return len(self.ox)

    def export(self, fmt: str, out: IO[bytes]) -> None:
        """Write the graph: quad formats keep named graphs; triple formats write the union of all graphs.

        N-Quads and N-Triples lines are sorted (and deduplicated) so the same graph gives the same bytes; they are
        sorted in bounded memory (runs of ``SORT_RUN_LINES`` lines merged from temp files), so a 75k-paper graph
        exports without holding it in memory.
        """
        if fmt not in EXPORT_FORMATS:
            raise StoreError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
        rdf_format = EXPORT_FORMATS[fmt]
        if fmt in ("nquads", "nt"):
            import tempfile

            with tempfile.TemporaryDirectory(prefix="kg-export-") as tmp:
                raw = Path(tmp) / "unsorted"
                if fmt == "nquads":
                    self.ox.dump(str(raw), format=rdf_format)
                else:
                    ox.serialize(self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"), str(raw), format=rdf_format)
                sort_lines(raw, out, Path(tmp))
            return
        if rdf_format.supports_datasets:
            data = self.ox.dump(format=rdf_format)
        else:
            triples = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
            data = ox.serialize(triples, format=rdf_format, prefixes=PREFIXES if fmt != "nt" else None)
        out.write(data or b"")


SORT_RUN_LINES = 500_000


def sort_lines(src: Path, out: IO[bytes], tmp: Path, run_lines: int = SORT_RUN_LINES) -> None:
    """Write the distinct lines of ``src`` to ``out`` in byte order, each ending in a newline (external merge sort)."""
    import heapq
    from itertools import islice

    runs: list[Path] = []
    with open(src, "rb") as fh:
        while chunk := list(islice(fh, run_lines)):
            chunk = sorted({ln if ln.endswith(b"\n") else ln + b"\n" for ln in chunk if ln.strip()})
            run = tmp / f"run{len(runs)}"
            run.write_bytes(b"".join(chunk))
            runs.append(run)
    files = [open(r, "rb") for r in runs]  # noqa: SIM115  (closed below)
    try:
        last = None
        for line in heapq.merge(*files):
            if line != last:
                out.write(line)
                last = line
    finally:
        for f in files:
            f.close()


def _bulk_load(store: ox.Store, path: str) -> None:
    store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)


def load_pieces(generation: str, pieces: list[str], threads: int) -> tuple[int, float, float]:
    """Make the Oxigraph store at ``generation`` by bulk-loading the N-Quads ``pieces``, ``threads`` at a time (the
    loader releases the GIL). Returns (quads in the store, CPU seconds, peak RSS in MB) of this process — a build
    runs it in a process of its own, so the loader's memory is not stacked on the build's tallies."""
    import functools
    import resource
    from concurrent.futures import ThreadPoolExecutor

    store = ox.Store(generation)
    load = functools.partial(_bulk_load, store)
    with ThreadPoolExecutor(max_workers=max(1, min(threads, len(pieces)))) as pool:
        for _ in pool.map(load, pieces):
            pass
    store.flush()
    n = len(store)
    del store  # closed before the process reports back
    r = resource.getrusage(resource.RUSAGE_SELF)
    return n, r.ru_utime + r.ru_stime, r.ru_maxrss / 1024


def term_value(term: Node | None) -> Any:
    """rdflib term → plain Python value (IRIs as str, literals via toPython())."""
    if term is None:
        return None
    if isinstance(term, Literal):
        return term.toPython()
    return str(term)
