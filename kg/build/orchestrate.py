"""The one orchestrator: input files → ingest → extract → mapping → a new store generation, atomically published.

``build(inputs, settings)`` returns a ``BuildReport`` (ingest counts, entities per type, triples, per-stage
seconds). It streams: papers are read once into a spool file of batches (pass 1 counts acronym definitions),
then each batch is extracted — in this process, in ``n_process`` worker processes or on a Dask cluster
(``kg.build.runners``) — and bulk-loaded as N-Quads, in input order. Memory is bounded by the batches in flight plus
the per-entity table, not by the number of papers. On any failure — bad shapes, an exception, a kill — the new
generation is discarded and the previously served graph stays.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.build.batches import BatchResult
from kg.build.entities import EntityTable, write_entities
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
from kg.namespace import TYPE_CLASS
from kg.store import GraphStore, new_generation_path, publish_generation, sidecar_path
from kg.store.stats import StatsCounts, write_stats

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
    curation: list[str] = field(default_factory=list)  # the curation file's matches and unmatched ids

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
            store = GraphStore(ox.Store(str(gen)), gen, read_only=False)
            index = EntityIndex(sidecar_path(gen))
            store.add_quads(ontology_quads())
            stats = StatsCounts()
            table = load_corpus(store, index, paths, settings, report, progress, extractor, stats)
            check_publishable(report.papers, report.ingest, allow_empty, strict, "publish an empty graph")
            report.curation = curation_summary(curation_of(settings, extractor), index.curated_counts())
            t = time.perf_counter()
            write_entities(store, table, settings.validate_shapes)
            report.entities_by_type = table.counts_by_type()
            # An entity's class in the statistics is the one type the corpus decided, not each paper's reading.
            stats.entity_class.update({str(entity_iri(e)): str(TYPE_CLASS[t]) for e, t in table.types.items()})
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
            sidecar_path(gen).unlink(missing_ok=True)
            raise
    report.seconds["total"] = time.perf_counter() - t0
    return report


def load_corpus(store: GraphStore, index: EntityIndex, inputs: list[Path | str], settings: Settings,
                report: BuildReport, progress: Progress | None, extractor: Any = None,
                stats: StatsCounts | None = None) -> EntityTable:
    """Pass 1 (read, spool, count acronyms) and pass 2 (extract, bulk-load) — the streaming heart of a build.
    The batches' statistics tallies are merged into ``stats``."""
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
                acronyms = resolve_acronyms(counts, read_overrides(overrides))
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
                index.add_curated(res.curated)
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
