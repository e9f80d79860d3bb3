"""Projections of the paper–entity graph: entity–entity co-occurrence graphs and paper–paper similarity.

Input is a graph from ``to_networkx`` (papers linked to entities). Output:

* ``co_occurrence(g, "method")`` — methods joined when papers use them together; edge ``weight`` =
  number of shared papers (``method_co_usage`` is this for methods);
* ``dataset_task(g)`` — datasets joined to tasks that the same papers evaluate on / address;
* ``paper_similarity(g, measure)`` — a DataFrame of paper pairs that share entities, scored by
  Jaccard (|shared| / |union|) or Adamic–Adar (Σ over shared entities of 1 / log(papers linked to it));
* ``similar_papers(g, paper)`` — the papers most similar to one paper.

Projected nodes keep their attributes; projected edges carry ``weight`` and a ``relation``
naming the projection ("coOccursWith", "datasetTask", "similarTo"), so ``to_rdf`` leaves them out.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import combinations
from typing import Literal

import networkx as nx
import pandas as pd

from kg.analytics.graph import ENTITY_TYPES, AnalyticsError, find_node

Measure = Literal["jaccard", "adamic_adar"]
MEASURES: tuple[str, ...] = ("jaccard", "adamic_adar")


def _papers(g: nx.Graph) -> Iterator[str]:
    return (n for n, t in g.nodes(data="type") if t == "paper")


def _entities_of(g: nx.Graph, paper: str, types: set[str] | None) -> list[str]:
    return sorted(nb for nb in g[paper] if g.nodes[nb].get("type") != "paper"
                  and (types is None or g.nodes[nb].get("type") in types))


def _types(entity_types: Iterable[str] | str | None) -> set[str] | None:
    if entity_types is None:
        return None
    chosen = {entity_types} if isinstance(entity_types, str) else set(entity_types)
    unknown = chosen - set(ENTITY_TYPES)
    if unknown:
        raise AnalyticsError(f"unknown entity type(s) {sorted(unknown)}; choose from {', '.join(ENTITY_TYPES)}")
    return chosen


def co_occurrence(g: nx.Graph, entity_types: Iterable[str] | str = "method", *, min_papers: int = 1) -> nx.Graph:
    """Entities of ``entity_types`` joined when at least ``min_papers`` papers link to both.

    Edge attributes: ``weight`` (shared papers), ``relation`` = "coOccursWith". Isolated entities
    of those types are kept as nodes, so degree 0 means "never used together with another".
    """
    types = _types(entity_types) or set(ENTITY_TYPES)
    out = nx.Graph()
    for n, attrs in g.nodes(data=True):
        if attrs.get("type") in types:
            out.add_node(n, **attrs)
    pairs: Counter[tuple[str, str]] = Counter()
    for paper in _papers(g):
        pairs.update(combinations(_entities_of(g, paper, types), 2))
    for (a, b), n in pairs.items():
        if n >= min_papers:
            out.add_edge(a, b, weight=n, relation="coOccursWith")
    return out


def method_co_usage(g: nx.Graph, *, min_papers: int = 1) -> nx.Graph:
    """Methods joined by the number of papers that link to both (``co_occurrence`` for methods)."""
    return co_occurrence(g, "method", min_papers=min_papers)


def dataset_task(g: nx.Graph, *, min_papers: int = 1) -> nx.Graph:
    """Bipartite dataset–task graph: an edge when ``min_papers`` papers link to both; ``weight`` = papers."""
    out = nx.Graph()
    pairs: Counter[tuple[str, str]] = Counter()
    for paper in _papers(g):
        datasets = _entities_of(g, paper, {"dataset"})
        tasks = _entities_of(g, paper, {"task"})
        pairs.update((d, t) for d in datasets for t in tasks)
    for n, attrs in g.nodes(data=True):
        if attrs.get("type") in ("dataset", "task"):
            out.add_node(n, **attrs)
    for (d, t), n in pairs.items():
        if n >= min_papers:
            out.add_edge(d, t, weight=n, relation="datasetTask")
    return out


def projection_table(p: nx.Graph) -> pd.DataFrame:
    """Edges of a projection as a table, heaviest first: ``a``, ``b``, labels, ``weight``."""
    rows = [{"a": u, "label_a": p.nodes[u].get("label", u), "b": v, "label_b": p.nodes[v].get("label", v),
             "weight": w} for u, v, w in p.edges(data="weight", default=1)]
    df = pd.DataFrame(rows, columns=["a", "label_a", "b", "label_b", "weight"])
    return df.sort_values(["weight", "label_a", "label_b"], ascending=[False, True, True], ignore_index=True)


# ---------------------------------------------------------------- paper–paper similarity


def _score(measure: str, shared: list[str], na: int, nb: int, degree: dict[str, int]) -> float:
    if measure == "jaccard":
        return len(shared) / (na + nb - len(shared))
    return sum(1.0 / math.log(degree[e]) for e in shared if degree[e] > 1)


def _check_measure(measure: str) -> None:
    if measure not in MEASURES:
        raise AnalyticsError(f"unknown similarity measure {measure!r}; choose from {', '.join(MEASURES)}")


def paper_similarity(g: nx.Graph, measure: Measure = "jaccard", *, entity_types: Iterable[str] | None = None,
                     min_shared: int = 1, max_entity_papers: int = 1000, top: int | None = None) -> pd.DataFrame:
    """Paper pairs that share entities, most similar first.

    Args:
        g: a ``to_networkx`` graph.
        measure: "jaccard" or "adamic_adar" (shared entities weighted by 1 / log of how many papers link to them).
        entity_types: count only these entity types as shared (default all).
        min_shared: keep pairs sharing at least this many entities.
        max_entity_papers: entities linked to more papers than this do not generate candidate pairs (they
            would create millions of pairs and, for Adamic–Adar, contribute almost nothing); they still count
            in the scores of pairs found through other entities.
        top: keep only the ``top`` best pairs.

    Returns:
        Columns ``paper_a``, ``paper_b``, ``title_a``, ``title_b``, ``shared`` (count), ``shared_labels``, ``score``.
    """
    _check_measure(measure)
    types = _types(entity_types)
    ents = {p: _entities_of(g, p, types) for p in _papers(g)}
    degree = {e: sum(1 for nb in g[e] if g.nodes[nb].get("type") == "paper") for es in ents.values() for e in es}
    members: dict[str, list[str]] = {}
    for p, es in ents.items():
        for e in es:
            members.setdefault(e, []).append(p)
    candidates: set[tuple[str, str]] = set()
    for ps in members.values():
        if 1 < len(ps) <= max_entity_papers:
            candidates.update(combinations(sorted(ps), 2))
    rows = []
    for a, b in candidates:
        shared = sorted(set(ents[a]) & set(ents[b]))
        if len(shared) < min_shared:
            continue
        rows.append({"paper_a": a, "paper_b": b, "title_a": g.nodes[a].get("label", a),
                     "title_b": g.nodes[b].get("label", b), "shared": len(shared),
                     "shared_labels": "; ".join(sorted(str(g.nodes[e].get("label", e)) for e in shared)),
                     "score": _score(measure, shared, len(ents[a]), len(ents[b]), degree)})
    cols = ["paper_a", "paper_b", "title_a", "title_b", "shared", "shared_labels", "score"]
    df = pd.DataFrame(rows, columns=cols)
    df = df.sort_values(["score", "shared", "paper_a", "paper_b"], ascending=[False, False, True, True],
                        ignore_index=True)
    return df.head(top).reset_index(drop=True) if top is not None else df


def similarity_graph(g: nx.Graph, measure: Measure = "jaccard", *, min_score: float = 0.0, **kw: object) -> nx.Graph:
    """Papers joined by their similarity (edge ``weight`` = score, ``relation`` = "similarTo")."""
    df = paper_similarity(g, measure, **kw)  # type: ignore[arg-type]
    out = nx.Graph()
    for row in df.itertuples(index=False):
        if row.score >= min_score:
            for p in (row.paper_a, row.paper_b):
                if p not in out:
                    out.add_node(p, **g.nodes[p])
            out.add_edge(row.paper_a, row.paper_b, weight=float(row.score), shared=int(row.shared),
                         relation="similarTo")
    return out


def similar_papers(g: nx.Graph, paper: str, measure: Measure = "jaccard", *, k: int = 10,
                   entity_types: Iterable[str] | None = None) -> pd.DataFrame:
    """The ``k`` papers most similar to ``paper`` (IRI or exact title), by shared entities.

    Returns:
        Columns ``paper``, ``title``, ``shared``, ``shared_labels``, ``score``, most similar first.
    """
    _check_measure(measure)
    types = _types(entity_types)
    src = find_node(g, paper)
    if g.nodes[src].get("type") != "paper":
        raise AnalyticsError(f"{paper!r} is a {g.nodes[src].get('type')}, not a paper")
    mine = set(_entities_of(g, src, types))
    rows = []
    others = {p for e in mine for p in g[e] if p != src and g.nodes[p].get("type") == "paper"}
    for p in others:
        theirs = set(_entities_of(g, p, types))
        shared = sorted(mine & theirs)
        degree = {e: sum(1 for nb in g[e] if g.nodes[nb].get("type") == "paper") for e in shared}
        rows.append({"paper": p, "title": g.nodes[p].get("label", p), "shared": len(shared),
                     "shared_labels": "; ".join(sorted(str(g.nodes[e].get("label", e)) for e in shared)),
                     "score": _score(measure, shared, len(mine), len(theirs), degree)})
    df = pd.DataFrame(rows, columns=["paper", "title", "shared", "shared_labels", "score"])
    df = df.sort_values(["score", "shared", "paper"], ascending=[False, False, True], ignore_index=True)
    return df.head(k).reset_index(drop=True)
