"""Communities: Louvain clusters of the graph, each labelled by its most connected entities.

``communities(g)`` runs networkx's ``louvain_communities`` with a fixed seed (same graph, same
clusters) and returns ``Community`` records, largest first; ``communities_table`` is the same as a
DataFrame; ``assign_communities`` writes a ``community`` node attribute (for export or the graph view).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import networkx as nx
import pandas as pd

DEFAULT_SEED = 42


@dataclass(frozen=True)
class Community:
    """One cluster: ``id`` (0 = largest), its nodes, and a label from its top entities."""

    id: int
    nodes: frozenset[str]
    label: str
    top_entities: tuple[str, ...]
    papers: int
    entities: int
    types: dict[str, int]

    @property
    def size(self) -> int:
        return len(self.nodes)


def _top_entities(g: nx.Graph, nodes: frozenset[str], n: int) -> list[str]:
    """Entities of the community ranked by links inside it, then overall degree, then label."""
    inside = {x: sum(1 for nb in g[x] if nb in nodes) for x in nodes if g.nodes[x].get("type", "paper") != "paper"}
    return sorted(inside, key=lambda x: (-inside[x], -g.degree(x), str(g.nodes[x].get("label", x)), x))[:n]


def communities(g: nx.Graph, *, resolution: float = 1.0, seed: int = DEFAULT_SEED, weight: str | None = "weight",
                label_size: int = 3, min_size: int = 1) -> list[Community]:
    """Louvain communities of ``g``, largest first (ties by label), labelled by their top ``label_size`` entities.

    Args:
        g: a ``to_networkx`` graph or a projection (edge ``weight`` is used when present).
        resolution: above 1 favours smaller communities, below 1 larger ones.
        seed: Louvain's random seed; fixed by default so results are reproducible.
        weight: edge attribute holding weights (missing attributes count as 1).
        label_size: how many top entities make the label.
        min_size: drop communities with fewer nodes (e.g. 2 hides isolated paper–entity pairs).
    """
    if g.number_of_nodes() == 0:
        return []
    parts = nx.community.louvain_communities(g, weight=weight, resolution=resolution, seed=seed)
    found = []
    for part in parts:
        nodes = frozenset(part)
        if len(nodes) < min_size:
            continue
        top = _top_entities(g, nodes, label_size)
        if top:
            label = " / ".join(str(g.nodes[x].get("label", x)) for x in top)
        else:  # a community of papers only (e.g. in a paper-similarity graph)
            label = str(g.nodes[min(nodes)].get("label", min(nodes)))
        types = Counter(str(g.nodes[x].get("type", "")) for x in nodes)
        found.append((nodes, label, tuple(top), types))
    found.sort(key=lambda c: (-len(c[0]), c[1]))
    return [Community(i, nodes, label, top, types.get("paper", 0), len(nodes) - types.get("paper", 0),
                      dict(sorted(types.items())))
            for i, (nodes, label, top, types) in enumerate(found)]


def communities_table(g: nx.Graph, found: list[Community] | None = None, *, top: int | None = None,
                      **kw: object) -> pd.DataFrame:
    """One row per community: ``community``, ``size``, ``papers``, ``entities``, ``label``, ``top_entities``."""
    found = communities(g, **kw) if found is None else found  # type: ignore[arg-type]
    rows = [{"community": c.id, "size": c.size, "papers": c.papers, "entities": c.entities, "label": c.label,
             "top_entities": "; ".join(str(g.nodes[x].get("label", x)) for x in c.top_entities)}
            for c in (found if top is None else found[:top])]
    return pd.DataFrame(rows, columns=["community", "size", "papers", "entities", "label", "top_entities"])


def assign_communities(g: nx.Graph, found: list[Community]) -> None:
    """Set node attribute ``community`` (the community id) on every node of ``g`` in ``found``."""
    for c in found:
        for n in c.nodes:
            if n in g:
                g.nodes[n]["community"] = c.id
