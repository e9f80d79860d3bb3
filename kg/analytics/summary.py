"""What is in a store, read from the materialised statistics (fast on any corpus size): ``kg stats``.

* ``counts_by_type(store)`` — papers and linked entities per type;
* ``counts_by_relation(store)`` — paper–entity links per relation;
* ``top_by_papers(store, n)`` — the ``n`` entities of each type linked to most papers;
* ``store_summary(store)`` — all three, with ``text()`` for the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kg.analytics.graph import ENTITY_TYPES, TYPE_CLASS, open_store
from kg.namespace import local_name
from kg.store import GraphStore
from kg.store import stats as st


def counts_by_type(store: GraphStore | str | Path) -> pd.DataFrame:
    """Columns ``type``, ``count``: papers, then each entity type (entities linked to at least one paper)."""
    gs = open_store(store)
    by_class = st.class_counts(gs)
    rows = [{"type": "paper", "count": st.paper_total(gs)}]
    rows += [{"type": t, "count": by_class.get(str(TYPE_CLASS[t]), 0)} for t in ENTITY_TYPES]
    return pd.DataFrame(rows, columns=["type", "count"])


def counts_by_relation(store: GraphStore | str | Path) -> pd.DataFrame:
    """Columns ``relation``, ``links``, most links first."""
    rows = [{"relation": local_name(p), "links": n} for p, n in st.property_counts(open_store(store)).items()]
    df = pd.DataFrame(rows, columns=["relation", "links"])
    return df.sort_values(["links", "relation"], ascending=[False, True], ignore_index=True)


def top_by_papers(store: GraphStore | str | Path, n: int = 10,
                  entity_types: tuple[str, ...] = ENTITY_TYPES) -> pd.DataFrame:
    """Columns ``type``, ``rank``, ``label``, ``papers``, ``entity``: the ``n`` most linked entities per type."""
    gs = open_store(store)
    parts = []
    for t in entity_types:
        rows = st.entity_counts(gs, TYPE_CLASS[t])[:n]
        parts.append(pd.DataFrame([{"type": t, "rank": i + 1, "label": r.label, "papers": r.papers,
                                    "entity": r.entity} for i, r in enumerate(rows)],
                                  columns=["type", "rank", "label", "papers", "entity"]))
    return pd.concat(parts, ignore_index=True)


@dataclass
class StoreSummary:
    """Tables describing a store; ``text()`` is what ``kg stats`` prints."""

    types: pd.DataFrame
    relations: pd.DataFrame
    top: pd.DataFrame

    def text(self) -> str:
        out = ["counts per type", self.types.to_string(index=False), "",
               "links per relation", self.relations.to_string(index=False)]
        for t, part in self.top.groupby("type", sort=False):
            if not part.empty:
                out += ["", f"top {t} entities (by papers)",
                        part[["rank", "label", "papers"]].to_string(index=False)]
        return "\n".join(out) + "\n"


def store_summary(store: GraphStore | str | Path, top: int = 10) -> StoreSummary:
    """Counts per type and relation and the ``top`` entities per type, from the stats graph."""
    gs = open_store(store)
    return StoreSummary(counts_by_type(gs), counts_by_relation(gs), top_by_papers(gs, top))
