"""``/sparql``: the SPARQL 1.1 Protocol endpoint, one module per job.

In: a query by GET ``?query=``, POST form (``query=``) or POST ``application/sparql-query``, with optional
``default-graph-uri`` / ``named-graph-uri`` and an ``Accept`` header (or ``?format=``). Out: SELECT/ASK results as
SPARQL JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE graphs as Turtle, N-Triples, RDF/XML or JSON-LD, streamed as they
are produced; ``406`` when nothing acceptable can be served; ``400`` with the parser's message for a malformed
query; the SPARQL 1.1 Service Description when there is no query at all.

Safe by default:

* read-only: SPARQL Update runs only when ``update_enabled`` is on AND the request carries
  ``Authorization: Bearer <update_token>`` (``update``);
* ``SERVICE`` is refused (Oxigraph would fetch the URL for the client), and so is ``LOAD`` in updates
  (``kg.store.guard``);
* a per-query time budget (``query_timeout``): every query runs in a worker of a bounded per-app pool; the
  request waits at most the budget, then answers ``503 query_timeout`` and moves on (``budget``);
* a row cap (``row_limit``): longer results are cut (``execute``; headers in ``routes``);
* a request size limit (``max_request_bytes``, Flask's MAX_CONTENT_LENGTH → 413);
* CORS: any origin may query, preflight ``OPTIONS`` answered (``cors``).

Modules: ``protocol`` (request parsing), ``execute`` (one query under a budget → head and answer pieces; the seam
a pool of worker processes will plug into), ``budget`` (deadline and worker pool), ``results`` (result writers),
``service`` (service description), ``update``, ``cors``, ``routes`` (the blueprint).
"""

from server.sparql.routes import bp

__all__ = ["bp"]
