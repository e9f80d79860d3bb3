"""``/sparql``: the SPARQL 1.1 Protocol endpoint, one module per job.

In: a query by GET ``?query=``, POST form (``query=``) or POST ``application/sparql-query``, with optional
``default-graph-uri`` / ``named-graph-uri`` and an ``Accept`` header (or ``?format=``). Out: SELECT/ASK results as
SPARQL JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE graphs as Turtle, N-Triples, RDF/XML or JSON-LD, streamed as they
are produced; ``406`` when nothing acceptable can be served; ``400`` with the parser's message for a malformed
query; the SPARQL 1.1 Service Description when there is no query at all.

Safe by default:

* read-only: SPARQL Update runs only when ``update_enabled`` is on AND the request carries
  ``Authorization: Bearer <update_token>`` (``update``); it commits by publishing a copy (``engine``, ``workers``);
* ``SERVICE`` and ``LOAD`` are refused from a tokenization of the query, with depth and size limits
  (``kg.store.guard``);
* every query, update and graph-view CONSTRUCT runs in a worker process killed at its deadline, with a memory cap,
  no network, and a crash costing one request (``workers``, ``sandbox``, ``engine``);
* row and byte caps (``row_limit``, ``max_response_bytes``): longer results are cut (``execute``; headers in
  ``routes``);
* a request size limit (``max_request_bytes``, Flask's MAX_CONTENT_LENGTH → 413);
* CORS as the ``cors_origins`` setting says, preflight ``OPTIONS`` answered (``cors``).

Modules: ``protocol`` (request parsing), ``execute`` (one query under a budget → head and answer pieces; what a
worker runs), ``engine`` (where work runs: worker processes, or threads for in-memory stores), ``workers`` (the
process pool), ``sandbox`` (a worker's own limits), ``budget`` (deadline; the in-process pool), ``results``
(result writers), ``service`` (service description), ``update``, ``cors``, ``routes`` (the blueprint).
"""

from server.sparql.routes import bp

__all__ = ["bp"]
