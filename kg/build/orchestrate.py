"""The one orchestrator: input files → ingest → extract → mapping → a new store generation, atomically published.

``build(inputs, settings)`` returns a ``BuildReport`` (ingest counts, entities per type, triples, per-stage
seconds). It streams: papers are read once into a spool file of batches (pass 1 counts acronym definitions), then
each batch is extracted, mapped and shape-checked — in this process, in ``n_process`` worker processes (all cores by
default) or on a Dask cluster (``kg.build.runners``) — and its N-Quads are appended to one file while this process
folds the batch's tallies into the entity table, the entity index and the statistics. The entities and statistics
graphs are written to the same file from those tallies, and the store is made by **one** Oxigraph bulk load of that
file: one sort per index instead of hundreds of overlapping loads that RocksDB must compact, so the cost per quad
stays flat as the corpus grows. Memory is bounded by the batches in flight plus the per-entity tallies, not by the
number of papers. On any failure — bad shapes, an exception, a kill — the new generation is discarded and the
previously served graph stays.
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from kg.build.batches import BatchResult
from kg.build.entities import EntityTable, entity_nquads
from kg.build.entity_index import EntityIndex
from kg.build.lock import write_lock
from kg.build.runners import curation_of, make_runner
from kg.build.spool import Spool, batched
from kg.config import Settings, load_settings, store_path
from kg.errors import InputError, ShapeViolation
from kg.extract.canonical import AcronymCounts, read_overrides, resolve_acronyms
from kg.extract.curation import curation_summary
from kg.ingest import IngestReport, bundled_corpus, read_papers
from kg.mapping.iris import entity_iri
from kg.mapping.ontology import ontology_quads
from kg.namespace import KG, TYPE_CLASS
from kg.store import new_generation_path, publish_generation, sidecar_path
from kg.store.nquads import nquads
from kg.store.oxigraph_store import load_pieces
from kg.store.stats import StatsCounts, stats_nquads

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
    paper_quads: int = 0  # in the papers' named graphs (the rest: ontology, entities, statistics)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each stage, in this process
    worker_seconds: dict[str, float] = field(default_factory=dict)  # summed over the extraction workers
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # CPU time of some stages in this process
    rss_mb: dict[str, float] = field(default_factory=dict)  # peak RSS of the processes a build starts besides workers
    store: str = ""
    curation: list[str] = field(default_factory=list)  # the curation file's matches and unmatched ids

    def summary(self) -> str:
        ents = ", ".join(f"{k} {v}" for k, v in sorted(self.entities_by_type.items()))
        roles = ", ".join(f"{k} {v}" for k, v in sorted(self.links_by_role.items()))
        secs = ", ".join(f"{k.strip()} {v:.1f}s" for k, v in self.seconds.items())
        work = ", ".join(f"{k} {v:.1f}s" for k, v in self.worker_seconds.items())
        lines = [
            f"papers: {self.ingest.summary()}",
            f"entities: {sum(self.entities_by_type.values())} ({ents})",
            f"links: {self.links} ({roles})",
            f"triples: {self.triples}",
            f"time: {secs}" + (f" (in the workers: {work})" if work else ""),
            f"store: {self.store}",
        ]
        lines += self.curation
        return "\n".join(lines)  # the skipped records: ``ingest.skip_lines()`` (the CLI prints them on stderr)


def check_publishable(papers: int, ingest: IngestReport, allow_empty: bool, strict: bool, what: str) -> None:
    """Refuse to publish (``InputError``, nothing replaced) a graph from inputs that gave no paper (unless
    ``allow_empty``), or from inputs with skipped records when ``strict``."""
    skips = "".join("\n" + line for line in ingest.skip_lines(20))
    if papers == 0 and not allow_empty:
        raise InputError(f"the inputs gave 0 papers ({ingest.summary()}); nothing was published and the served graph "
                         f"is unchanged. Check the inputs, or pass --allow-empty to {what} anyway{skips}")
    if strict and ingest.skipped:
        raise InputError(f"{ingest.skipped} input record(s) were skipped and --strict is on; nothing was published"
                         f"{skips}")


def build(inputs: Iterable[Path | str] | None = None, settings: Settings | None = None,
          progress: Progress | None = None, extractor: Any = None, *, allow_empty: bool = False,
          strict: bool = False) -> BuildReport:
    """Build a new graph generation from ``inputs`` (default: the bundled corpus) and publish it atomically.

    ``extractor``: an ``Extractor`` (or anything with ``extract(papers)``) to run in this process, or an
    ``ExtractorSpec`` to build one per worker; by default one is built from ``settings``. ``progress`` is called
    with the number of papers done after each batch; if it has a ``start(total)`` method, that is called first.
    """
    settings = settings or load_settings()
    paths: list[Path | str] = list(inputs) if inputs else list(bundled_corpus())
    root = store_path(settings)
    report = BuildReport(store=str(root))
    t0 = time.perf_counter()
    with write_lock(root):
        gen = new_generation_path(root)
        try:
            with tempfile.TemporaryDirectory(prefix=".build-", dir=root) as scratch:
                index = EntityIndex(sidecar_path(gen))
                stats = StatsCounts()
                with Pieces(Path(scratch)) as out:
                    out.write(nquads(ontology_quads()).encode())
                    table = extract_corpus(index, paths, settings, report, progress, extractor, stats, out,
                                           Path(scratch))
                    check_publishable(report.papers, report.ingest, allow_empty, strict, "publish an empty graph")
                    report.curation = curation_summary(curation_of(settings, extractor), index.curated_counts())
                    t = time.perf_counter()
                    for text in entity_nquads(table, settings.validate_shapes):
                        out.write(text.encode())
                    report.entities_by_type = table.counts_by_type()
                    # An entity's class in the statistics is the one type the corpus decided, not each paper's reading.
                    decided = {str(entity_iri(e)): str(TYPE_CLASS[t]) for e, t in table.types.items()}
                    stats.entity_class.update(decided)
                    index.set_classes(decided)
                    del table
                    report.seconds["entities"] = time.perf_counter() - t
                    t = time.perf_counter()
                    stats.proposed = index.proposed_per_year(str(KG.Method))
                    out.write("".join(stats_nquads(stats)).encode())
                    index.save_pairs(stats.pairs)  # every pair's tally, for updates (the graph has the frequent ones)
                    index.close()
                    del stats
                    report.seconds["stats"] = time.perf_counter() - t
                t = time.perf_counter()
                report.triples, report.cpu_seconds["load"], report.rss_mb["loader"] = load_generation(gen, out.paths)
                report.seconds["load"] = time.perf_counter() - t
            t = time.perf_counter()
            publish_generation(root, gen)
            report.seconds["publish"] = time.perf_counter() - t
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            sidecar_path(gen).unlink(missing_ok=True)
            raise
    report.seconds["total"] = time.perf_counter() - t0
    return report


# The generation's N-Quads are spooled in pieces of about this many quads: below the 1M quads Oxigraph's bulk loader
# sorts at a time, so each piece is one sort of each index, and LOAD_THREADS pieces load at once (the loader
# releases the GIL; two concurrent loads use both cores of a 2-core machine, and each holds ~0.7 GB while it sorts).
PIECE_QUADS = 750_000
LOAD_THREADS = 2


class Pieces:
    """N-Quads text written to numbered piece files of about ``PIECE_QUADS`` quads (whole writes stay together)."""

    def __init__(self, folder: Path, piece_quads: int | None = None) -> None:
        self.folder, self.piece_quads = folder, piece_quads or PIECE_QUADS
        self.paths: list[Path] = []
        self._fh: BinaryIO | None = None
        self._quads = 0

    def write(self, data: bytes) -> None:
        if self._fh is None or self._quads >= self.piece_quads:
            self._next()
        assert self._fh is not None
        self._fh.write(data)
        self._quads += data.count(b"\n")

    def _next(self) -> None:
        if self._fh is not None:
            self._fh.close()
        self.paths.append(self.folder / f"graph-{len(self.paths):04d}.nq")
        self._fh = self.paths[-1].open("wb")
        self._quads = 0

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> Pieces:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def load_generation(gen: Path, pieces: list[Path], threads: int = LOAD_THREADS) -> tuple[int, float, float]:
    """A new Oxigraph store at ``gen`` made by bulk-loading the N-Quads pieces (``threads`` at a time) — the only
    load of a build — in a process of its own (the loader's memory, ~0.7 GB per piece being sorted, is then not
    stacked on this process's tallies, and is returned to the system when it ends). Returns the store's quad count,
    the loader's CPU seconds and its peak RSS in MB."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(load_pieces, (str(gen), [str(p) for p in pieces], threads))


def extract_corpus(index: EntityIndex, inputs: list[Path | str], settings: Settings, report: BuildReport,
                   progress: Progress | None, extractor: Any, stats: StatsCounts, out: Pieces,
                   scratch: Path) -> EntityTable:
    """Pass 1 (read, spool, count acronyms) and pass 2 (extract, map, check: N-Quads to ``out``) — the streaming
    heart of a build. The batches' statistics tallies are merged into ``stats``, their contributions into the
    returned entity table and the entity index."""
    table = EntityTable()
    roles: Counter[str] = Counter()
    task = max(1, settings.task_size)
    t = time.perf_counter()
    runner, overrides = make_runner(settings, extractor, scratch)
    report.seconds["start workers"] = time.perf_counter() - t
    try:
        t = time.perf_counter()
        spool = Spool(scratch / "papers.spool")
        batches = spool.write(batched(read_papers(inputs, report.ingest), task))
        counts = AcronymCounts()
        if overrides is None:
            for _ in batches:
                pass
            acronyms = None
        else:
            for c in runner.counts(batches):
                counts.merge(c)
            acronyms = resolve_acronyms(counts, read_overrides(overrides))
            index.save_acronyms(counts)
        del counts
        report.seconds["read"] = time.perf_counter() - t
        t = time.perf_counter()
        start = getattr(progress, "start", None)
        if start is not None:
            start(report.ingest.kept)
        res: BatchResult
        main_work = 0.0  # of which this process was busy (the rest: waiting for extraction)
        for res in runner.extract(spool.read(), acronyms, settings.validate_shapes):
            if res.violations:
                raise ShapeViolation("\n".join(res.violations))
            tl = time.perf_counter()
            out.write(res.nquads)
            table.add_contributions(res.contributions)
            index.add(res.papers, res.contributions, replace=False)  # a build's papers are distinct and new
            index.add_curated(res.curated)
            index.add_proposals(res.stats.proposals)
            res.stats.proposals = []
            stats.merge(res.stats)
            main_work += time.perf_counter() - tl
            report.papers += len(res.papers)
            report.links += res.links
            report.paper_quads += res.quads
            roles.update(res.roles)
            for stage, secs in res.seconds.items():
                report.worker_seconds[stage] = report.worker_seconds.get(stage, 0.0) + secs
            if progress:
                progress(len(res.papers))
        index.commit()
        report.seconds["extract"] = time.perf_counter() - t
        report.seconds["  of which tallies"] = main_work
    except BaseException:
        runner.close(abort=True)
        raise
    runner.close()
    report.links_by_role = dict(sorted(roles.items()))
    return table
