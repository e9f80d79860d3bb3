"""Extraction on Dask distributed: the cluster path of ``kg build --dask SCHEDULER`` (or ``--dask local``).

``DaskRunner`` is a ``kg.build.runners.Runner``: batches of papers go to the workers as tasks, each worker process
builds its ``Extractor`` once (cached per process, keyed by the ``ExtractorSpec`` it was given) and receives the
corpus-wide acronym table once (scattered to every worker); results come back in submission order with a bounded
number of tasks in flight, so the store receives exactly what a single-process build would load — the N-Quads
export is byte-identical (tests/test_dask_build.py). Only extraction is distributed; the store stays where the
build runs (load it into a remote SPARQL store with ``kg.remote.virtuoso``).

``local`` starts a ``LocalCluster`` of ``n_process`` single-threaded worker processes bound to 127.0.0.1 (their HTTP
endpoints on free loopback ports too) and stops it at the end. Workers of a remote cluster need this package and its vocabularies
installed (same version).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from kg.build.batches import BatchResult, extract_batch
from kg.build.workers import ExtractorSpec, ordered_window, use_acronyms
from kg.errors import ConfigError
from kg.extract.canonical import AcronymCounts, AcronymTable, count_acronyms
from kg.model import Paper

# Per worker process: {spec: extractor} and the acronym table each extractor last received.
_EXTRACTORS: dict[ExtractorSpec, Any] = {}
_ACRONYMS: dict[ExtractorSpec, int] = {}


def _extract_on_worker(spec: ExtractorSpec, acronyms: AcronymTable | None, papers: list[Paper], validate: bool) -> BatchResult:
    extractor = _EXTRACTORS.get(spec)
    if extractor is None:
        extractor = _EXTRACTORS[spec] = spec.make()
    if acronyms is not None and _ACRONYMS.get(spec) != id(acronyms):
        use_acronyms(extractor, acronyms)
        _ACRONYMS[spec] = id(acronyms)
    return extract_batch(extractor, papers, validate)


class DaskRunner:
    """Run the batch functions on a Dask cluster (``address``: ``tcp://…`` or ``local``)."""

    def __init__(self, spec: ExtractorSpec, address: str, local_workers: int = 2, connect_timeout: str = "10s") -> None:
        from dask.distributed import Client, LocalCluster

        self.spec = spec
        self.cluster: Any = None
        try:
            if address == "local":
                self.cluster = LocalCluster(n_workers=max(1, local_workers), threads_per_worker=1, processes=True,
                                            host="127.0.0.1", scheduler_port=0, dashboard_address="127.0.0.1:0",
                                            worker_dashboard_address="127.0.0.1:0",
                                            silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
            else:
                self.client = Client(address, timeout=connect_timeout)
        except OSError as exc:
            if self.cluster is not None:
                self.cluster.close()
            raise ConfigError(f"cannot reach the Dask scheduler {address!r}: {exc}; start one with "
                              "`dask scheduler` (and `dask worker ADDRESS`), or use --dask local") from exc
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def counts(self, batches: Iterable[list[Paper]]) -> Iterator[AcronymCounts]:
        return ordered_window(lambda b: self.client.submit(count_acronyms, b, pure=False), lambda f: f.result(),
                              batches, 2 * self.workers)

    def extract(self, batches: Iterable[list[Paper]], acronyms: AcronymTable | None, validate: bool = False
                ) -> Iterator[BatchResult]:
        acr = self.client.scatter(acronyms, broadcast=True) if acronyms is not None else None
        return ordered_window(
            lambda b: self.client.submit(_extract_on_worker, self.spec, acr, b, validate, pure=False),
            lambda f: f.result(), batches, 2 * self.workers)

    def close(self, abort: bool = False) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
