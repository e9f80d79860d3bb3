"""The ``kg`` command line: thin click commands, each parsing options and calling one library function.

User errors (``KGError``) become ``click.ClickException`` with the library's message.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from kg.config import SETTINGS, load_settings
from kg.errors import KGError

_HELP = {s.name: s.help for s in SETTINGS}


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors, and files that cannot be read or written, into clean CLI errors (exit code 1, a
    message on stderr, no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KGError as exc:
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from exc

    return wrapper


def read_text_arg(value: str, what: str) -> str:
    """``value``, or the text of the file it names as ``@FILE`` (a clear error when it cannot be read)."""
    if not value.startswith("@"):
        return value
    path = Path(value[1:])
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise click.ClickException(f"cannot read the {what} file {str(path)!r}: {why}") from None


def echo_skips(report: Any, strict: bool = False) -> None:
    """The skipped input records, one line each, and a summary line, on stderr; exit 1 with ``strict``."""
    for line in report.skip_lines():
        click.echo(line, err=True)
    if strict and report.skipped:
        raise SystemExit(1)


strict_option = click.option("--strict", is_flag=True,
                             help="Exit with an error (status 1) when any input record is skipped; build and add "
                                  "then publish nothing.")


class ProgressBar:
    """A ``progress`` callback drawing a tqdm bar (rate and ETA) on stderr once the paper count is known."""

    def __init__(self, desc: str) -> None:
        self.desc = desc
        self.bar: Any = None

    def start(self, total: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="paper", desc=self.desc, file=sys.stderr, smoothing=0.1, dynamic_ncols=True)

    def __call__(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@contextmanager
def progress_bar(wanted: bool | None, desc: str) -> Iterator[ProgressBar | None]:
    """A ``ProgressBar`` when ``wanted`` (default: when stderr is a terminal), closed afterwards; else None."""
    bar = ProgressBar(desc) if (sys.stderr.isatty() if wanted is None else wanted) else None
    try:
        yield bar
    finally:
        if bar is not None:
            bar.close()


store_option = click.option("--store", "store_dir", type=click.Path(file_okay=False), default=None,
                            help=_HELP["store_dir"] + " [env KG_STORE_DIR; default kg-store]")
curation_option = click.option("--curation", "curation_file", type=click.Path(dir_okay=False), default=None,
                               help=_HELP["curation_file"] + " [env KG_CURATION_FILE]")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg")
def main() -> None:
    """kg: build a knowledge graph of ML papers and query it."""


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(exists=True))
@store_option
@click.option("--no-validate", is_flag=True, help="Skip the SHACL check (not recommended).")
@click.option("--no-ner", is_flag=True, help="Use only the curated vocabularies and patterns.")
@click.option("--processes", "-j", type=int, default=None, help=_HELP["n_process"] + " [env KG_N_PROCESS; default: all cores]")
@click.option("--dask", "dask", default=None, metavar="SCHEDULER", help=_HELP["dask"] + " [env KG_DASK]")
@click.option("--progress/--no-progress", default=None, help="Progress bar with rate and ETA on stderr "
              "[default: when stderr is a terminal].")
@curation_option
@click.option("--allow-empty", is_flag=True, help="Publish the graph even when the inputs give 0 papers.")
@strict_option
@user_errors
def build(inputs: tuple[str, ...], store_dir: str | None, no_validate: bool, no_ner: bool, processes: int | None,
          dask: str | None, progress: bool | None, curation_file: str | None, allow_empty: bool,
          strict: bool) -> None:
    """Build the graph from INPUT files or directories (default: the bundled corpus) and publish it atomically.

    Formats are recognised from content: arXiv metadata JSON Lines (gzip too), arXiv API Atom, Papers with Code
    JSON, CSV/TSV with a title and an abstract column, BibTeX with abstracts, Daily Papers dumps.
    """
    from kg.build import build as run_build

    settings = load_settings({"store_dir": store_dir, "validate_shapes": False if no_validate else None,
                              "use_ner": False if no_ner else None, "n_process": processes, "dask": dask,
                              "curation_file": curation_file})
    with progress_bar(progress, "extract") as bar:
        report = run_build(inputs or None, settings, progress=bar, allow_empty=allow_empty, strict=strict)
    echo_skips(report.ingest)
    click.echo(report.summary())


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@store_option
@click.option("--no-validate", is_flag=True, help="Skip the SHACL check (not recommended).")
@click.option("--processes", "-j", type=int, default=None, help=_HELP["n_process"] + " [env KG_N_PROCESS; default: all cores]")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr [default: on a terminal].")
@curation_option
@click.option("--allow-empty", is_flag=True, help="Publish even when the inputs give 0 papers.")
@strict_option
@user_errors
def add(inputs: tuple[str, ...], store_dir: str | None, no_validate: bool, processes: int | None,
        progress: bool | None, curation_file: str | None, allow_empty: bool, strict: bool) -> None:
    """Add the papers in INPUT files to the graph, replacing papers with the same id; atomic like a build."""
    from kg.build import add as run_add

    settings = load_settings({"store_dir": store_dir, "validate_shapes": False if no_validate else None,
                              "n_process": processes, "curation_file": curation_file})
    with progress_bar(progress, "add") as bar:
        report = run_add(inputs, settings, progress=bar, allow_empty=allow_empty, strict=strict)
    echo_skips(report.ingest)
    click.echo(report.summary())


@main.command()
@store_option
@curation_option
@click.option("--processes", "-j", type=int, default=None, help=_HELP["n_process"] + " [env KG_N_PROCESS; default 1]")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr [default: on a terminal].")
@user_errors
def curate(store_dir: str | None, curation_file: str | None, processes: int | None, progress: bool | None) -> None:
    """Apply the curation file to the graph now: the papers it touches (or touched before an edit) are extracted
    again from their stored title and abstract and replaced; atomic like `kg add`."""
    from kg.build import curate as run_curate

    settings = load_settings({"store_dir": store_dir, "curation_file": curation_file, "n_process": processes})
    with progress_bar(progress, "curate") as bar:
        report = run_curate(settings, progress=bar)
    click.echo(report.summary())


@main.command()
@store_option
@click.option("--top", type=int, default=10, show_default=True,
              help="Top entities per type, and rows shown per list (0: all).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--section", "sections", multiple=True,
              type=click.Choice(["summary", "singletons", "clusters", "multi_type", "top"]),
              help="Only these sections (repeatable; default: all).")
@user_errors
def quality(store_dir: str | None, top: int, fmt: str, sections: tuple[str, ...]) -> None:
    """Singletons by extractor, variant clusters (with the curation lines that merge them), labels under several
    types, and the top entities per type with their support."""
    from kg.analytics.quality import SECTIONS, quality_report
    from kg.extract.normalize import canonical_key

    settings = load_settings({"store_dir": store_dir})
    report = quality_report(settings.store_dir, canonical_key, top)
    chosen = tuple(s for s in SECTIONS if s in sections) or SECTIONS
    text = {"table": report.text, "csv": report.csv, "json": report.json}[fmt](chosen)
    sys.stdout.write(text)


@main.command()
@click.argument("paper_ids", nargs=-1, required=True)
@store_option
@user_errors
def remove(paper_ids: tuple[str, ...], store_dir: str | None) -> None:
    """Retract the papers with these ids (their dcterms:identifier) and everything only they said; atomic."""
    from kg.build import remove as run_remove

    settings = load_settings({"store_dir": store_dir})
    click.echo(run_remove(paper_ids, settings).summary())


@main.command()
@store_option
@click.option("--host", default=None, help=_HELP["host"])
@click.option("--port", type=int, default=None, help=_HELP["port"])
@click.option("--threads", type=int, default=None, help=_HELP["threads"] + " [env KG_THREADS; default 8]")
@click.option("--query-timeout", type=float, default=None,
              help=_HELP["query_timeout"] + " [env KG_QUERY_TIMEOUT; default 30]")
@click.option("--row-limit", type=int, default=None, help=_HELP["row_limit"] + " [env KG_ROW_LIMIT]")
@click.option("--get", "get_path", default=None, help="Answer one GET request for this path in-process and exit.")
@user_errors
def serve(store_dir: str | None, host: str | None, port: int | None, threads: int | None,
          query_timeout: float | None, row_limit: int | None, get_path: str | None) -> None:
    """Serve the SPARQL endpoint, the query UI, the graph view and the landing page (waitress, multi-threaded).

    SPARQL Update stays off unless KG_UPDATE_ENABLED=1 and KG_UPDATE_TOKEN are set in the environment.
    """
    from server import create_app

    settings = load_settings({"store_dir": store_dir, "host": host, "port": port, "threads": threads,
                              "query_timeout": query_timeout, "row_limit": row_limit})
    app = create_app({"store_dir": settings.store_dir, "threads": settings.threads,
                      "query_timeout": settings.query_timeout, "row_limit": settings.row_limit})
    if get_path is not None:
        resp = app.test_client().get(get_path)
        sys.stdout.buffer.write(resp.data)
        if resp.status_code >= 400:
            raise SystemExit(1)
        return
    import socket

    import waitress

    try:  # try the address first: waitress leaks its socket when it cannot bind
        with socket.create_server((settings.host, settings.port), reuse_port=False) as probe:
            probe.close()
        server = waitress.create_server(app, host=settings.host, port=settings.port, threads=settings.threads,
                                        ident="kg")
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc} "
                                   "(is another server using that port? choose another with --port)") from None
    click.echo(f"kg serving {settings.store_dir} on http://{settings.host}:{settings.port}/  (Ctrl+C stops)")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        from server.sparql.engine import ENGINE_KEY

        engine = app.extensions.get(ENGINE_KEY)
        if engine is not None:
            engine.close()


@main.command()
@click.argument("sparql")
@store_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv", "xml"]), default="table",
              help="Output format for SELECT/ASK; CONSTRUCT/DESCRIBE print N-Triples.")
@user_errors
def query(sparql: str, store_dir: str | None, fmt: str) -> None:
    """Run a SPARQL query (text, or @FILE to read it from a file) against the store."""
    from kg.store.cli_query import run_query

    sparql = read_text_arg(sparql, "query")
    settings = load_settings({"store_dir": store_dir})
    sys.stdout.write(run_query(settings.store_dir, sparql, fmt))


@main.command()
@click.option("--format", "fmt", type=click.Choice(["turtle", "nt", "nquads", "trig", "jsonld", "rdfxml"]),
              default="turtle", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Output file (default: stdout).")
@store_option
@user_errors
def export(fmt: str, out: str | None, store_dir: str | None) -> None:
    """Export the graph (quad formats keep one named graph per paper)."""
    from kg.store import GraphStore

    settings = load_settings({"store_dir": store_dir})
    store = GraphStore.open(settings.store_dir)
    if out:
        with open(out, "wb") as fh:
            store.export(fmt, fh)
    else:
        store.export(fmt, sys.stdout.buffer)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="JSONL file to write ('-' for stdout).")
@click.option("--no-ner", is_flag=True, help="Use only the curated vocabularies and patterns.")
@curation_option
@strict_option
@user_errors
def extract(inputs: tuple[str, ...], out: str, no_ner: bool, curation_file: str | None, strict: bool) -> None:
    """Extract entities from INPUT files to JSON Lines, one object per paper (no store involved)."""
    from kg.extract import Extractor
    from kg.extract.curation import curation_summary
    from kg.ingest import IngestReport, read_papers
    from kg.mapping.jsonio import dumps

    report = IngestReport()
    extractor = Extractor(load_settings({"use_ner": False if no_ner else None, "curation_file": curation_file}))
    matches: dict[tuple[str, str], int] = {}
    fh = sys.stdout if out == "-" else open(out, "w", encoding="utf-8")  # noqa: SIM115
    try:
        for ex in extractor.extract(read_papers(inputs, report)):
            for hit in set(ex.curated):
                matches[hit] = matches.get(hit, 0) + 1
            fh.write(dumps(ex) + "\n")
    finally:
        if fh is not sys.stdout:
            fh.close()
    click.echo(f"papers: {report.summary()}", err=True)
    for line in curation_summary(extractor.curation, matches):
        click.echo(line, err=True)
    echo_skips(report, strict)


@main.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--corpus", multiple=True, type=click.Path(exists=True),
              help="Where to find abstracts for GUIDELINE gold without them (default: the bundled corpus).")
@click.option("--errors", "n_errors", type=int, default=0, help="Also print this many error lines (FP/FN).")
@click.option("--limit", type=int, default=None, help="Evaluate only the first N gold documents.")
@click.option("--no-ner", is_flag=True, help="Use only the curated vocabularies and patterns.")
@click.option("--calibration", is_flag=True,
              help="Also print the reliability table of link confidences and P/R per confidence threshold.")
@user_errors
def evaluate(gold: str, corpus: tuple[str, ...], n_errors: int, limit: int | None, no_ner: bool,
             calibration: bool) -> None:
    """Score the extractor on a GOLD file: paper-level P/R/F1 per type (GUIDELINE format) or mention-level
    (exact span + type) for SciERC / GSAP-NER / TDMSci."""
    from kg.evaluation import run_eval
    from kg.extract import Extractor

    # The extractor itself is scored, not the user's curation of it.
    extractor = Extractor(load_settings({"use_ner": False if no_ner else None, "curation_file": "none"}))
    report = run_eval(Path(gold), extractor, [Path(c) for c in corpus] or None, limit)
    click.echo(report.summary(n_errors))
    if calibration:
        click.echo(report.calibration())


@main.command()
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="HTML file to write.")
@click.option("--focus", default=None, help="Draw this paper's or entity's neighbourhood (an IRI).")
@click.option("--query", default=None, help="Draw the graph this SPARQL CONSTRUCT builds (text, or @FILE).")
@click.option("--view", "kind", default="entities", show_default=True,
              type=click.Choice(["entities", "papers", "method-co-use", "task-dataset", "method-dataset",
                                 "architectures"]),
              help="Which overview to draw when neither --focus nor --query is given.")
@click.option("--limit", "max_nodes", type=int, default=None, help=_HELP["graph_max_nodes"] + " [default 400]")
@store_option
@user_errors
def viz(out: str, focus: str | None, query: str | None, kind: str, max_nodes: int | None,
        store_dir: str | None) -> None:
    """Write the graph view as one self-contained HTML file (works offline, no server): drawn nodes can be
    searched, selected (details with abstract and evidence) and filtered; expanding needs `kg serve`."""
    from kg.analytics.views import graph_view
    from kg.viz.export import export_html

    if query:
        query = read_text_arg(query, "query")
    settings = load_settings({"store_dir": store_dir, "graph_max_nodes": max_nodes})
    overview = None if kind == "papers" else (lambda reader, n: graph_view(reader, kind, n))
    summary = export_html(settings.store_dir, out, focus=focus, query=query, max_nodes=settings.graph_max_nodes,
                          overview=overview)
    click.echo(f"wrote {out}: {summary['nodes']} nodes, {summary['edges']} edges")


# ---------------------------------------------------------------- a remote SPARQL store (Virtuoso)


@main.group()
@click.option("--endpoint", required=True, envvar="KG_VIRTUOSO_ENDPOINT", show_envvar=True,
              help="Virtuoso's SPARQL endpoint, e.g. http://127.0.0.1:8890/sparql.")
@click.option("--user", default="dba", envvar="KG_VIRTUOSO_USER", show_envvar=True, show_default=True)
@click.option("--password", default="dba", envvar="KG_VIRTUOSO_PASSWORD", show_envvar=True,
              help="[default: dba]")
@click.option("--isql-port", type=int, default=1111, envvar="KG_VIRTUOSO_ISQL_PORT", show_envvar=True,
              show_default=True, help="Virtuoso's isql port (the bulk loader of `load` runs through it).")
@click.pass_context
def virtuoso(ctx: click.Context, endpoint: str, user: str, password: str, isql_port: int) -> None:
    """Mirror the graph into a Virtuoso server, for graphs one machine's embedded store should not serve."""
    from kg.remote.virtuoso import VirtuosoClient

    ctx.obj = VirtuosoClient(endpoint, user=user, password=password, isql_port=isql_port)


@virtuoso.command(name="load")
@click.option("--dir", "load_dir", required=True, type=click.Path(file_okay=False),
              help="A directory Virtuoso lists in DirsAllowed (the export is written there, loaded, then deleted).")
@store_option
@click.pass_obj
@user_errors
def virtuoso_load(client: Any, load_dir: str, store_dir: str | None) -> None:
    """Bulk-load the whole graph (every named graph) into Virtuoso."""
    from kg.remote.virtuoso import load_store
    from kg.store import GraphStore

    settings = load_settings({"store_dir": store_dir})
    n = load_store(client, GraphStore.open(settings.store_dir), Path(load_dir))
    click.echo(f"Virtuoso now holds {n} triples")


@virtuoso.command(name="push")
@click.argument("paper_ids", nargs=-1, required=True)
@store_option
@click.pass_obj
@user_errors
def virtuoso_push(client: Any, paper_ids: tuple[str, ...], store_dir: str | None) -> None:
    """Send these papers' graphs (after `kg add`) and the shared entities and stats graphs to Virtuoso."""
    from kg.remote.virtuoso import push_papers
    from kg.store import GraphStore

    settings = load_settings({"store_dir": store_dir})
    click.echo(f"sent {push_papers(client, GraphStore.open(settings.store_dir), paper_ids)} graphs")


@virtuoso.command(name="retract")
@click.argument("paper_ids", nargs=-1, required=True)
@store_option
@click.pass_obj
@user_errors
def virtuoso_retract(client: Any, paper_ids: tuple[str, ...], store_dir: str | None) -> None:
    """Drop these papers' graphs from Virtuoso (after `kg remove`) and re-send the shared graphs."""
    from kg.remote.virtuoso import retract_papers
    from kg.store import GraphStore

    settings = load_settings({"store_dir": store_dir})
    retract_papers(client, GraphStore.open(settings.store_dir), paper_ids)
    click.echo(f"retracted {len(paper_ids)} papers")


# ---------------------------------------------------------------- stats and analytics (kg.analytics)

format_option = click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table",
                             show_default=True, help="Aligned text table or CSV.")


def _echo_table(df: Any, fmt: str) -> None:
    if fmt == "csv":
        sys.stdout.write(df.to_csv(index=False))
    elif df.empty:
        click.echo("(no rows)")
    else:
        click.echo(df.to_string(index=False))


@main.command()
@store_option
@click.option("--top", type=int, default=10, show_default=True, help="Top entities to list per type.")
@click.option("--refresh", is_flag=True,
              help="Recompute the materialised statistics in place first (stores built by older versions; "
                   "stop `kg serve` on this store meanwhile).")
@user_errors
def stats(store_dir: str | None, top: int, refresh: bool) -> None:
    """Counts per type and relation and the top entities per type, from the materialised statistics."""
    from kg.analytics import store_summary

    settings = load_settings({"store_dir": store_dir})
    if refresh:
        from kg.store import GraphStore
        from kg.store.stats import refresh_stats

        refresh_stats(GraphStore.open(settings.store_dir, read_only=False))
    click.echo(store_summary(settings.store_dir, top).text(), nl=False)


@main.group()
def analytics() -> None:
    """Graph analytics (networkx): rankings, communities, trends, similar papers, explanation paths."""


@analytics.command()
@click.option("--measure", type=click.Choice(["degree", "pagerank", "betweenness"]), default="pagerank",
              show_default=True)
@click.option("--type", "node_type", type=click.Choice(["paper", "method", "task", "dataset", "metric",
                                                        "architecture"]), default=None,
              help="Rank only nodes of this type (default: the top entities of every type).")
@click.option("--top", type=int, default=10, show_default=True)
@store_option
@format_option
@user_errors
def rank(measure: str, node_type: str | None, top: int, store_dir: str | None, fmt: str) -> None:
    """The most central nodes of the paper–entity graph."""
    from kg.analytics import rank as rank_nodes
    from kg.analytics import to_networkx, top_entities

    settings = load_settings({"store_dir": store_dir})
    g = to_networkx(settings.store_dir)
    df = (rank_nodes(g, measure, node_type=node_type, top=top) if node_type  # type: ignore[arg-type]
          else top_entities(g, measure, n=top))  # type: ignore[arg-type]
    _echo_table(df.drop(columns="node"), fmt)


@analytics.command()
@click.option("--top", type=int, default=10, show_default=True, help="Largest communities to list.")
@click.option("--resolution", type=float, default=1.0, show_default=True,
              help="Louvain resolution: above 1 gives smaller communities.")
@click.option("--seed", type=int, default=42, show_default=True)
@store_option
@format_option
@user_errors
def communities(top: int, resolution: float, seed: int, store_dir: str | None, fmt: str) -> None:
    """Louvain communities of the paper–entity graph, each labelled by its top entities."""
    from kg.analytics import communities_table, to_networkx

    settings = load_settings({"store_dir": store_dir})
    g = to_networkx(settings.store_dir)
    _echo_table(communities_table(g, top=top, resolution=resolution, seed=seed), fmt)


@analytics.command()
@click.option("--type", "entity_type", type=click.Choice(["method", "task", "dataset", "metric", "architecture"]),
              default="architecture", show_default=True)
@click.option("--by", "granularity", type=click.Choice(["year", "month"]), default="year", show_default=True)
@click.option("--top", type=int, default=20, show_default=True)
@click.option("--rising", is_flag=True, help="Show the entities whose share of papers rose most instead.")
@click.option("--falling", is_flag=True, help="Show the entities whose share of papers fell most instead "
              "(with --rising: both, told apart by the trend column).")
@click.option("--min-papers", type=int, default=5, show_default=True,
              help="With --rising/--falling: consider only entities with at least this many dated papers.")
@store_option
@format_option
@user_errors
def trends(entity_type: str, granularity: str, top: int, rising: bool, falling: bool, min_papers: int,
           store_dir: str | None, fmt: str) -> None:
    """Papers per entity per year or month (corpora with dates), or the rising and falling entities."""
    from kg.analytics import papers_per_period, rising_falling, trend_table

    settings = load_settings({"store_dir": store_dir})
    periods = papers_per_period(settings.store_dir, granularity)  # type: ignore[arg-type]
    if periods.empty and fmt == "table":
        click.echo(f"(no rows: no paper in this store has a {'year' if granularity == 'year' else 'date'}, so there "
                   "is no trend. The bundled Hugging Face Daily Papers dumps carry only 'Mar 13'-style dates; build "
                   "from inputs with dates, e.g. arXiv JSON Lines with listing dates.)")
        return
    if (rising or falling) and len(periods) < 2 and fmt == "table":
        click.echo(f"(no rows: a trend compares periods, and this store's dated papers fall in one {granularity}: "
                   f"{', '.join(periods.index)}. Try --by month.)")
        return
    if rising or falling:
        df = rising_falling(settings.store_dir, entity_type, granularity, top=top,  # type: ignore[arg-type]
                            min_papers=min_papers).drop(columns="entity")
        wanted = {"rising"} if rising and not falling else {"falling"} if falling and not rising else None
        if wanted is not None:
            df = df[df["trend"].isin(wanted)]
    else:
        df = trend_table(settings.store_dir, entity_type, granularity, top=top).drop(columns="entity")  # type: ignore[arg-type]
    _echo_table(df, fmt)


@analytics.command()
@click.argument("paper")
@click.option("--measure", type=click.Choice(["jaccard", "adamic_adar"]), default="jaccard", show_default=True)
@click.option("-k", "k", type=int, default=10, show_default=True, help="How many papers.")
@store_option
@format_option
@user_errors
def similar(paper: str, measure: str, k: int, store_dir: str | None, fmt: str) -> None:
    """Papers most similar to PAPER (IRI or exact title) by the entities they share."""
    from kg.analytics import similar_papers, to_networkx

    settings = load_settings({"store_dir": store_dir})
    _echo_table(similar_papers(to_networkx(settings.store_dir), paper, measure, k=k), fmt)  # type: ignore[arg-type]


@analytics.command()
@click.argument("source")
@click.argument("target")
@store_option
@format_option
@user_errors
def path(source: str, target: str, store_dir: str | None, fmt: str) -> None:
    """The shortest chain of papers linking entity SOURCE to entity TARGET (IRIs or exact labels)."""
    from kg.analytics import explain_path, path_text, to_networkx

    settings = load_settings({"store_dir": store_dir})
    steps = explain_path(to_networkx(settings.store_dir), source, target)
    _echo_table(steps, fmt)
    if fmt == "table":
        click.echo("\n" + path_text(steps))
