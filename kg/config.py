"""Every setting, declared once, as a field of ``Settings`` (name, type, default, help).

The same table feeds the CLI help, the Flask config (``KG_<NAME>`` keys) and the
README's settings section. Values come from defaults, then ``KG_<NAME>``
environment variables, then explicit overrides.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kg.errors import ConfigError

ENV_PREFIX = "KG_"


def _setting(default: Any, help: str) -> Any:
    """One setting: its default and what it means (the CLI help, the README table and the Flask config read it)."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every setting, declared once: name, type, default and help. Values come from defaults, then ``KG_<NAME>``
    environment variables, then explicit overrides (``load_settings``)."""

    store_dir: str = _setting("kg-store", "Directory of the embedded Oxigraph store (holds generations + 'current').")
    host: str = _setting("127.0.0.1", "Address `kg serve` binds to.")
    port: int = _setting(8000, "Port `kg serve` listens on.")
    threads: int = _setting(16, "Threads of the production WSGI server (requests served at once).")
    public_url: str = _setting("", "The server's public base URL (e.g. https://kg.example.org); pages and the "
                    "service description name the endpoint with it. Empty: http://<host>:<port> of these "
                    "settings. Never taken from the request's Host header.")
    cors_origins: str = _setting("*", "Origins whose web pages may query /sparql from a browser (CORS): '*' for any, "
                    "a comma-separated list of origins, or empty for none.")
    query_timeout: float = _setting(30.0, "Seconds a SPARQL query, update or graph-view CONSTRUCT may run; then its "
                    "worker process is killed and the client gets 503 query_timeout.")
    row_limit: int = _setting(100_000, "Most result rows (or triples) a query returns over HTTP.")
    max_response_bytes: int = _setting(50_000_000, "Most bytes of one query answer over HTTP; a longer answer is "
                    "cut like one over row_limit.")
    query_workers: int = _setting(12, "Worker processes that run SPARQL queries, updates and graph-view CONSTRUCTs "
                    "(at most this many at once; more wait within their time budget).")
    query_memory_mb: int = _setting(1024, "Memory (MB) one query worker may hold; past it the query is stopped "
                    "with 503 query_memory.")
    server_memory_mb: int = _setting(8192, "Memory ceiling (MB, RSS) of the server and its query workers together; "
                    "past it the biggest running query is stopped with 503 query_memory. 0: no ceiling.")
    query_max_bytes: int = _setting(100_000, "Longest SPARQL query or update accepted, in bytes (400 beyond).")
    query_max_depth: int = _setting(64, "Deepest nesting of brackets ({ ( [) a query may have (400 beyond).")
    max_request_bytes: int = _setting(1_000_000, "Largest accepted HTTP request body, in bytes.")
    update_enabled: bool = _setting(False, "Accept SPARQL Update on /sparql (also needs update_token).")
    update_token: str = _setting("", "Bearer token required for SPARQL Update when enabled.")
    union_default_graph: bool = _setting(True, "Queries without FROM see the union of all graphs (one per paper) as "
                    "their default graph.")
    graph_max_nodes: int = _setting(400, "Most nodes drawn in the first, unfocused graph view.")
    batch_size: int = _setting(64, "Papers per spaCy batch during extraction.")
    n_process: int = _setting(0, "Extraction worker processes for `kg build`/`kg add` (each holds its own pipeline; "
                    "also the worker count of `--dask local`); 0: one per core (os.cpu_count()).")
    task_size: int = _setting(512, "Papers per task sent to an extraction worker (process pool or Dask).")
    dask: str = _setting("", "Run extraction on Dask: a scheduler address (tcp://host:8786), or 'local' for a "
                    "LocalCluster of n_process workers on this machine; empty: no Dask.")
    use_ner: bool = _setting(True, "Run the trained NER model in addition to the curated vocabularies.")
    min_confidence: float = _setting(0.7, "Links whose calibrated confidence is below this are kept as candidates "
                    "(queryable, not asserted as the paper's proposes/uses/… facts). 0.7: where dev precision levels "
                    "off (arxiv-dev 0.85, seed-dev 0.91); 0.4 gives the best dev F1 at precision 0.70/0.85.")
    validate_shapes: bool = _setting(True, "Check every build and update against ontology/shapes.ttl.")
    curation_file: str = _setting("", "Curation decisions (JSON Lines: merge, split, rename, retype, ban) applied to "
                    "every extraction by `kg extract`, `kg build`, `kg add` and `kg curate`; empty: "
                    "<store_dir>/curation.jsonl when that file exists; 'none': no curation.")


@dataclass(frozen=True)
class Setting:
    """One row of the settings table, as the CLI help and the README show it."""

    name: str
    default: Any
    type: type
    help: str


_TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool}
SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name, f.default, _TYPES[f.type] if isinstance(f.type, str) else f.type, f.metadata["help"])
    for f in fields(Settings))


def _coerce(setting: Setting, raw: Any, origin: str) -> Any:
    if isinstance(raw, setting.type) and not (setting.type is int and isinstance(raw, bool)):
        return raw
    text = str(raw).strip()
    try:
        if setting.type is bool:
            if text.lower() in {"1", "true", "yes", "on"}:
                return True
            if text.lower() in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(text)
        return setting.type(text)
    except ValueError:
        raise ConfigError(
            f"{origin}: {text!r} is not a valid {setting.type.__name__} for setting {setting.name!r}"
        ) from None


def load_settings(overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Defaults → ``KG_*`` environment → ``overrides`` (None values ignored) → ``Settings``."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    by_name = {s.name: s for s in SETTINGS}
    for s in SETTINGS:
        key = ENV_PREFIX + s.name.upper()
        if key in env:
            values[s.name] = _coerce(s, env[key], f"environment variable {key}")
    for name, raw in (overrides or {}).items():
        if raw is None:
            continue
        if name not in by_name:
            raise ConfigError(f"unknown setting {name!r}; known: {', '.join(sorted(by_name))}")
        values[name] = _coerce(by_name[name], raw, f"setting {name}")
    return replace(Settings(), **values)


def as_flask_config(settings: Settings) -> dict[str, Any]:
    """``Settings`` → ``{"KG_<NAME>": value}`` for ``app.config``."""
    return {ENV_PREFIX + f.name.upper(): getattr(settings, f.name) for f in fields(settings)}


def from_flask_config(config: Mapping[str, Any]) -> Settings:
    """Inverse of ``as_flask_config`` (unknown keys ignored)."""
    return load_settings(
        {s.name: config[ENV_PREFIX + s.name.upper()] for s in SETTINGS if ENV_PREFIX + s.name.upper() in config},
        env={},
    )


def settings_markdown() -> str:
    """The settings table as Markdown, for the README."""
    rows = [f"| `{s.name}` | `{ENV_PREFIX}{s.name.upper()}` | `{s.default!r}` | {s.help} |" for s in SETTINGS]
    return "\n".join(["| setting | env | default | meaning |", "|---|---|---|---|", *rows])


def worker_count(settings: Settings) -> int:
    """How many extraction processes ``n_process`` asks for: itself, or one per core when it is 0 (the default)."""
    return settings.n_process if settings.n_process > 0 else (os.cpu_count() or 1)


def store_path(settings: Settings) -> Path:
    return Path(settings.store_dir).expanduser()


def curation_path(settings: Settings) -> Path | None:
    """The curation file ``settings`` name: ``curation_file``, else ``<store_dir>/curation.jsonl`` when it exists;
    None for no curation. ``ConfigError`` when a named file does not exist (a typo must not silently curate
    nothing)."""
    value = settings.curation_file.strip()
    if value.lower() == "none":
        return None
    if not value:
        default = store_path(settings) / "curation.jsonl"
        return default if default.is_file() else None
    path = Path(value).expanduser()
    if not path.is_file():
        raise ConfigError(f"curation file {value!r} (setting curation_file) does not exist; create it, or unset "
                          "KG_CURATION_FILE")
    return path
