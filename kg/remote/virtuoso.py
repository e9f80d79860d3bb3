"""The graph in a remote SPARQL 1.1 store, with OpenLink Virtuoso (Debian ``virtuoso-opensource``) as reference.

* ``VirtuosoServer`` — start/stop a private Virtuoso (temp database dir, bound to 127.0.0.1 on given ports);
  what the integration test and a local try-out use. A production Virtuoso is run by its own service.
* ``VirtuosoClient`` — talk to one over its standard interfaces:
  - ``bulk_load_nquads(path)``: Virtuoso's bulk loader (``ld_dir`` + ``rdf_loader_run`` + ``checkpoint`` through
    ``isql``), the documented fast path for millions of quads; the file's directory must be in ``DirsAllowed``;
  - ``put_graph`` / ``delete_graph``: SPARQL 1.1 Graph Store HTTP Protocol (``/sparql-graph-crud-auth``, digest
    auth) — how ``push_papers``/``retract_papers`` mirror ``kg add``/``kg remove`` one named graph per paper;
  - ``update``: SPARQL 1.1 Update over HTTP (``/sparql-auth``); ``select``: SPARQL 1.1 Protocol (``/sparql``).

``kg virtuoso load|push|retract`` drives these from the command line (``load_store``, ``push_papers``,
``retract_papers``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kg.errors import StoreError
from kg.mapping.iris import paper_graph_iri
from kg.namespace import ENTITIES_GRAPH, STATS_GRAPH

VIRTUOSO_BIN = "virtuoso-t"
ISQL_BIN = "isql-vt"
VAD_DIR = "/usr/share/virtuoso-opensource-7/vad"

INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {db}, {load_dir}, {vad}
VADInstallDir = {vad}/
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
MaxClientConnections = 10
ServerThreads = 10
EnabledDavVSP = 0
HTTPProxyEnabled = 0
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 400
DefaultGraph =
"""


def installed() -> bool:
    return shutil.which(VIRTUOSO_BIN) is not None and shutil.which(ISQL_BIN) is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VirtuosoServer:
    """A private Virtuoso in ``db_dir`` on 127.0.0.1 (``start()`` waits until SPARQL answers; ``stop()``)."""

    def __init__(self, db_dir: Path, http_port: int | None = None, isql_port: int | None = None,
                 load_dir: Path | None = None, buffers: int = 20000) -> None:
        self.db_dir = Path(db_dir)
        self.load_dir = Path(load_dir or db_dir)
        self.http_port = http_port or free_port()
        self.isql_port = isql_port or free_port()
        self.buffers = buffers
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    def client(self) -> VirtuosoClient:
        return VirtuosoClient(self.endpoint, isql_port=self.isql_port)

    def start(self, timeout: float = 90.0) -> VirtuosoServer:
        if not installed():
            raise StoreError("Virtuoso is not installed: run scripts/install-system-deps.sh "
                             "(Debian package virtuoso-opensource)")
        self.db_dir.mkdir(parents=True, exist_ok=True)
        ini = self.db_dir / "virtuoso.ini"
        ini.write_text(INI.format(db=self.db_dir, load_dir=self.load_dir, vad=VAD_DIR, isql_port=self.isql_port,
                                  http_port=self.http_port, buffers=self.buffers, dirty=self.buffers * 3 // 4),
                       encoding="utf-8")
        log = open(self.db_dir / "stdout.log", "wb")  # noqa: SIM115  (owned by the process' lifetime)
        self.proc = subprocess.Popen([VIRTUOSO_BIN, "+foreground", "+configfile", str(ini)], cwd=self.db_dir,
                                     stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        client = self.client()
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise StoreError(f"Virtuoso exited at start (code {self.proc.returncode}); see "
                                 f"{self.db_dir / 'virtuoso.log'}")
            try:
                client.select("ASK { ?s ?p ?o }")
                return self
            except (OSError, StoreError):
                time.sleep(0.5)
        self.stop()
        raise StoreError(f"Virtuoso did not answer on {self.endpoint} within {timeout:.0f}s")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(StoreError, subprocess.TimeoutExpired):
                self.client().isql("shutdown();", timeout=20)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        self.proc = None

    def __enter__(self) -> VirtuosoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class VirtuosoClient:
    """SPARQL Protocol, SPARQL Update and Graph Store Protocol against one Virtuoso (``endpoint``: its /sparql)."""

    def __init__(self, endpoint: str, user: str = "dba", password: str = "dba", isql_port: int | None = None,
                 timeout: float = 120.0) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.base = self.endpoint.rsplit("/", 1)[0]
        self.user, self.password, self.isql_port, self.timeout = user, password, isql_port, timeout
        pm = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        pm.add_password(None, self.base, user, password)
        self._auth = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(pm))
        self._plain = urllib.request.build_opener()

    # ------------------------------------------------------------------ HTTP
    def _digest(self, url: str, method: str) -> str | None:
        """A Digest ``Authorization`` header for ``method url``, from a body-less challenge first: sending a large
        body unauthenticated makes Virtuoso answer 401 and close the connection mid-upload (broken pipe)."""
        try:
            with self._plain.open(urllib.request.Request(url, method="OPTIONS"), timeout=self.timeout):
                return None
        except urllib.error.HTTPError as exc:
            header = exc.headers.get("WWW-Authenticate", "")
            if exc.code != 401 or not header.lower().startswith("digest "):
                return None
        except (urllib.error.URLError, OSError):
            return None  # the request itself will say why
        chal = urllib.request.parse_keqv_list(urllib.request.parse_http_list(header[7:]))
        pm = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        pm.add_password(None, self.base, self.user, self.password)
        auth = urllib.request.HTTPDigestAuthHandler(pm).get_authorization(urllib.request.Request(url, method=method),
                                                                           chal)
        return f"Digest {auth}" if auth else None

    def _send(self, req: urllib.request.Request, auth: bool) -> bytes:
        if auth and req.data:
            header = self._digest(req.full_url, req.get_method())
            if header:
                req.add_unredirected_header("Authorization", header)
        try:
            with (self._auth if auth else self._plain).open(req, timeout=self.timeout) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")[:500]
            raise StoreError(f"Virtuoso at {self.base} answered {exc.code}: {body}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(f"cannot reach Virtuoso at {self.base}: {getattr(exc, 'reason', exc)}; is it running, "
                             "and is --endpoint right?") from exc

    def select(self, sparql: str) -> dict[str, Any]:
        """A query over the SPARQL 1.1 Protocol (POST form) → the SPARQL JSON results object."""
        data = urllib.parse.urlencode({"query": sparql}).encode()
        req = urllib.request.Request(self.endpoint, data=data, method="POST",
                                     headers={"Accept": "application/sparql-results+json",
                                              "Content-Type": "application/x-www-form-urlencoded"})
        return json.loads(self._send(req, auth=False))

    def update(self, sparql: str) -> None:
        """SPARQL 1.1 Update over HTTP (authenticated endpoint)."""
        data = urllib.parse.urlencode({"update": sparql}).encode()
        req = urllib.request.Request(self.base + "/sparql-auth", data=data, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        self._send(req, auth=True)

    def _gsp(self, graph: str, method: str, body: bytes | None = None) -> None:
        url = self.base + "/sparql-graph-crud-auth?" + urllib.parse.urlencode({"graph-uri": graph})
        headers = {"Content-Type": "text/turtle; charset=utf-8"} if body is not None else {}
        self._send(urllib.request.Request(url, data=body, method=method, headers=headers), auth=True)

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Graph Store Protocol PUT: the named graph becomes exactly these triples (N-Triples is valid Turtle)."""
        self._gsp(graph, "PUT", ntriples)

    def delete_graph(self, graph: str) -> None:
        """Graph Store Protocol DELETE (a graph that is not there is not an error)."""
        try:
            self._gsp(graph, "DELETE")
        except StoreError as exc:
            if " 404:" not in str(exc):
                raise

    # ------------------------------------------------------------------ isql (bulk loader)
    def isql(self, script: str, timeout: float = 600.0) -> str:
        if self.isql_port is None:
            raise StoreError("the bulk loader needs Virtuoso's isql port (isql_port)")
        host = urllib.parse.urlsplit(self.endpoint).hostname or "127.0.0.1"
        proc = subprocess.run([ISQL_BIN, f"{host}:{self.isql_port}", self.user, self.password, "VERBOSE=OFF",
                               "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF", "ERRORS=STDOUT", f"EXEC={script}"],
                              capture_output=True, timeout=timeout, env=dict(os.environ, LC_ALL="C"))
        out = proc.stdout.decode("utf-8", "replace")
        if proc.returncode != 0 or "*** Error" in out:
            raise StoreError(f"isql failed ({proc.returncode}): {out.strip()[:800]}")
        return out

    def bulk_load_nquads(self, path: Path) -> int:
        """Load an N-Quads file with Virtuoso's bulk loader (named graphs from the file); returns triples loaded.

        The file's directory must be listed in Virtuoso's ``DirsAllowed``.
        """
        path = Path(path).resolve()
        out = self.isql(f"ld_dir('{path.parent}', '{path.name}', 'urn:kg:default'); rdf_loader_run(); checkpoint; "
                        f"SELECT ll_error FROM DB.DBA.LOAD_LIST WHERE ll_file = '{path}' AND ll_error IS NOT NULL;")
        if "ll_error" in out and any(ln.strip() for ln in out.split("ll_error", 1)[1].splitlines()[2:]
                                     if "Rows." not in ln and ln.strip()):
            raise StoreError(f"Virtuoso could not load {path}: {out.strip()[:800]}")
        res = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(res["results"]["bindings"][0]["n"]["value"])


def _graph_ntriples(store: Any, graph: str) -> bytes:
    import pyoxigraph as ox

    triples = (ox.Triple(q.subject, q.predicate, q.object)
               for q in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def push_papers(client: VirtuosoClient, store: Any, paper_ids: Iterable[str], shared: bool = True) -> int:
    """Mirror papers from the embedded store to Virtuoso, one Graph Store PUT per paper graph (after ``kg add``);
    ``shared`` also replaces the entities and stats graphs. Returns the graphs sent."""
    graphs = [str(paper_graph_iri(pid)) for pid in paper_ids]
    if shared:
        graphs += [str(ENTITIES_GRAPH), str(STATS_GRAPH)]
    for g in graphs:
        client.put_graph(g, _graph_ntriples(store, g))
    return len(graphs)


def retract_papers(client: VirtuosoClient, store: Any, paper_ids: Iterable[str]) -> int:
    """Mirror ``kg remove``: drop the papers' graphs and re-send the shared graphs from the embedded store."""
    ids = list(paper_ids)
    for pid in ids:
        client.delete_graph(str(paper_graph_iri(pid)))
    push_papers(client, store, [], shared=True)
    return len(ids)


def load_store(client: VirtuosoClient, store: Any, load_dir: Path) -> int:
    """Export the whole embedded graph (N-Quads, one named graph per paper) into ``load_dir`` — a directory the
    Virtuoso server lists in ``DirsAllowed`` — and bulk-load it; returns the triples Virtuoso then holds."""
    load_dir = Path(load_dir)
    load_dir.mkdir(parents=True, exist_ok=True)
    nq = load_dir / "kg-export.nq"
    with nq.open("wb") as fh:
        store.export("nquads", fh)
    try:
        return client.bulk_load_nquads(nq)
    finally:
        nq.unlink(missing_ok=True)

