"""Parallel extraction: batches of papers → ``BatchResult`` (entity contributions + N-Quads), in input order.

The build runs two passes over the same batches (spooled to a temp file by ``kg.build``, so input is parsed once):

1. ``count_batch``: count acronym definitions ("long form (SHORT)") per batch; ``merge``/``resolve`` turn the
   counts into the corpus-wide ``AcronymTable`` the linker needs before any paper is linked;
2. ``extract_batch``: extract, map to triples and format them as N-Quads for the store's bulk loader.

Where the batches run is a ``Runner``: ``InlineRunner`` (this process), ``PoolRunner`` (a ``multiprocessing``
pool of spawned processes, each holding its own ``Extractor`` — spaCy's ``nlp.pipe(n_process=…)`` cannot carry
our Python-object ``Doc`` extensions across processes) or ``kg.dask_build.DaskRunner``. Every runner yields
results in submission order with a bounded number of batches in flight, so output is deterministic and memory
does not grow with the corpus.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kg.config import Settings
from kg.extract.canonical import AcronymCounts, AcronymTable, count_acronyms, resolve_acronyms
from kg.ingest.text import title_key
from kg.mapping.iris import paper_graph_iri
from kg.mapping.triples import paper_triples
from kg.model import Paper, PaperExtraction
from kg.store.entity_index import Contribution
from kg.store.nquads import nquads
from kg.store.stats import StatsCounts, count_extractions

# --------------------------------------------------------------------------------------------- extractors


@dataclass(frozen=True)
class ExtractorSpec:
    """How to build an ``Extractor`` in another process (an Extractor itself is not sent between processes)."""

    settings: Settings
    vocab_dir: str | None = None
    ner_dir: str | None = None

    def make(self) -> Any:
        from kg.extract import Extractor

        return Extractor(self.settings, Path(self.vocab_dir) if self.vocab_dir else None,
                         Path(self.ner_dir) if self.ner_dir else None)

    def overrides_path(self) -> Path:
        from ontology import VOCAB_DIR

        return (Path(self.vocab_dir) if self.vocab_dir else VOCAB_DIR) / "acronym_overrides.jsonl"


# --------------------------------------------------------------------------------------------- acronyms
# Mirrors kg.extract.canonical.collect_acronyms, split into a per-batch count and a merge so the corpus pass runs
# in parallel too; tests/test_build_parallel.py checks the two agree on the bundled corpus.

def count_batch(papers: list[Paper]) -> AcronymCounts:
    """Acronym definitions in one batch (a picklable task for pool or Dask workers)."""
    return count_acronyms(papers)


def resolve(counts: AcronymCounts, overrides: dict[str, str | None] | None = None) -> AcronymTable:
    """Merged counts → the ``AcronymTable`` (``kg.extract.canonical.resolve_acronyms``)."""
    return resolve_acronyms(counts, overrides)


def use_acronyms(extractor: Any, table: Any) -> None:
    """Give an extractor the corpus-wide acronym table (what ``Extractor.learn_acronyms`` sets)."""
    linker = getattr(extractor, "linker", None)
    if linker is not None and hasattr(linker, "acronyms"):
        linker.acronyms = table


# --------------------------------------------------------------------------------------------- extraction


@dataclass
class BatchResult:
    papers: list[tuple[str, str]]  # (paper id, normalised title key) in order
    contributions: list[Contribution]
    roles: Counter[str]
    links: int
    nquads: bytes
    violations: list[str] = field(default_factory=list)  # SHACL violations of this batch's paper graphs
    stats: StatsCounts = field(default_factory=StatsCounts)  # this batch's share of the materialised statistics


def contributions(ex: PaperExtraction) -> list[Contribution]:
    out = []
    for lk in ex.links:
        e = lk.entity
        aliases = set(e.aliases) | {m.text for m in lk.mentions if not m.component.startswith("inferred:")}
        out.append(Contribution(ex.paper.id, e.id, e.type, e.label, tuple(sorted(aliases)),
                                tuple(sorted(e.architectures)), tuple(sorted(e.merged_because))))
    return out


def summarise(extractions: Iterable[PaperExtraction], validate: bool = False) -> BatchResult:
    """Extractions of one batch → contributions, role counts, statistics tallies and the papers' named graphs as
    N-Quads; with
    ``validate``, also the batch's SHACL violations (every paper-graph constraint is local to its paper)."""
    res = BatchResult([], [], Counter(), 0, b"")
    quads = []
    extractions = list(extractions)
    res.stats = count_extractions(extractions)
    for ex in extractions:
        res.papers.append((ex.paper.id, title_key(ex.paper.title)))
        res.contributions.extend(contributions(ex))
        res.links += len(ex.links)
        res.roles.update(lk.role for lk in ex.links)
        g = paper_graph_iri(ex.paper.id)
        quads.extend((s, p, o, g) for s, p, o in paper_triples(ex))
    res.nquads = nquads(quads).encode()
    if validate:
        from kg.store.validate import triple_violations

        res.violations = triple_violations((s, p, o) for s, p, o, _ in quads)
    return res


def extract_batch(extractor: Any, papers: list[Paper], validate: bool = False) -> BatchResult:
    return summarise(extractor.extract(papers), validate)


# --------------------------------------------------------------------------------------------- runners


class Runner(Protocol):
    """Runs batch functions somewhere and yields their results in submission order."""

    workers: int

    def counts(self, batches: Iterable[list[Paper]]) -> Iterator[AcronymCounts]: ...

    def extract(self, batches: Iterable[list[Paper]], acronyms: Any, validate: bool = False
                ) -> Iterator[BatchResult]: ...

    def close(self, abort: bool = False) -> None: ...


class InlineRunner:
    """Everything in this process, with one extractor (the default, and what tests pass their extractor to)."""

    workers = 1

    def __init__(self, extractor: Any) -> None:
        self.extractor = extractor

    def counts(self, batches: Iterable[list[Paper]]) -> Iterator[AcronymCounts]:
        return map(count_batch, batches)

    def extract(self, batches: Iterable[list[Paper]], acronyms: Any, validate: bool = False
                ) -> Iterator[BatchResult]:
        if acronyms is not None:
            use_acronyms(self.extractor, acronyms)
        for batch in batches:
            yield extract_batch(self.extractor, batch, validate)

    def close(self, abort: bool = False) -> None:
        pass


def ordered_window(submit: Callable[[Any], Any], wait: Callable[[Any], Any], items: Iterable[Any],
                   window: int) -> Iterator[Any]:
    """Submit items with at most ``window`` in flight; yield results in submission order."""
    pending: deque[Any] = deque()
    for item in items:
        pending.append(submit(item))
        if len(pending) >= window:
            yield wait(pending.popleft())
    while pending:
        yield wait(pending.popleft())


# Per-process state of a pool worker: its extractor and the acronym table it was last given.
_WORKER: dict[str, Any] = {}


def _pool_init(spec: ExtractorSpec) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    _WORKER["spec"] = spec
    _WORKER["extractor"] = None
    _WORKER["acronyms_path"] = None


def _pool_extract(papers: list[Paper], acronyms_path: str, validate: bool) -> BatchResult:
    import pickle

    if _WORKER["extractor"] is None:
        _WORKER["extractor"] = _WORKER["spec"].make()
    if acronyms_path and _WORKER["acronyms_path"] != acronyms_path:
        with open(acronyms_path, "rb") as fh:
            use_acronyms(_WORKER["extractor"], pickle.load(fh))
        _WORKER["acronyms_path"] = acronyms_path
    return extract_batch(_WORKER["extractor"], papers, validate)


class PoolRunner:
    """``workers`` spawned processes (spawn: no fork of a threaded parent), each building its own extractor."""

    def __init__(self, spec: ExtractorSpec, workers: int, scratch: Path) -> None:
        self.workers = workers
        self.scratch = scratch
        ctx = multiprocessing.get_context("spawn")
        self.pool = ctx.Pool(workers, initializer=_pool_init, initargs=(spec,))

    def counts(self, batches: Iterable[list[Paper]]) -> Iterator[AcronymCounts]:
        return ordered_window(lambda b: self.pool.apply_async(count_batch, (b,)), lambda r: r.get(), batches,
                              2 * self.workers)

    def extract(self, batches: Iterable[list[Paper]], acronyms: Any, validate: bool = False
                ) -> Iterator[BatchResult]:
        import pickle

        path = self.scratch / f"acronyms-{id(acronyms)}.pickle" if acronyms is not None else ""
        if acronyms is not None:
            with open(path, "wb") as fh:
                pickle.dump(acronyms, fh, protocol=pickle.HIGHEST_PROTOCOL)
        return ordered_window(lambda b: self.pool.apply_async(_pool_extract, (b, str(path), validate)), lambda r: r.get(),
                              batches, 2 * self.workers)

    def close(self, abort: bool = False) -> None:
        if abort:
            self.pool.terminate()
        else:
            self.pool.close()
        self.pool.join()
