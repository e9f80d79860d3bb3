"""One batch of papers → ``BatchResult``: extract, map to the papers' named graphs as N-Quads, shape-check, and
tally what the main process aggregates (entity contributions, role counts, statistics).

Pure with respect to the store: a batch function runs in any process (inline, a pool worker, a Dask worker) and
returns only picklable values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib.term import Node

from kg.build.entities import contributions
from kg.build.shapes import triple_violations
from kg.ingest.text import title_key
from kg.mapping.iris import entity_iri, paper_graph_iri
from kg.mapping.triples import link_property, paper_triples
from kg.model import Contribution, Paper, PaperExtraction
from kg.namespace import TYPE_CLASS
from kg.store.nquads import nquads
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


def count_extractions(extractions: Iterable[PaperExtraction]) -> StatsCounts:
    """Statistics tallies of extraction records, as ``kg.store.stats.count_store`` reads them from the graph they
    map to (a test checks the two agree)."""
    counts = StatsCounts()
    for ex in extractions:
        year, month = ex.paper.year, month_of(ex.paper.date)
        counts.add_paper(year, month)
        counts.add_links(year, month, ((str(link_property(lk.entity.type, lk.role)), str(entity_iri(lk.entity.id)),
                                        str(TYPE_CLASS[lk.entity.type])) for lk in ex.links))
    return counts


def summarise(extractions: Iterable[PaperExtraction], validate: bool = False) -> BatchResult:
    """Extractions of one batch → contributions, role counts, statistics tallies and the papers' named graphs as
    N-Quads; with ``validate``, also the batch's SHACL violations (every paper-graph constraint is local to its
    paper)."""
    res = BatchResult([], [], Counter(), 0, b"")
    quads: list[tuple[Node, Node, Node, Node]] = []
    extractions = list(extractions)
    res.stats = count_extractions(extractions)
    for ex in extractions:
        res.papers.append((ex.paper.id, title_key(ex.paper.title)))
        res.contributions.extend(contributions(ex))
        res.curated.extend((ex.paper.id, key, eid) for key, eid in sorted(set(ex.curated)))
        res.links += len(ex.links)
        res.roles.update(lk.role for lk in ex.links)
        g = paper_graph_iri(ex.paper.id)
        quads.extend((s, p, o, g) for s, p, o in paper_triples(ex))
    res.nquads = nquads(quads).encode()
    if validate:
        res.violations = triple_violations((s, p, o) for s, p, o, _ in quads)
    return res


def extract_batch(extractor: Any, papers: list[Paper], validate: bool = False) -> BatchResult:
    """Extract one batch with ``extractor`` (anything with ``extract(papers)``) and summarise it."""
    return summarise(extractor.extract(papers), validate)
