"""Typed records that cross stage boundaries: ingest → extract → mapping → build → store.

Every record is a frozen dataclass so stages cannot mutate each other's output,
and tuples (not lists) keep them hashable and byte-stable when serialised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EntityType = Literal["method", "task", "dataset", "metric", "architecture"]
Role = Literal["proposes", "uses", "evaluates_on", "compares", "mentions"]
TextField = Literal["title", "abstract"]

ENTITY_TYPES: tuple[EntityType, ...] = ("method", "task", "dataset", "metric", "architecture")
ROLES: tuple[Role, ...] = ("proposes", "uses", "evaluates_on", "compares", "mentions")


@dataclass(frozen=True)
class Paper:
    """One paper as read from a source.

    ``id`` is stable across runs: the source's own id when it has one, otherwise
    a slug of the normalised title. ``source`` says where it was read ("file:line").
    """

    id: str
    title: str
    abstract: str
    year: int | None = None
    date: str | None = None
    url: str | None = None
    authors: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity in a paper's title or abstract.

    ``start``/``end`` are character offsets into that field's text;
    ``sentence`` is the sentence containing the mention; ``component`` names the
    extractor that found it (e.g. "gazetteer", "abbreviation", "ner") and
    ``score`` is that component's confidence in [0, 1].
    """

    field: TextField
    start: int
    end: int
    text: str
    sentence: str = ""
    component: str = ""
    score: float = 1.0


@dataclass(frozen=True)
class Entity:
    """A canonical entity: one per real-world thing across the corpus.

    ``id`` is "<type>/<slug>" (e.g. "method/vision-transformer") and is the
    tail of the entity's IRI. ``architectures`` lists architecture ids
    (e.g. "architecture/decoder-only") that the entity implies.
    ``merged_because`` keeps a human-readable reason for each alias merge.
    ``curation`` says which decisions of the user's curation file changed the entity (and where they are written).
    ``support`` and ``papers`` are filled only when entities are aggregated over the corpus
    (``kg.build.entities.EntityTable``): (extractor, papers whose evidence for the entity includes a mention that
    extractor found), by extractor; and the number of papers linking the entity.
    """

    id: str
    type: EntityType
    label: str
    aliases: tuple[str, ...] = ()
    architectures: tuple[str, ...] = ()
    merged_because: tuple[str, ...] = ()
    curation: tuple[str, ...] = ()
    support: tuple[tuple[str, int], ...] = ()
    papers: int = 0


@dataclass(frozen=True)
class Link:
    """A paper–entity link with its role, confidence and evidence.

    ``asserted`` is False for a candidate: a link whose confidence is below the ``min_confidence`` setting, kept
    with its evidence so users can query or opt into it, but not stated as the paper's proposes/uses/… fact.
    """

    entity: Entity
    role: Role
    confidence: float
    mentions: tuple[Mention, ...] = ()
    asserted: bool = True


@dataclass(frozen=True)
class PaperExtraction:
    """Everything extraction found for one paper.

    ``curated`` lists what the curation file matched in this paper: (decision key, entity id) per match, so a build
    can tell the user which decisions matched nothing (``kg.extract.curation``).
    """

    paper: Paper
    links: tuple[Link, ...] = field(default_factory=tuple)
    curated: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Contribution:
    """What one paper says about one entity: the rows the corpus-wide entities graph is aggregated from (kept per
    paper in the build's entity index, so adding or removing papers recomputes only the entities they touch)."""

    paper: str
    entity: str
    type: EntityType
    label: str
    aliases: tuple[str, ...]
    architectures: tuple[str, ...]
    reasons: tuple[str, ...]
    extractors: tuple[str, ...] = ()  # the extractors whose mentions are this paper's evidence ("ner", "gazetteer")
    curation: tuple[str, ...] = ()  # the curation decisions applied to the entity in this paper
