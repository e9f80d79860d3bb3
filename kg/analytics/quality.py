"""How trustworthy is the graph, and what should a user curate: ``kg quality``.

``quality_report(store, key)`` reads the store with named single-pattern queries (``quality_*``: entity classes,
paper counts, labels, aliases, supporting extractors, support nodes) — each column once, joined in Python (one
query joining them runs ~100 times slower in Oxigraph: 37 s instead of 1.3 s for 15k entities) — and returns a
``QualityReport`` of tables:

* ``summary`` — entities per type, singletons, variant clusters, multi-type labels (the numbers to compare before
  and after a change);
* ``singletons`` — entities only one paper links, by type and by each extractor that found them (and found them
  alone);
* ``clusters`` — labels or aliases with the same canonical key on different IRIs of one type, each with the
  curation line that merges them (``kg.extract.curation`` format, ready to paste into the curation file; commented
  out when only aliases meet, as one acronym often names several things);
* ``multi_type`` — labels (by canonical key) that exist under several types;
* ``top`` — the most linked entities per type with their support (papers, and papers per extractor).

``key`` is the identity of a name: pass ``kg.extract.normalize.canonical_key`` (analytics does not import the
extraction stage; the CLI passes it).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyoxigraph as ox

from kg.analytics.graph import ENTITY_TYPES, open_store
from kg.namespace import CLASS_TYPE, local_name, resource_path
from kg.store import GraphStore
from kg.store.queries import load_query

SECTIONS = ("summary", "singletons", "clusters", "multi_type", "top")
_TYPE_ORDER: dict[str, int] = {t: i for i, t in enumerate(ENTITY_TYPES)}


@dataclass(frozen=True)
class _Entity:
    iri: str
    id: str
    type: str
    label: str
    papers: int


def _rows(store: GraphStore, name: str) -> Iterator[ox.QuerySolution]:
    # Raw engine solutions (no rdflib conversion): the report reads hundreds of thousands of rows.
    return iter(store.query(load_query(name)))


def _entities(store: GraphStore) -> dict[str, _Entity]:
    """The linked entities (those with a kg:paperCount), from three single-pattern queries joined here."""
    papers = {r["entity"].value: int(r["papers"].value) for r in _rows(store, "quality_paper_counts")}
    labels: dict[str, str] = {}
    for r in _rows(store, "quality_labels"):
        labels.setdefault(r["entity"].value, r["label"].value)
    out: dict[str, _Entity] = {}
    for r in _rows(store, "quality_entity_classes"):
        iri = r["entity"].value
        etype = CLASS_TYPE.get(r["class"].value)
        if etype is None or iri not in papers:
            continue
        out[iri] = _Entity(iri, resource_path(iri) or iri, etype, labels.get(iri, local_name(iri)), papers[iri])
    return out


def _support(store: GraphStore, entities: dict[str, _Entity]) -> dict[str, dict[str, int]]:
    """Entity IRI → {extractor: papers}; an extractor without a kg:ExtractorSupport node found the entity in all its
    papers (kg:paperCount)."""
    found: dict[str, set[str]] = defaultdict(set)
    for r in _rows(store, "quality_support"):
        found[r["entity"].value].add(r["extractor"].value)
    extractor = {r["support"].value: r["extractor"].value for r in _rows(store, "quality_support_extractors")}
    count = {r["support"].value: int(r["papers"].value) for r in _rows(store, "quality_support_papers")}
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for r in _rows(store, "quality_support_nodes"):
        node = r["support"].value
        if node in extractor and node in count:
            counts[r["entity"].value][extractor[node]] = count[node]
    out: dict[str, dict[str, int]] = {}
    for iri, extractors in found.items():
        e = entities.get(iri)
        if e is not None:
            out[iri] = {x: counts.get(iri, {}).get(x, e.papers) for x in extractors}
    return out


def _support_text(support: dict[str, int]) -> str:
    return ", ".join(f"{x} {n}" for x, n in sorted(support.items(), key=lambda kv: (-kv[1], kv[0])))


def merge_line(ids: list[str], into: str, note: str = "") -> str:
    """The curation-file line merging ``ids`` into ``into`` (JSON, as ``kg.extract.curation`` reads it)."""
    decision: dict[str, object] = {"op": "merge", "ids": [into, *sorted(i for i in ids if i != into)], "into": into}
    if note:
        decision["note"] = note
    return json.dumps(decision, ensure_ascii=False)


@dataclass
class QualityReport:
    """The report's tables (``SECTIONS``); ``text()`` is what ``kg quality`` prints, ``json()`` and ``csv()`` the
    machine-readable forms."""

    summary: pd.DataFrame
    singletons: pd.DataFrame
    clusters: pd.DataFrame
    multi_type: pd.DataFrame
    top: pd.DataFrame
    shown: int = 10  # rows the text shows per list (0: all)

    def tables(self, sections: tuple[str, ...] = SECTIONS) -> dict[str, pd.DataFrame]:
        return {s: getattr(self, s) for s in sections}

    def _head(self, df: pd.DataFrame) -> pd.DataFrame:
        return df if not self.shown else df.head(self.shown)

    def text(self, sections: tuple[str, ...] = SECTIONS) -> str:
        out: list[str] = []

        def table(title: str, df: pd.DataFrame) -> None:
            out.extend(["", title, df.to_string(index=False) if not df.empty else "(none)"])

        if "summary" in sections:
            table("quality summary", self.summary)
        if "singletons" in sections:
            table("singleton entities (one paper) by type and extractors", self.singletons)
        if "clusters" in sections:
            shown = self._head(self.clusters)
            table(f"variant clusters: same canonical key, several IRIs of one type ({len(shown)} of "
                  f"{len(self.clusters)}; through a label first, then most papers)", shown.drop(columns=["merge"]))
            if not shown.empty:
                out += ["", ("curation lines that merge them (paste into the curation file; check `into`; the lines "
                             "of clusters met only through aliases are commented out — often one acronym for several "
                             "things):"), *shown["merge"]]
        if "multi_type" in sections:
            shown = self._head(self.multi_type)
            table(f"labels under several types ({len(shown)} of {len(self.multi_type)}, most papers first)", shown)
        if "top" in sections:
            for t, part in self.top.groupby("type", sort=False):
                shown = part if not self.shown else part.head(self.shown)
                table(f"top {t} entities with their support", shown[["rank", "label", "papers", "extractors", "entity"]])
        return "\n".join(out).lstrip("\n") + "\n"

    def json(self, sections: tuple[str, ...] = SECTIONS) -> str:
        return json.dumps({s: df.to_dict(orient="records") for s, df in self.tables(sections).items()},
                          ensure_ascii=False, indent=1) + "\n"

    def csv(self, sections: tuple[str, ...] = SECTIONS) -> str:
        """One CSV table per section; several sections are separated by a ``# <section>`` line (choose one section
        for a file any CSV reader takes)."""
        tables = self.tables(sections)
        if len(tables) == 1:
            return next(iter(tables.values())).to_csv(index=False)
        return "\n".join(f"# {s}\n" + df.to_csv(index=False) for s, df in tables.items())


def quality_report(store: GraphStore | str | Path, key: Callable[[str], str], top: int = 10) -> QualityReport:
    """The quality report of ``store`` (see the module docstring); ``key`` maps a name to its canonical key;
    ``top`` limits the top entities per type (and the rows ``text()`` shows per list; 0: all)."""
    gs = open_store(store)
    memo: dict[str, str] = {}

    def key_of(name: str) -> str:  # labels are keyed twice (clusters, multi-type labels): once is enough
        k = memo.get(name)
        if k is None:
            k = memo[name] = key(name)
        return k

    entities = _entities(gs)
    support = _support(gs, entities)
    aliases: dict[str, set[str]] = defaultdict(set)
    for r in _rows(gs, "quality_aliases"):
        if r["entity"].value in entities:
            aliases[r["entity"].value].add(r["alias"].value)

    per_type = Counter(e.type for e in entities.values())
    # Singletons, by type and by each extractor that found them (alone, or with others in the same paper).
    found: Counter[tuple[str, str]] = Counter()
    alone: Counter[tuple[str, str]] = Counter()
    n_single = 0
    for e in entities.values():
        if e.papers != 1:
            continue
        n_single += 1
        extractors = sorted(support.get(e.iri, {})) or ["(unknown)"]
        found.update((e.type, x) for x in extractors)
        if len(extractors) == 1:
            alone[e.type, extractors[0]] += 1
    singletons = pd.DataFrame(
        [{"type": t, "extractor": x, "singletons": n, "found by it alone": alone[t, x],
          "share of type": round(n / per_type[t], 3)}
         for (t, x), n in sorted(found.items(), key=lambda kv: (_TYPE_ORDER[kv[0][0]], -kv[1], kv[0][1]))],
        columns=["type", "extractor", "singletons", "found by it alone", "share of type"])

    # Variant clusters: one canonical key, several IRIs of one type (labels and aliases).
    by_key: dict[tuple[str, str], set[str]] = defaultdict(set)
    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    by_label: set[tuple[str, str, str]] = set()  # (type, key, IRI) whose label (not only an alias) has the key
    for e in entities.values():
        for name in (e.label, *aliases.get(e.iri, ())):
            k = key_of(name)
            if k:
                by_key[e.type, k].add(e.iri)
                names[e.type, k].add(name)
        by_label.add((e.type, key_of(e.label), e.iri))
    clusters_by_members: dict[frozenset[str], list[tuple[str, str]]] = defaultdict(list)
    for tk, members in by_key.items():
        if len(members) > 1:
            clusters_by_members[frozenset(members)].append(tk)
    cluster_rows: list[dict[str, Any]] = []
    for group, keys in clusters_by_members.items():
        ranked = sorted((entities[i] for i in group), key=lambda e: (-e.papers, len(e.id), e.id))
        labels = sorted({n for tk in keys for n in names[tk]})
        # Only aliases meet (no member's label has the key): often one acronym for different things ("SD":
        # speculative decoding, stable diffusion), so its merge line is written commented out, to review first.
        via_label = any((t, k, i) in by_label for t, k in keys for i in group)
        line = merge_line([e.id for e in ranked], ranked[0].id, "variants: " + " / ".join(labels))
        cluster_rows.append({
            "type": keys[0][0], "key": ", ".join(sorted(k for _, k in keys)), "labels": " / ".join(labels),
            "via": "label" if via_label else "alias only",
            "entities": ", ".join(f"{e.id} ({e.papers})" for e in ranked), "papers": sum(e.papers for e in ranked),
            "merge": line if via_label else "# " + line})
    clusters = pd.DataFrame(sorted(cluster_rows, key=lambda r: (r["via"] != "label", -r["papers"],
                                                                _TYPE_ORDER[r["type"]], r["key"])),
                            columns=["type", "key", "labels", "via", "entities", "papers", "merge"])

    # Labels under several types (by canonical key of the label).
    labelled: dict[str, list[_Entity]] = defaultdict(list)
    for e in entities.values():
        k = key_of(e.label)
        if k:
            labelled[k].append(e)
    multi_rows: list[dict[str, Any]] = []
    for same in labelled.values():
        types = Counter[str]()
        for e in same:
            types[e.type] += e.papers
        if len(types) < 2:
            continue
        ranked = sorted(same, key=lambda e: (-e.papers, e.id))
        multi_rows.append({
            "label": ranked[0].label,
            "types": ", ".join(f"{t} {n}" for t, n in sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))),
            "entities": ", ".join(e.id for e in ranked), "papers": sum(types.values())})
    multi_type = pd.DataFrame(sorted(multi_rows, key=lambda r: (-r["papers"], r["label"])),
                              columns=["label", "types", "entities", "papers"])

    # The most linked entities per type, with their support.
    top_rows = []
    for t in ENTITY_TYPES:
        ranked = sorted((e for e in entities.values() if e.type == t), key=lambda e: (-e.papers, e.label.lower(), e.id))
        for i, e in enumerate(ranked[:top] if top else ranked):
            top_rows.append({"type": t, "rank": i + 1, "label": e.label, "papers": e.papers,
                             "extractors": _support_text(support.get(e.iri, {})), "entity": e.id})
    top_df = pd.DataFrame(top_rows, columns=["type", "rank", "label", "papers", "extractors", "entity"])

    in_clusters = set().union(*clusters_by_members)
    summary_rows: list[tuple[str, int | float]] = [(f"{t} entities", per_type.get(t, 0)) for t in ENTITY_TYPES]
    summary_rows += [
        ("entities", len(entities)),
        ("singleton entities (one paper)", n_single),
        ("singleton share", round(n_single / len(entities), 3) if entities else 0.0),
        ("variant clusters", len(clusters)),
        ("of which through a label", int((clusters["via"] == "label").sum())),
        ("IRIs in variant clusters", len(in_clusters)),
        ("links to them", sum(entities[i].papers for i in in_clusters)),
        ("labels under several types", len(multi_type)),
    ]
    # object dtype: counts stay integers beside the one share
    summary = pd.DataFrame({"measure": [m for m, _ in summary_rows],
                            "value": pd.Series([v for _, v in summary_rows], dtype=object)})
    return QualityReport(summary, singletons, clusters, multi_type, top_df, shown=top)
