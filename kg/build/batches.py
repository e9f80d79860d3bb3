"""One batch of papers → ``BatchResult``: extract, map to the papers' named graphs as N-Quads, shape-check, and
tally what the main process aggregates (entity contributions, role counts, statistics).

Pure with respect to the store: a batch function runs in any process (inline, a pool worker, a Dask worker) and
returns only picklable values.
"""

from __future__ import annotations

import time
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kg.build.entities import contributions
from kg.build.shapes import row_violations
from kg.ingest.text import title_key
from kg.mapping.iris import entity_iri, paper_graph_iri
from kg.mapping.plain import Row, paper_rows, plain_nquads
from kg.mapping.triples import asserted, link_property
from kg.model import Contribution, Paper, PaperExtraction
from kg.namespace import KG, TYPE_CLASS
from kg.store.stats import StatsCounts, month_of


@dataclass
class BatchResult:
    papers: list[tuple[str, str]]  # (paper id, normalised title key) in order
    contributions: list[Contribution]
    roles: Counter[str]
    links: int
    nquads: bytes
    violations: list[str] = field(default_factory=list)  # SHACL violations of this batch's paper graphs
    stats: StatsCounts = field(default_factory=StatsCounts)  # this batch's share of the materialised statistics
    curated: list[tuple[str, str, str]] = field(default_factory=list)  # (paper, decision key, entity id) matches
    seconds: dict[str, float] = field(default_factory=dict)  # where the batch's time went (extract, map, check, …)
    quads: int = 0


_PROPOSES = str(KG.proposes)


def count_extractions(extractions: Iterable[PaperExtraction]) -> StatsCounts:
    """Statistics tallies of extraction records, as ``kg.store.stats.count_store`` reads them from the graph they
    map to (a test checks the two agree)."""
    counts = StatsCounts()
    for ex in extractions:
        year, month = ex.paper.year, month_of(ex.paper.date)
        counts.add_paper(year, month)
        links = [(str(link_property(lk.entity.type, lk.role)), str(entity_iri(lk.entity.id)),
                  str(TYPE_CLASS[lk.entity.type])) for lk in ex.links if asserted(lk)]
        counts.add_links(year, month, links)
        counts.proposals.extend((ex.paper.id, e, year) for p, e, _ in links if p == _PROPOSES)
    return counts


def summarise(extractions: Iterable[PaperExtraction], validate: bool = False) -> BatchResult:
    """Extractions of one batch → contributions, role counts, statistics tallies and the papers' named graphs as
    N-Quads; with ``validate``, also the batch's SHACL violations (every paper-graph constraint is local to its
    paper). Maps and checks plain terms (``kg.mapping.plain``): no rdflib term is built on this path."""
    res = BatchResult([], [], Counter(), 0, b"")
    t = time.perf_counter()
    extractions = list(extractions)
    res.stats = count_extractions(extractions)
    lines: list[str] = []
    rows: list[Row] = []
    for ex in extractions:
        res.papers.append((ex.paper.id, title_key(ex.paper.title)))
        res.contributions.extend(contributions(ex))
        res.curated.extend((ex.paper.id, key, eid) for key, eid in sorted(set(ex.curated)))
        res.links += len(ex.links)
        res.roles.update(lk.role for lk in ex.links)
        paper = paper_rows(ex)
        lines.append(plain_nquads(paper, str(paper_graph_iri(ex.paper.id))))
        res.quads += len(paper)
        if validate:
            rows += paper
    res.nquads = "".join(lines).encode()
    res.seconds["map"] = time.perf_counter() - t
    if validate:
        t = time.perf_counter()
        res.violations = row_violations(rows)
        res.seconds["check"] = time.perf_counter() - t
    return res


def extract_batch(extractor: Any, papers: list[Paper], validate: bool = False) -> BatchResult:
    """Extract one batch with ``extractor`` (anything with ``extract(papers)``) and summarise it. The batch's
    ``seconds`` say where its time went: extract (of which "NER": the NER/tagger component), map, check."""
    ner = _ner_timer(extractor)
    before = ner[0] if ner is not None else 0.0
    t = time.perf_counter()
    extractions = list(extractor.extract(papers))
    extract = time.perf_counter() - t
    res = summarise(extractions, validate)
    res.seconds["extract"] = extract
    if ner is not None:
        res.seconds["NER"] = ner[0] - before
    return res


_NER_COMPONENTS = ("ner", "tagger")  # pipeline components whose time the build reports as "NER"
_TIMERS: weakref.WeakKeyDictionary[Any, list[float]] = weakref.WeakKeyDictionary()


def _ner_timer(extractor: Any) -> list[float] | None:
    """A running total of the seconds the extractor's NER components spend (their ``pipe`` wrapped once, on first
    use; their input is materialised first, so the time of the components before them is not counted). None when
    the extractor has no such component."""
    try:
        return _TIMERS[extractor]
    except KeyError:
        pass
    except TypeError:  # not weak-referenceable
        return None
    procs = [proc for name, proc in getattr(getattr(extractor, "nlp", None), "pipeline", [])
             if any(k in name for k in _NER_COMPONENTS) and hasattr(proc, "pipe")]
    if not procs:
        return None
    total = [0.0]
    for proc in procs:
        def timed(docs: Iterable[Any], *args: Any, _inner: Any = proc.pipe, **kwargs: Any) -> Iterator[Any]:
            docs = list(docs)
            t = time.perf_counter()
            out = list(_inner(docs, *args, **kwargs))
            total[0] += time.perf_counter() - t
            yield from out

        try:
            proc.pipe = timed
        except AttributeError:  # a compiled component: not timed
            return None
    _TIMERS[extractor] = total
    return total
