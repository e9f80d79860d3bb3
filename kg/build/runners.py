"""Where extraction runs: batches of papers → results, in input order, with a bounded number in flight.

The write path runs two passes over the same spooled batches: ``count_acronyms`` (corpus-wide acronym definitions,
merged and resolved before any paper is linked) and ``extract_batch`` (``kg.build.batches``). A ``Runner`` runs both
somewhere: ``InlineRunner`` (this process), ``PoolRunner`` (a ``multiprocessing`` pool of spawned processes, each
holding its own ``Extractor`` — spaCy's ``nlp.pipe(n_process=…)`` cannot carry our Python-object ``Doc`` extensions
across processes) or ``kg.build.dask_runner.DaskRunner``. Every runner yields results in submission order, so the
output is deterministic and memory does not grow with the corpus.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kg.build.batches import BatchResult, extract_batch
from kg.build.workers import ExtractorSpec, Runner, ordered_window, use_acronyms
from kg.config import Settings, worker_count
from kg.extract.canonical import AcronymCounts, AcronymTable, count_acronyms
from kg.extract.curation import Curation, curation_for
from kg.model import Paper


class InlineRunner:
    """Everything in this process, with one extractor (the default, and what tests pass their extractor to)."""

    workers = 1

    def __init__(self, extractor: Any) -> None:
        self.extractor = extractor

    def counts(self, batches: Iterable[list[Paper]]) -> Iterator[AcronymCounts]:
        return map(count_acronyms, batches)

    def extract(self, batches: Iterable[list[Paper]], acronyms: AcronymTable | None, validate: bool = False
                ) -> Iterator[BatchResult]:
        if acronyms is not None:
            use_acronyms(self.extractor, acronyms)
        for batch in batches:
            yield extract_batch(self.extractor, batch, validate)

    def close(self, abort: bool = False) -> None:
        pass


# Per-process state of a pool worker: its extractor and the acronym table it was last given.
_WORKER: dict[str, Any] = {}


def _pool_init(spec: ExtractorSpec, eager: bool = False) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    _WORKER["spec"] = spec
    _WORKER["extractor"] = spec.make() if eager else None
    _WORKER["acronyms_path"] = None


def _pool_extract(papers: list[Paper], acronyms_path: str, validate: bool) -> BatchResult:
    if _WORKER["extractor"] is None:
        _WORKER["extractor"] = _WORKER["spec"].make()
    if acronyms_path and _WORKER["acronyms_path"] != acronyms_path:
        with open(acronyms_path, "rb") as fh:
            use_acronyms(_WORKER["extractor"], pickle.load(fh))
        _WORKER["acronyms_path"] = acronyms_path
    return extract_batch(_WORKER["extractor"], papers, validate)


class PoolRunner:
    """``workers`` spawned processes (spawn: no fork of a threaded parent), each building its own extractor."""

    def __init__(self, spec: ExtractorSpec, workers: int, scratch: Path, eager: bool = False) -> None:
        self.workers = workers
        self.scratch = scratch
        ctx = multiprocessing.get_context("spawn")
        # eager: each process builds its pipeline as soon as it starts, while the caller does other work
        self.pool = ctx.Pool(workers, initializer=_pool_init, initargs=(spec, eager))

    def counts(self, batches: Iterable[list[Paper]]) -> Iterator[AcronymCounts]:
        return ordered_window(lambda b: self.pool.apply_async(count_acronyms, (b,)), lambda r: r.get(), batches,
                              2 * self.workers)

    def extract(self, batches: Iterable[list[Paper]], acronyms: AcronymTable | None, validate: bool = False
                ) -> Iterator[BatchResult]:
        # The table goes to the workers once, as a file each reads when it first sees a new path.
        path = ""
        if acronyms is not None:
            path = str(self.scratch / f"acronyms-{id(acronyms)}.pickle")
            with open(path, "wb") as fh:
                pickle.dump(acronyms, fh, protocol=pickle.HIGHEST_PROTOCOL)
        return ordered_window(lambda b: self.pool.apply_async(_pool_extract, (b, path, validate)),
                              lambda r: r.get(), batches, 2 * self.workers)

    def close(self, abort: bool = False) -> None:
        if abort:
            self.pool.terminate()
        else:
            self.pool.close()
        self.pool.join()


def make_runner(settings: Settings, extractor: Any, scratch: Path, background: bool = False
                ) -> tuple[Runner, Path | None]:
    """Where extraction runs: the given extractor in-process; else Dask, a process pool, or in-process.

    ``extractor``: an ``Extractor`` (or anything with ``extract(papers)``), an ``ExtractorSpec``, or None (build one
    from ``settings``). ``background``: even one worker runs in its own process, which starts building its pipeline
    at once (an update overlaps that with its own work). Returns the runner and the acronym override file to use
    (None: no acronym pass, e.g. a test stub without ``learn_acronyms``).
    """
    spec = ExtractorSpec(settings, curation=None if extractor is not None else curation_for(settings))
    if extractor is not None:
        if isinstance(extractor, ExtractorSpec):
            spec = extractor
        else:
            overrides = getattr(extractor, "overrides_path", None)
            return InlineRunner(extractor), overrides if hasattr(extractor, "learn_acronyms") else None
    workers = worker_count(settings)
    if settings.dask:
        from kg.build.dask_runner import DaskRunner

        return DaskRunner(spec, settings.dask, workers), spec.overrides_path()
    if workers > 1 or background:
        return PoolRunner(spec, workers, scratch, eager=background), spec.overrides_path()
    return InlineRunner(spec.make()), spec.overrides_path()


def curation_of(settings: Settings, extractor: Any) -> Curation:
    """The curation the extractors of ``make_runner(settings, extractor, …)`` apply (what a build reports on)."""
    if extractor is None:
        return curation_for(settings)
    if isinstance(extractor, ExtractorSpec):
        return extractor.curation if extractor.curation is not None else curation_for(extractor.settings)
    found = getattr(extractor, "curation", None)
    return found if isinstance(found, Curation) else Curation()
