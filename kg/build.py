"""The one orchestrator: input files → ingest → extract → mapping → a new store generation, atomically published.

``build(inputs, settings)`` returns a ``BuildReport`` (ingest counts, entities per type, triples, per-stage
seconds). It streams: papers are read once into a spool file of batches (pass 1 counts acronym definitions),
then each batch is extracted — in this process, in ``n_process`` worker processes or on a Dask cluster
(``kg.parallel``) — and bulk-loaded as N-Quads, in input order. Memory is bounded by the batches in flight plus
the per-entity table, not by the number of papers. On any failure — bad shapes, an exception, a kill — the new
generation is discarded and the previously served graph stays.
"""

from __future__ import annotations

import fcntl
import pickle
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from kg.config import Settings, load_settings, store_path
from kg.errors import ShapeViolation
from kg.ingest import IngestReport, bundled_corpus, read_papers
from kg.mapping.iris import ENTITIES_GRAPH, ONTOLOGY_GRAPH
from kg.mapping.triples import entity_triples
from kg.model import Entity, Paper, PaperExtraction
from kg.parallel import AcronymCounts, BatchResult, ExtractorSpec, InlineRunner, PoolRunner, Runner, resolve
from kg.store import GraphStore, new_generation_path, publish_generation
from kg.store.entity_index import Contribution, EntityIndex, index_path
from kg.store.nquads import nquads
from kg.store.stats import StatsCounts, write_stats
from kg.store.validate import check_triples
from ontology import ONTOLOGY_TTL

Progress = Callable[[int], None]


@dataclass
class BuildReport:
    """What a build did; ``summary()`` is what ``kg build`` prints."""

    ingest: IngestReport = field(default_factory=IngestReport)
    papers: int = 0
    links: int = 0
    entities_by_type: dict[str, int] = field(default_factory=dict)
    links_by_role: dict[str, int] = field(default_factory=dict)
    triples: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    store: str = ""

    def summary(self) -> str:
        ents = ", ".join(f"{k} {v}" for k, v in sorted(self.entities_by_type.items()))
        roles = ", ".join(f"{k} {v}" for k, v in sorted(self.links_by_role.items()))
        secs = ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items())
        lines = [
            f"papers: {self.ingest.summary()}",
            f"entities: {sum(self.entities_by_type.values())} ({ents})",
            f"links: {self.links} ({roles})",
            f"triples: {self.triples}",
            f"time: {secs}",
            f"store: {self.store}",
        ]
        lines += [f"skipped: {p}" for p in self.ingest.problems[:50]]
        if self.ingest.skipped > 50:
            lines.append(f"skipped: … and {self.ingest.skipped - 50} more")
        return "\n".join(lines)


class EntityTable:
    """Corpus-wide canonical entities: one label per id (vocabulary label, else the most frequent surface label),
    the union of aliases, architectures and merge reasons."""

    def __init__(self) -> None:
        self.types: dict[str, str] = {}
        self.labels: dict[str, Counter[str]] = defaultdict(Counter)
        self.aliases: dict[str, set[str]] = defaultdict(set)
        self.archs: dict[str, set[str]] = defaultdict(set)
        self.reasons: dict[str, set[str]] = defaultdict(set)
        self.papers: Counter[str] = Counter()

    def add(self, ex: PaperExtraction) -> None:
        from kg.parallel import contributions

        self.add_contributions(contributions(ex))

    def add_contributions(self, contributions: Iterable[Contribution]) -> None:
        """Fold in what papers said about entities (``kg.parallel.contributions``; also read back from the index)."""
        for c in contributions:
            self.types[c.entity] = c.type
            self.labels[c.entity][c.label] += 1
            self.aliases[c.entity].update(c.aliases)
            self.archs[c.entity].update(c.architectures)
            self.reasons[c.entity].update(c.reasons)
            self.papers[c.entity] += 1

    def entities(self) -> Iterator[Entity]:
        for eid in sorted(self.types):
            label = sorted(self.labels[eid].items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0][0]
            yield Entity(eid, self.types[eid], label, tuple(sorted(self.aliases[eid] - {label})),  # type: ignore[arg-type]
                         tuple(sorted(self.archs[eid])), tuple(sorted(self.reasons[eid])))

    def counts_by_type(self) -> dict[str, int]:
        return dict(sorted(Counter(self.types.values()).items()))


def _ontology_quads() -> Iterator[tuple]:
    g = Graph().parse(ONTOLOGY_TTL, format="turtle")
    for s, p, o in g:
        yield s, p, o, ONTOLOGY_GRAPH


def write_entities(store: GraphStore, table: EntityTable, validate: bool = False, chunk: int = 20_000) -> None:
    """The shared entities graph (the materialised statistics come from ``write_stats`` afterwards); with
    ``validate``, checked against the shapes (with the ontology) before it is written.

    Written ``chunk`` entities at a time, so memory holds one chunk of triples rather than the whole graph (an
    entity's constraints only involve its own triples and the ontology, which every chunk is checked with).
    """
    ontology = [(s, p, o) for s, p, o, _ in _ontology_quads()] if validate else []
    entities = iter(table.entities())
    while batch := [t for e in islice(entities, chunk) for t in entity_triples(e)]:
        if validate:
            check_triples(batch + ontology)
        store.load_nquads(nquads((s, p, o, ENTITIES_GRAPH) for s, p, o in batch).encode())


@contextmanager
def write_lock(root: Path) -> Iterator[None]:
    """One writer at a time per store (build, add, remove): an exclusive ``flock`` on ``<root>/.lock``."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class Spool:
    """Batches of papers pickled one after another into a scratch file: input is parsed once, read twice."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.batches = 0

    def write(self, batches: Iterable[list[Paper]]) -> Iterator[list[Paper]]:
        """Write each batch through to the file while passing it on."""
        with open(self.path, "wb") as fh:
            for batch in batches:
                pickle.dump(batch, fh, protocol=pickle.HIGHEST_PROTOCOL)
                self.batches += 1
                yield batch

    def read(self) -> Iterator[list[Paper]]:
        with open(self.path, "rb") as fh:
            for _ in range(self.batches):
                yield pickle.load(fh)


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def make_runner(settings: Settings, extractor: Any, scratch: Path) -> tuple[Runner, Path | None]:
    """Where extraction runs: the given extractor in-process; else Dask, a process pool, or in-process.

    Returns the runner and the acronym override file to use (None: no acronym pass, e.g. a test stub).
    """
    spec = ExtractorSpec(settings)
    if extractor is not None:
        if isinstance(extractor, ExtractorSpec):
            spec, extractor = extractor, None
        else:
            overrides = getattr(extractor, "overrides_path", None)
            return InlineRunner(extractor), overrides if hasattr(extractor, "learn_acronyms") else None
    if settings.dask:
        from kg.dask_build import DaskRunner

        return DaskRunner(spec, settings.dask, settings.n_process), spec.overrides_path()
    if settings.n_process > 1:
        return PoolRunner(spec, settings.n_process, scratch), spec.overrides_path()
    return InlineRunner(spec.make()), spec.overrides_path()


def build(inputs: Iterable[Path | str] | None = None, settings: Settings | None = None,
          progress: Progress | None = None, extractor: Any = None) -> BuildReport:
    """Build a new graph generation from ``inputs`` (default: the bundled corpus) and publish it atomically.

    ``extractor``: an ``Extractor`` (or anything with ``extract(papers)``) to run in this process, or an
    ``ExtractorSpec`` to build one per worker; by default one is built from ``settings``. ``progress`` is called
    with the number of papers done after each batch; if it has a ``start(total)`` method, that is called first.
    """
    settings = settings or load_settings()
    inputs = list(inputs) if inputs else bundled_corpus()
    root = store_path(settings)
    report = BuildReport(store=str(root))
    t0 = time.perf_counter()
    with write_lock(root):
        gen = new_generation_path(root)
        try:
            store = GraphStore(ox.Store(str(gen)), gen, read_only=False)
            index = EntityIndex(index_path(gen))
            store.add_quads(_ontology_quads())
            stats = StatsCounts()
            table = load_corpus(store, index, inputs, settings, report, progress, extractor, stats)
            t = time.perf_counter()
            write_entities(store, table, settings.validate_shapes)
            report.entities_by_type = table.counts_by_type()
            del table
            index.close()
            report.seconds["entities"] = time.perf_counter() - t
            t = time.perf_counter()
            write_stats(store, stats)  # the batches' tallies: no pass over the loaded quads
            report.seconds["stats"] = time.perf_counter() - t
            report.triples = store.triple_count()
            t = time.perf_counter()
            store.flush()
            del store
            publish_generation(root, gen)
            report.seconds["publish"] = time.perf_counter() - t
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            index_path(gen).unlink(missing_ok=True)
            raise
    report.seconds["total"] = time.perf_counter() - t0
    return report


def load_corpus(store: GraphStore, index: EntityIndex, inputs: list[Path | str], settings: Settings,
                report: BuildReport, progress: Progress | None, extractor: Any = None,
                stats: StatsCounts | None = None) -> EntityTable:
    """Pass 1 (read, spool, count acronyms) and pass 2 (extract, bulk-load) — the streaming heart of a build.
    The batches' statistics tallies are merged into ``stats``."""
    from kg.extract.canonical import read_overrides

    table = EntityTable()
    roles: Counter[str] = Counter()
    task = max(1, settings.task_size)
    with tempfile.TemporaryDirectory(prefix=".build-", dir=store_path(settings)) as scratch:
        t = time.perf_counter()
        runner, overrides = make_runner(settings, extractor, Path(scratch))
        report.seconds["start workers"] = time.perf_counter() - t
        try:
            t = time.perf_counter()
            spool = Spool(Path(scratch) / "papers.spool")
            batches = spool.write(batched(read_papers(inputs, report.ingest), task))
            counts = AcronymCounts()
            if overrides is None:
                for _ in batches:
                    pass
                acronyms = None
            else:
                for c in runner.counts(batches):
                    counts.merge(c)
                acronyms = resolve(counts, read_overrides(overrides))
                index.save_acronyms(counts)
            del counts
            report.seconds["read+acronyms"] = time.perf_counter() - t
            t = time.perf_counter()
            start = getattr(progress, "start", None)
            if start is not None:
                start(report.ingest.kept)
            res: BatchResult
            main_work = 0.0  # of which this process was busy loading (the rest: waiting for extraction)
            pending: list[bytes] = []  # N-Quads not yet loaded (up to settings.load_bytes)
            pending_bytes = 0
            for res in runner.extract(spool.read(), acronyms, settings.validate_shapes):
                if res.violations:
                    raise ShapeViolation("\n".join(res.violations))
                tl = time.perf_counter()
                pending.append(res.nquads)
                pending_bytes += len(res.nquads)
                if pending_bytes >= settings.load_bytes:
                    store.load_nquads(b"".join(pending))
                    pending, pending_bytes = [], 0
                table.add_contributions(res.contributions)
                index.add(res.papers, res.contributions, replace=False)  # a build's papers are distinct and new
                if stats is not None:
                    stats.merge(res.stats)
                main_work += time.perf_counter() - tl
                report.papers += len(res.papers)
                report.links += res.links
                roles.update(res.roles)
                if progress:
                    progress(len(res.papers))
            if pending:
                tl = time.perf_counter()
                store.load_nquads(b"".join(pending))
                main_work += time.perf_counter() - tl
            index.commit()
            report.seconds["extract+load"] = time.perf_counter() - t
            report.seconds["  of which load"] = main_work
        except BaseException:
            runner.close(abort=True)
            raise
        runner.close()
    report.links_by_role = dict(sorted(roles.items()))
    return table


def store_to_rdflib(store: GraphStore) -> Graph:
    """The whole store as one rdflib graph — for small graphs only (tests, pySHACL reports)."""
    data = ox.serialize(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"), format=ox.RdfFormat.N_TRIPLES)
    return Graph().parse(data=data, format="nt")


class ProgressBar:
    """A ``progress`` callback drawing a tqdm bar (rate and ETA) on stderr once the paper count is known."""

    def __init__(self, desc: str = "extract") -> None:
        self.desc = desc
        self.bar: Any = None

    def start(self, total: int) -> None:
        import sys

        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="paper", desc=self.desc, file=sys.stderr, smoothing=0.1, dynamic_ncols=True)

    def __call__(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
