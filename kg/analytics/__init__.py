"""Analytics: the store as networkx graphs, and the numbers researchers ask of it.

Typical session::

    from kg import analytics as ka
    g = ka.to_networkx("kg-store")                      # papers + entities, typed and labelled
    ka.rank(g, "pagerank", node_type="method")          # DataFrame of the most central methods
    ka.communities_table(g, top=3)                      # Louvain clusters, labelled by top entities
    ka.trend_table("kg-store", "architecture", "month") # papers per architecture per month
    ka.explain_path(g, "BERT", "ImageNet")              # shortest chain of papers between two entities
    ka.to_graphml(g, "kg.graphml")

Modules: ``graph`` (store ↔ networkx ↔ RDF / graph view), ``projections`` (co-usage, dataset–task,
paper similarity), ``rankings``, ``communities``, ``trends``, ``paths``, ``export``, ``summary``.
"""

from kg.analytics.communities import Community, assign_communities, communities, communities_table
from kg.analytics.export import (
    EXPORT_FORMATS,
    export,
    export_safe,
    from_node_link_json,
    node_link,
    to_gexf,
    to_graphml,
    to_node_link_json,
)
from kg.analytics.graph import (
    ENTITY_TYPES,
    NODE_TYPES,
    RELATIONS,
    AnalyticsError,
    find_node,
    nodes_of_type,
    open_store,
    to_html,
    to_networkx,
    to_notebook_html,
    to_rdf,
)
from kg.analytics.paths import explain_path, path_text
from kg.analytics.projections import (
    co_occurrence,
    dataset_task,
    method_co_usage,
    paper_similarity,
    projection_table,
    similar_papers,
    similarity_graph,
)
from kg.analytics.rankings import RANK_MEASURES, centrality, rank, top_entities
from kg.analytics.summary import StoreSummary, counts_by_relation, counts_by_type, store_summary, top_by_papers
from kg.analytics.trends import papers_per_period, rising_falling, trend_table

__all__ = [
    "ENTITY_TYPES",
    "EXPORT_FORMATS",
    "NODE_TYPES",
    "RANK_MEASURES",
    "RELATIONS",
    "AnalyticsError",
    "Community",
    "StoreSummary",
    "assign_communities",
    "centrality",
    "co_occurrence",
    "communities",
    "communities_table",
    "counts_by_relation",
    "counts_by_type",
    "dataset_task",
    "explain_path",
    "export",
    "export_safe",
    "find_node",
    "from_node_link_json",
    "method_co_usage",
    "node_link",
    "nodes_of_type",
    "open_store",
    "paper_similarity",
    "papers_per_period",
    "path_text",
    "projection_table",
    "rank",
    "rising_falling",
    "similar_papers",
    "similarity_graph",
    "store_summary",
    "to_gexf",
    "to_graphml",
    "to_html",
    "to_networkx",
    "to_node_link_json",
    "to_notebook_html",
    "to_rdf",
    "top_by_papers",
    "top_entities",
    "trend_table",
]
