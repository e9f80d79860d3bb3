"""Every setting, declared once: (name, default, type, help) → ``Settings``.

The same table feeds the CLI help, the Flask config (``KG_<NAME>`` keys) and the
README's settings section. Values come from defaults, then ``KG_<NAME>``
environment variables, then explicit overrides.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from kg.errors import ConfigError

ENV_PREFIX = "KG_"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    type: type
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("store_dir", "kg-store", str, "Directory of the embedded Oxigraph store (holds generations + 'current')."),
    Setting("host", "127.0.0.1", str, "Address `kg serve` binds to."),
    Setting("port", 8000, int, "Port `kg serve` listens on."),
    Setting("threads", 8, int, "Worker threads of the production WSGI server."),
    Setting("query_timeout", 30.0, float, "Seconds a SPARQL query may run before the client gets a timeout error."),
    Setting("row_limit", 100_000, int, "Most result rows a SELECT returns over HTTP."),
    Setting("max_request_bytes", 1_000_000, int, "Largest accepted HTTP request body, in bytes."),
    Setting("update_enabled", False, bool, "Accept SPARQL Update on /sparql (also needs update_token)."),
    Setting("update_token", "", str, "Bearer token required for SPARQL Update when enabled."),
    Setting("union_default_graph", True, bool,
            "Queries without FROM see the union of all graphs (one per paper) as their default graph."),
    Setting("graph_max_nodes", 400, int, "Most nodes drawn in the first, unfocused graph view."),
    Setting("batch_size", 64, int, "Papers per spaCy batch during extraction."),
    Setting("n_process", 1, int, "Extraction worker processes for `kg build`/`kg add` (each holds its own pipeline; "
            "also the worker count of `--dask local`)."),
    Setting("task_size", 512, int, "Papers per task sent to an extraction worker (process pool or Dask)."),
    Setting("load_bytes", 64_000_000, int, "Buffer extracted N-Quads up to this many bytes before each bulk load into the "
            "store (0: load each task's batch as it comes); fewer, bigger loads cost the store less CPU."),
    Setting("dask", "", str, "Run extraction on Dask: a scheduler address (tcp://host:8786), or 'local' for a "
            "LocalCluster of n_process workers on this machine; empty: no Dask."),
    Setting("use_ner", True, bool, "Run the trained NER model in addition to the curated vocabularies."),
    Setting("validate_shapes", True, bool, "Check every build and update against ontology/shapes.ttl."),
)


def _settings_class() -> type:
    ns = {"__annotations__": {s.name: s.type for s in SETTINGS}}
    ns.update({s.name: s.default for s in SETTINGS})
    ns["__doc__"] = "Resolved settings; one attribute per row of ``SETTINGS``."
    return dataclass(frozen=True)(type("Settings", (), ns))


Settings = _settings_class()


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
    rows = ["| setting | env | default | meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        rows.append(f"| `{s.name}` | `{ENV_PREFIX}{s.name.upper()}` | `{s.default!r}` | {s.help} |")
    return "\n".join(rows)


def store_path(settings: Settings) -> Path:
    return Path(settings.store_dir).expanduser()
