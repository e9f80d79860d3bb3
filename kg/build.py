"""The one orchestrator: input files → ingest → extract → mapping → a new store generation, atomically published.

``build(inputs, settings)`` returns a ``BuildReport`` (ingest counts, entities per
type, triples, per-stage seconds). On any failure — bad shapes, an exception, a
kill — the new generation is discarded and the previously served graph stays.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg.config import Settings, load_settings, store_path
from kg.ingest import IngestReport, bundled_corpus, read_papers
from kg.mapping.iris import ENTITIES_GRAPH, ONTOLOGY_GRAPH, paper_graph_iri
from kg.mapping.triples import entity_triples, paper_triples
from kg.model import Entity, PaperExtraction
from kg.store import GraphStore, new_generation_path, publish_generation
from kg.store.stats import refresh_stats
from kg.store.validate import check_shapes
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
        if len(self.ingest.problems) > 50:
            lines.append(f"skipped: … and {len(self.ingest.problems) - 50} more")
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
        for lk in ex.links:
            e = lk.entity
            self.types[e.id] = e.type
            self.labels[e.id][e.label] += 1
            self.aliases[e.id].update(e.aliases)
            self.aliases[e.id].update(m.text for m in lk.mentions if not m.component.startswith("inferred:"))
            self.archs[e.id].update(e.architectures)
            self.reasons[e.id].update(e.merged_because)
            self.papers[e.id] += 1

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


def _store_to_rdflib(store: GraphStore) -> Graph:
    data = ox.serialize(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"), format=ox.RdfFormat.N_TRIPLES)
    return Graph().parse(data=data, format="nt")


def load_extractions(store: GraphStore, extractions: Iterable[PaperExtraction], report: BuildReport,
                     progress: Progress | None = None) -> EntityTable:
    """Write each paper's named graph and return the corpus entity table (streaming)."""
    table = EntityTable()
    roles: Counter[str] = Counter()

    def quads() -> Iterator[tuple]:
        for ex in extractions:
            table.add(ex)
            report.papers += 1
            report.links += len(ex.links)
            roles.update(lk.role for lk in ex.links)
            g = paper_graph_iri(ex.paper.id)
            for s, p, o in paper_triples(ex):
                yield s, p, o, g
            if progress:
                progress(1)

    store.add_quads(quads())
    report.links_by_role = dict(sorted(roles.items()))
    return table


def write_entities(store: GraphStore, table: EntityTable) -> None:
    """The shared entities graph (the materialised statistics come from ``refresh_stats`` afterwards)."""

    def quads() -> Iterator[tuple]:
        for e in table.entities():
            for s, p, o in entity_triples(e):
                yield s, p, o, ENTITIES_GRAPH

    store.add_quads(quads())


def build(inputs: Iterable[Path | str] | None = None, settings: Settings | None = None,
          progress: Progress | None = None, extractor=None) -> BuildReport:
    """Build a new graph generation from ``inputs`` (default: the bundled corpus) and publish it atomically."""
    from kg.extract import Extractor  # spaCy only when building

    settings = settings or load_settings()
    inputs = list(inputs) if inputs else bundled_corpus()
    root = store_path(settings)
    root.mkdir(parents=True, exist_ok=True)
    report = BuildReport(store=str(root))
    gen = new_generation_path(root)
    t0 = time.perf_counter()
    try:
        store = GraphStore(ox.Store(str(gen)), gen, read_only=False)
        extractor = extractor or Extractor(settings)
        report.seconds["load pipeline"] = time.perf_counter() - t0
        t = time.perf_counter()
        store.add_quads(_ontology_quads())
        # Corpus-wide acronyms first (a cheap regex pass), so "ViT" alone links to "Vision Transformer".
        learn = getattr(extractor, "learn_acronyms", None)
        if learn is not None:
            learn(read_papers(inputs))
        papers = read_papers(inputs, report.ingest)
        table = load_extractions(store, extractor.extract(papers), report, progress)
        write_entities(store, table)
        refresh_stats(store)
        report.entities_by_type = table.counts_by_type()
        report.seconds["extract+load"] = time.perf_counter() - t
        if settings.validate_shapes:
            t = time.perf_counter()
            check_shapes(_store_to_rdflib(store))
            report.seconds["validate"] = time.perf_counter() - t
        report.triples = store.triple_count()
        store.flush()
        del store
        publish_generation(root, gen)
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    report.seconds["total"] = time.perf_counter() - t0
    return report
