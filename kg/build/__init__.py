"""The write path: input files → a published store generation.

- ``orchestrate``: ``build`` — read, spool, count acronyms, extract, load, write entities and statistics, publish;
- ``incremental``: ``add`` / ``remove`` / ``curate`` on a copy of the served generation, published the same way;
- ``runners`` / ``dask_runner``: where extraction runs (inline, process pool, Dask), results in input order;
- ``batches``: one batch of papers → N-Quads, shape violations, contributions and statistics tallies;
- ``entities``: contributions → canonical entities → the entities graph;
- ``entity_index``: per-generation SQLite of contributions, what ``add``/``remove`` recompute entities from;
- ``shapes``: the SHACL check; ``spool`` / ``lock``: scratch batches and the one-writer lock.
"""

from kg.build.incremental import UpdateReport, add, curate, remove
from kg.build.orchestrate import BuildReport, build

__all__ = ["BuildReport", "UpdateReport", "add", "build", "curate", "remove"]
