"""The Flask app factory: ``create_app(config=None)``.

Settings come from defaults → ``KG_*`` environment → ``config`` (setting names,
with or without the ``KG_`` prefix; other upper-case keys go to Flask as they are,
e.g. ``TESTING``). The store is opened lazily into ``app.extensions`` (read-only unless SPARQL Update is
enabled), next to the cache of its readers; one blueprint per feature. The server never imports spaCy.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from kg.config import ENV_PREFIX, SETTINGS, as_flask_config, load_settings
from kg.store.read import ReaderCache
from server import api, graph, query_ui, sparql, ui
from server.errors import register_error_handlers
from server.security import add_security_headers
from server.store_access import EXTENSION_KEY, READERS_KEY, StoreHandle


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    names = {s.name for s in SETTINGS}
    overrides: dict[str, Any] = {}
    flask_extra: dict[str, Any] = {}
    for key, value in (config or {}).items():
        name = key[len(ENV_PREFIX):].lower() if key.startswith(ENV_PREFIX) else key
        if name in names:
            overrides[name] = value
        else:
            flask_extra[key] = value
    settings = load_settings(overrides)
    app = Flask(__name__)
    app.config.update(as_flask_config(settings))
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.config.update(flask_extra)
    app.extensions[EXTENSION_KEY] = StoreHandle(Path(settings.store_dir).expanduser(),
                                                writable=settings.update_enabled)
    app.extensions[READERS_KEY] = ReaderCache()
    register_error_handlers(app)
    app.after_request(add_security_headers)
    for bp in (ui.bp, sparql.bp, query_ui.bp, graph.bp, api.bp):
        app.register_blueprint(bp)
    return app
