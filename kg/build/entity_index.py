"""The entity index: a small SQLite file beside each store generation, what incremental updates need.

The graph keeps only the canonical result (one label per entity, the union of aliases); recomputing an entity after
papers are added or removed needs what each paper contributed. The index holds, per generation:

    papers(id, title_key)                                   every paper in the graph
    contrib(paper, entity, type, label, aliases, archs, reasons, extractors, curation)
                                                            one row per paper–entity link (lists: ``_text``)
    curated(paper, decision, entity)                        what the curation file matched in each paper
                                                            (``PaperExtraction.curated``)
    acronym_counts(kind, key, form, n)                      the corpus' acronym definition counts
                                                            (``kg.extract.canonical.AcronymCounts``), so ``kg add`` need
                                                            not re-read every stored abstract
    pair_counts(kind, a, b, n)                              papers per projection pair (``kg.store.stats.PAIR_KINDS``),
                                                            also those seen too rarely to be in the stats graph, so an
                                                            update adds to the tallies instead of recounting
    proposals(paper, entity, year)                          stated kg:proposes links (entity IRIs; year NULL: undated)
    entity_class(entity, class)                             every entity's decided class (IRIs), so the projections
                                                            that depend on it are recomputed without the store

``meta`` holds the schema version (``SCHEMA_VERSION``); an index of an older version (no extractors or curation per
contribution, no projection tallies) cannot be updated in place: ``outdated`` says so and ``kg add`` asks for one rebuild.

It lives at ``kg.store.sidecar_path(generation)`` (``<store>/indexes/<name>.sqlite``, kept out of the Oxigraph
directory so nothing but Oxigraph writes there), is copied with its generation when an update makes a new one, and
is pruned with it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from kg.extract.canonical import AcronymCounts
from kg.model import Contribution

SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (id TEXT PRIMARY KEY, title_key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS papers_title ON papers (title_key);
CREATE TABLE IF NOT EXISTS contrib (paper TEXT NOT NULL, entity TEXT NOT NULL, type TEXT NOT NULL, label TEXT NOT NULL,
                                    aliases TEXT NOT NULL, archs TEXT NOT NULL, reasons TEXT NOT NULL,
                                    extractors TEXT NOT NULL, curation TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS contrib_entity ON contrib (entity);
CREATE INDEX IF NOT EXISTS contrib_paper ON contrib (paper);
CREATE TABLE IF NOT EXISTS acronym_counts (kind TEXT NOT NULL, key TEXT NOT NULL, form TEXT NOT NULL,
                                           n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS curated (paper TEXT NOT NULL, decision TEXT NOT NULL, entity TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS curated_paper ON curated (paper);
CREATE TABLE IF NOT EXISTS pair_counts (kind TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL, n INTEGER NOT NULL,
                                        PRIMARY KEY (kind, a, b)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pair_counts_a ON pair_counts (a);
CREATE INDEX IF NOT EXISTS pair_counts_b ON pair_counts (b);
CREATE TABLE IF NOT EXISTS proposals (paper TEXT NOT NULL, entity TEXT NOT NULL, year INTEGER);
CREATE INDEX IF NOT EXISTS proposals_paper ON proposals (paper);
CREATE TABLE IF NOT EXISTS entity_class (entity TEXT PRIMARY KEY, class TEXT NOT NULL) WITHOUT ROWID;
"""
ACRONYM_KINDS = ("defs", "surface", "shorts")
# 2: contributions carry their extractors and curation records; the curated table.
# 3: pair_counts, proposals and entity_class, which updates change by difference (an older index has none).
SCHEMA_VERSION = 3


# List columns (aliases, archs, reasons) are written as RS + items joined by US — splitting is several times faster
# than JSON on the hundreds of thousands of rows an update reads back for popular entities; indexes written before
# hold JSON lists, which are still read.
_RS, _US = "\x1e", "\x1f"


def _text(items: tuple[str, ...]) -> str:
    return _RS + _US.join(items)


def _tuple(text: str) -> tuple[str, ...]:
    """A list column as a tuple."""
    if text.startswith(_RS):
        return tuple(text[1:].split(_US)) if len(text) > 1 else ()
    return () if text == "[]" else tuple(json.loads(text))


class EntityIndex:
    """Open (creating if needed) the index file at ``path``; writes are committed by ``commit()``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(str(path))
        fresh = self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'contrib'").fetchone() is None
        # An index written by an older kg keeps its tables (CREATE … IF NOT EXISTS does not add columns to them).
        self.db.executescript(SCHEMA)
        if fresh:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        row = self.db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        self.version = int(row[0]) if row else 1

    @property
    def outdated(self) -> bool:
        """True for an index written by an older kg, which ``add`` cannot extend (rebuild the store once)."""
        return self.version < SCHEMA_VERSION

    def close(self) -> None:
        self.db.commit()
        self.db.close()

    def commit(self) -> None:
        self.db.commit()

    # ------------------------------------------------------------------ writing
    def add(self, papers: Iterable[tuple[str, str]], contributions: Iterable[Contribution],
            replace: bool = True) -> None:
        """Record papers (id, title key) and their contributions. A paper already present is replaced; a build,
        whose papers are distinct and new, passes ``replace=False`` to skip looking for them."""
        papers = list(papers)
        if replace:
            self.remove(pid for pid, _ in papers)
        self.db.executemany("INSERT INTO papers VALUES (?, ?)", papers)
        self.db.executemany("INSERT INTO contrib VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            (c.paper, c.entity, c.type, c.label, _text(c.aliases), _text(c.architectures), _text(c.reasons),
             _text(c.extractors), _text(c.curation))
            for c in contributions))

    def add_curated(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """Record (paper, decision key, entity id) matches of the curation file (``PaperExtraction.curated``)."""
        self.db.executemany("INSERT INTO curated VALUES (?, ?, ?)", rows)

    def remove(self, paper_ids: Iterable[str]) -> None:
        ids = [(p,) for p in paper_ids]
        self.db.executemany("DELETE FROM contrib WHERE paper = ?", ids)
        self.db.executemany("DELETE FROM curated WHERE paper = ?", ids)
        self.db.executemany("DELETE FROM papers WHERE id = ?", ids)
        self.db.executemany("DELETE FROM proposals WHERE paper = ?", ids)

    def add_proposals(self, proposals: Iterable[tuple[str, str, int | None]]) -> None:
        """Record (paper id, entity IRI, year) proposals (``StatsCounts.proposals``)."""
        self.db.executemany("INSERT INTO proposals VALUES (?, ?, ?)", proposals)

    def set_classes(self, classes: Mapping[str, str | None]) -> None:
        """Record entities' decided classes (entity IRI → class IRI; None: the entity is gone)."""
        self.db.executemany("DELETE FROM entity_class WHERE entity = ?", ((e,) for e, c in classes.items() if c is None))
        self.db.executemany("INSERT OR REPLACE INTO entity_class VALUES (?, ?)",
                            ((e, c) for e, c in sorted(classes.items()) if c is not None))

    def classes_of(self, entities: Iterable[str]) -> dict[str, str]:
        """The recorded class of each of ``entities`` (IRIs) that has one."""
        out: dict[str, str] = {}
        for e in sorted(set(entities)):
            row = self.db.execute("SELECT class FROM entity_class WHERE entity = ?", (e,)).fetchone()
            if row is not None:
                out[e] = row[0]
        return out

    def has_classes(self) -> bool:
        return self.db.execute("SELECT 1 FROM entity_class LIMIT 1").fetchone() is not None

    def proposed_per_year(self, method_class: str) -> dict[int | None, tuple[int, int]]:
        """Year (None: undated) → (distinct methods proposed, papers proposing one), from the proposals and the
        decided classes."""
        rows = self.db.execute(
            "SELECT p.year, COUNT(DISTINCT p.entity), COUNT(DISTINCT p.paper) FROM proposals p "
            "JOIN entity_class c ON c.entity = p.entity WHERE c.class = ? GROUP BY p.year ORDER BY p.year",
            (method_class,))
        return {None if y is None else int(y): (int(m), int(n)) for y, m, n in rows}

    # ------------------------------------------------------------------ reading
    def has_paper(self, paper_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone() is not None

    def paper_with_title(self, title_key: str) -> str | None:
        row = self.db.execute("SELECT id FROM papers WHERE title_key = ?", (title_key,)).fetchone()
        return row[0] if row else None

    def entities_of(self, paper_ids: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for pid in paper_ids:
            out.update(r[0] for r in self.db.execute("SELECT entity FROM contrib WHERE paper = ?", (pid,)))
        return out

    def contributions(self, entity_ids: Iterable[str]) -> Iterator[Contribution]:
        """Every contribution to the given entities, ordered by entity then paper (deterministic)."""
        for eid in sorted(set(entity_ids)):
            rows = self.db.execute("SELECT * FROM contrib WHERE entity = ? ORDER BY paper", (eid,))
            for paper, entity, type_, label, aliases, archs, reasons, extractors, curation in rows:
                yield Contribution(paper, entity, type_, label, _tuple(aliases), _tuple(archs), _tuple(reasons),
                                   _tuple(extractors), _tuple(curation))

    def curated_counts(self) -> dict[tuple[str, str], int]:
        """Papers in which each (decision key, entity id) of the curation file matched."""
        rows = self.db.execute("SELECT decision, entity, COUNT(DISTINCT paper) FROM curated GROUP BY decision, entity")
        return {(d, e): int(n) for d, e, n in rows}

    def papers_of(self, entity_ids: Iterable[str]) -> set[str]:
        """Papers contributing to any of ``entity_ids``."""
        out: set[str] = set()
        for eid in set(entity_ids):
            out.update(r[0] for r in self.db.execute("SELECT paper FROM contrib WHERE entity = ?", (eid,)))
        return out

    def curated_papers(self) -> set[str]:
        """Papers in which some curation decision matched when they were extracted."""
        return {r[0] for r in self.db.execute("SELECT DISTINCT paper FROM curated")}

    def save_acronyms(self, counts: AcronymCounts) -> None:
        """Replace the stored acronym counts (an ``AcronymCounts``; insertion order kept, it breaks ties)."""
        self.db.execute("DELETE FROM acronym_counts")
        self.db.executemany("INSERT INTO acronym_counts VALUES (?, ?, ?, ?)", (
            (kind, key, form, n) for kind in ACRONYM_KINDS for key, forms in getattr(counts, kind).items()
            for form, n in forms.items() if n > 0))
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('acronyms', 'saved')")

    def load_acronyms(self) -> AcronymCounts | None:
        """The stored ``AcronymCounts``, or None when this index predates them."""
        if self.db.execute("SELECT 1 FROM meta WHERE name = 'acronyms'").fetchone() is None:
            return None
        counts = AcronymCounts()
        for kind, key, form, n in self.db.execute("SELECT * FROM acronym_counts ORDER BY rowid"):
            getattr(counts, kind)[key][form] = n
        return counts

    def save_pairs(self, pairs: Mapping[tuple[str, str, str], int]) -> None:
        """Replace the projection pair tallies (a build: every pair its batches counted)."""
        self.db.execute("DELETE FROM pair_counts")
        self.db.executemany("INSERT INTO pair_counts VALUES (?, ?, ?, ?)",
                            ((k, a, b, n) for (k, a, b), n in sorted(pairs.items()) if n > 0))
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('pairs', 'saved')")

    def has_pairs(self) -> bool:
        """Whether this index keeps pair tallies (indexes of older builds do not)."""
        return self.db.execute("SELECT 1 FROM meta WHERE name = 'pairs'").fetchone() is not None

    def add_pairs(self, delta: Mapping[tuple[str, str, str], int]) -> dict[tuple[str, str, str], int]:
        """Add signed differences to the pair tallies; returns the new total of every pair in ``delta`` (0: gone)."""
        out: dict[tuple[str, str, str], int] = {}
        for (k, a, b), d in sorted(delta.items()):
            if not d:
                continue
            row = self.db.execute("SELECT n FROM pair_counts WHERE kind = ? AND a = ? AND b = ?", (k, a, b)).fetchone()
            n = (row[0] if row else 0) + d
            if n > 0:
                self.db.execute("INSERT OR REPLACE INTO pair_counts VALUES (?, ?, ?, ?)", (k, a, b, n))
            else:
                self.db.execute("DELETE FROM pair_counts WHERE kind = ? AND a = ? AND b = ?", (k, a, b))
            out[k, a, b] = max(n, 0)
        return out

    def pairs_of(self, entities: Iterable[str]) -> dict[tuple[str, str, str], int]:
        """Every pair tally involving one of ``entities``."""
        out: dict[tuple[str, str, str], int] = {}
        for e in sorted(set(entities)):
            for k, a, b, n in self.db.execute("SELECT kind, a, b, n FROM pair_counts WHERE a = ? UNION ALL "
                                              "SELECT kind, a, b, n FROM pair_counts WHERE b = ?", (e, e)):
                out[k, a, b] = n
        return out

    def paper_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM papers").fetchone()[0])
