"""Trends: papers per entity per year or month, and which entities rise or fall.

Reads the store, not a networkx graph: per-entity counts come from the materialised statistics
(``kg.store.stats``), so a trend table over the whole arXiv corpus is a quick lookup. Architectures are
special: a paper counts for an architecture when it links to it directly *or* to a method built on
it (``kg:hasArchitecture``), and with ``rollup=True`` a sub-architecture's papers also count for its
ancestors (encoder-only → transformer).

* ``papers_per_period(store)`` — Series: papers per period;
* ``trend_table(store, "architecture")`` — one row per entity, one column per period, plus ``total``;
* ``rising_falling(store, "method")`` — entities whose share of papers grew or shrank most between
  the early and the late periods.

Periods are "2025" (granularity "year", from ``kg:year``) or "2025-03" ("month", from ``dcterms:date``).
Papers without a date are not counted; a corpus without dates gives empty tables.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path
from typing import Literal

import pandas as pd

from kg.analytics.graph import ENTITY_TYPES, TYPE_CLASS, AnalyticsError, open_store
from kg.store import GraphStore
from kg.store import stats as st

Granularity = Literal["year", "month"]
GRANULARITIES: tuple[str, ...] = ("year", "month")


def _check(entity_type: str, granularity: str) -> None:
    if entity_type not in ENTITY_TYPES:
        raise AnalyticsError(f"unknown entity type {entity_type!r}; choose from {', '.join(ENTITY_TYPES)}")
    if granularity not in GRANULARITIES:
        raise AnalyticsError(f"unknown granularity {granularity!r}; choose from {', '.join(GRANULARITIES)}")


def papers_per_period(store: GraphStore | str | Path, granularity: Granularity = "year") -> pd.Series:
    """Number of papers per period (index: period strings, oldest first)."""
    if granularity not in GRANULARITIES:
        raise AnalyticsError(f"unknown granularity {granularity!r}; choose from {', '.join(GRANULARITIES)}")
    counts = st.paper_periods(open_store(store), granularity)
    return pd.Series(counts, name="papers", dtype="int64").rename_axis("period")


def _architecture_counts(gs: GraphStore, granularity: str, rollup: bool) -> tuple[dict[str, str], Counter]:
    ancestors: dict[str, set[str]] = defaultdict(set)
    if rollup:
        for r in gs.named("analytics_architecture_ancestors"):
            ancestors[str(r["arch"])].add(str(r["ancestor"]))
    labels = {str(r["arch"]): str(r["label"]) for r in gs.named("analytics_architecture_labels")}
    seen: set[tuple[str, str, str]] = set()
    for r in gs.named("analytics_paper_architectures"):
        if granularity == "year":
            period = str(r["year"]) if r["year"] is not None else None
        else:
            period = st.month_of(str(r["date"]) if r["date"] is not None else None)
        arch = str(r["arch"])
        if period is None:
            continue
        for a in {arch} | ancestors.get(arch, set()):
            seen.add((a, str(r["paper"]), period))
    return labels, Counter((a, period) for a, _paper, period in seen)


def trend_table(store: GraphStore | str | Path, entity_type: str = "architecture", granularity: Granularity = "year",
                *, min_papers: int = 1, top: int | None = None, rollup: bool = True) -> pd.DataFrame:
    """Papers per entity per period: columns ``entity``, ``label``, one per period, ``total``; biggest first.

    Args:
        store: an open store or a store directory.
        entity_type: one of ``ENTITY_TYPES``.
        granularity: "year" or "month".
        min_papers: drop entities with fewer dated papers in total.
        top: keep only the ``top`` entities by total.
        rollup: architectures only — count sub-architectures' papers for their ancestors too.
    """
    _check(entity_type, granularity)
    gs = open_store(store)
    periods = list(st.paper_periods(gs, granularity))
    if entity_type == "architecture":
        labels, counts = _architecture_counts(gs, granularity, rollup)
    else:
        labels, counts = {}, Counter()
        for r in st.entity_periods(gs, granularity, TYPE_CLASS[entity_type]):
            labels[r.entity] = r.label
            counts[r.entity, r.period] += r.papers
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for (entity, period), n in counts.items():
        table[entity][period] = n
    rows = []
    for entity, per in table.items():
        total = sum(per.values())
        if total >= min_papers:
            rows.append({"entity": entity, "label": labels.get(entity, entity),
                         **{p: per.get(p, 0) for p in periods}, "total": total})
    df = pd.DataFrame(rows, columns=["entity", "label", *periods, "total"])
    for p in [*periods, "total"]:
        df[p] = df[p].astype("int64")
    df = df.sort_values(["total", "label"], ascending=[False, True], ignore_index=True)
    return df.head(top).reset_index(drop=True) if top is not None else df


def rising_falling(store: GraphStore | str | Path, entity_type: str = "method", granularity: Granularity = "month",
                   *, window: int | None = None, min_papers: int = 5, top: int = 10,
                   table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Entities whose share of papers changed most between the first and the last ``window`` periods.

    The share of an entity in a span of periods is its papers there divided by all papers there, so
    corpora that grow over time do not make everything look like it is rising. ``log2_ratio`` compares
    the late share with the early one (with +1 smoothing on the paper counts, so rare entities do not
    dominate); ``change_pp`` is the difference in percentage points.

    Args:
        store: an open store or a store directory.
        entity_type: one of ``ENTITY_TYPES``.
        granularity: "year" or "month".
        window: periods at each end to compare (default: half of the periods, at least 1).
        min_papers: consider entities with at least this many dated papers.
        top: how many rising and how many falling entities to return.
        table: a ``trend_table`` already computed for this store, type and granularity.

    Returns:
        Columns ``trend`` ("rising" / "falling"), ``entity``, ``label``, ``papers``, ``early``, ``late``
        (papers in each span), ``early_share``, ``late_share``, ``change_pp``, ``log2_ratio``. Empty when the
        corpus has fewer than two dated periods.
    """
    gs = open_store(store)
    df = trend_table(gs, entity_type, granularity, min_papers=min_papers) if table is None else table
    totals = papers_per_period(gs, granularity)
    periods = [p for p in totals.index if p in df.columns]
    cols = ["trend", "entity", "label", "papers", "early", "late", "early_share", "late_share", "change_pp",
            "log2_ratio"]
    if len(periods) < 2 or df.empty:
        return pd.DataFrame(columns=cols)
    w = window or max(1, len(periods) // 2)
    w = min(w, len(periods) // 2) or 1
    early_p, late_p = periods[:w], periods[-w:]
    n_early, n_late = int(totals[early_p].sum()), int(totals[late_p].sum())
    out = pd.DataFrame({
        "entity": df["entity"], "label": df["label"], "papers": df["total"],
        "early": df[early_p].sum(axis=1), "late": df[late_p].sum(axis=1),
    })
    out["early_share"] = out["early"] / max(n_early, 1)
    out["late_share"] = out["late"] / max(n_late, 1)
    out["change_pp"] = 100 * (out["late_share"] - out["early_share"])
    out["log2_ratio"] = [math.log2(((late + 1) / (n_late + 1)) / ((early + 1) / (n_early + 1)))
                         for early, late in zip(out["early"], out["late"], strict=True)]
    # Rising: its share grew and it is present late; falling: its share shrank and it was present early (the +1
    # smoothing alone would call an entity absent from both spans "rising" when the late span has fewer papers).
    up = (out["log2_ratio"] > 0) & (out["change_pp"] > 0) & (out["late"] > 0)
    down = (out["log2_ratio"] < 0) & (out["change_pp"] < 0) & (out["early"] > 0)
    rising = out[up].sort_values(["log2_ratio", "papers", "label"], ascending=[False, False, True])
    falling = out[down].sort_values(["log2_ratio", "papers", "label"], ascending=[True, False, True])
    result = pd.concat([rising.head(top).assign(trend="rising"), falling.head(top).assign(trend="falling")],
                       ignore_index=True)
    return result[cols]
