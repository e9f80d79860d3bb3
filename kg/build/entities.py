"""Entity aggregation: what papers say about entities (``Contribution``s) → one canonical ``Entity`` per id → the
shared entities graph.

A build folds every batch's contributions into an ``EntityTable``; an incremental update folds in the
contributions the entity index holds for the entities it touches. Either way the label is the vocabulary label or
the most frequent surface label, with the union of aliases, architectures and merge reasons.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice

from kg.build.shapes import check_rows, ontology_rows
from kg.mapping.ontology import ontology_triples
from kg.mapping.plain import plain_rows
from kg.mapping.triples import entity_triples
from kg.model import ENTITY_TYPES, Contribution, Entity, EntityType, PaperExtraction
from kg.namespace import ENTITIES_GRAPH
from kg.store import GraphStore
from kg.store.nquads import nquads


def extractor_name(component: str) -> str:
    """The extractor a mention's ``component`` names: "inferred:method/bert" → "inferred" (one support value for
    every architecture implied by a method), anything else unchanged."""
    return component.partition(":")[0]


def contributions(ex: PaperExtraction) -> list[Contribution]:
    """What ``ex``'s paper contributes to each entity it links: label, the aliases and surface forms it used
    (inferred mentions excluded), architectures, merge reasons, the extractors of its evidence, curation records."""
    out = []
    for lk in ex.links:
        e = lk.entity
        aliases = set(e.aliases) | {m.text for m in lk.mentions if not m.component.startswith("inferred:")}
        extractors = {extractor_name(m.component) for m in lk.mentions if m.component}
        out.append(Contribution(ex.paper.id, e.id, e.type, e.label, tuple(sorted(aliases)),
                                tuple(sorted(e.architectures)), tuple(sorted(e.merged_because)),
                                tuple(sorted(extractors)), tuple(sorted(e.curation))))
    return out


class EntityTable:
    """Corpus-wide canonical entities: one label per id (vocabulary label, else the most frequent surface label),
    the union of aliases, architectures, merge reasons and curation records, and the papers per extractor."""

    def __init__(self) -> None:
        self.types: dict[str, EntityType] = {}
        self.readings: dict[str, Counter[EntityType]] = defaultdict(Counter)  # type per paper that linked it
        self.labels: dict[str, Counter[str]] = defaultdict(Counter)
        self.aliases: dict[str, set[str]] = defaultdict(set)
        self.archs: dict[str, set[str]] = defaultdict(set)
        self.reasons: dict[str, set[str]] = defaultdict(set)
        self.curation: dict[str, set[str]] = defaultdict(set)
        self.support: dict[str, Counter[str]] = defaultdict(Counter)  # entity → papers per extractor
        self.papers: Counter[str] = Counter()

    def add_contributions(self, contributions: Iterable[Contribution]) -> None:
        """Fold in what papers said about entities (from extraction batches, or read back from the index)."""
        for c in contributions:
            readings = self.readings[c.entity]
            readings[c.type] += 1
            # One type per entity: the reading most papers give (ties: the fixed order of ENTITY_TYPES).
            self.types[c.entity] = min(readings, key=lambda t: (-readings[t], ENTITY_TYPES.index(t)))
            self.labels[c.entity][c.label] += 1
            self.aliases[c.entity].update(c.aliases)
            self.archs[c.entity].update(c.architectures)
            self.reasons[c.entity].update(c.reasons)
            if c.curation:
                self.curation[c.entity].update(c.curation)
            self.support[c.entity].update(c.extractors)
            self.papers[c.entity] += 1

    def entities(self) -> Iterator[Entity]:
        """The canonical entities, sorted by id."""
        for eid in sorted(self.types):
            label = sorted(self.labels[eid].items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0][0]
            etype = self.types[eid]
            losing = [f"also read as {t} in {n} of {self.papers[eid]} papers; typed {etype} by majority"
                      for t, n in sorted(self.readings[eid].items()) if t != etype]
            yield Entity(eid, etype, label, tuple(sorted(self.aliases[eid] - {label})),
                         tuple(sorted(self.archs[eid])), tuple(sorted(self.reasons[eid] | set(losing))),
                         tuple(sorted(self.curation.get(eid, ()))), tuple(sorted(self.support[eid].items())),
                         self.papers[eid])

    def counts_by_type(self) -> dict[str, int]:
        return dict(sorted(Counter(self.types.values()).items()))


def write_entities(store: GraphStore, table: EntityTable, validate: bool = False, chunk: int = 20_000) -> None:
    """Write the table's entities into the entities graph of ``store`` (``entity_nquads``, loaded chunk by chunk)."""
    for text in entity_nquads(table, validate, chunk):
        store.load_nquads(text.encode())


def entity_nquads(table: EntityTable, validate: bool = False, chunk: int = 20_000) -> Iterator[str]:
    """The table's entities graph as N-Quads text, ``chunk`` entities at a time; with ``validate``, each chunk is
    shape-checked (with the ontology) before it is given out.

    Chunked so memory holds one chunk of triples rather than the whole graph (an entity's constraints only involve
    its own triples and the ontology, which every chunk is checked with).
    """
    entities = iter(table.entities())
    while batch := [t for e in islice(entities, chunk) for t in entity_triples(e)]:
        if validate:
            check_rows(plain_rows(batch) + list(ontology_rows()), fallback=lambda b=batch: b + list(ontology_triples()))
        yield nquads((s, p, o, ENTITIES_GRAPH) for s, p, o in batch)
