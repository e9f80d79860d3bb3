"""What every answer of the server carries for the browser's safety, and text made safe to display.

* ``add_security_headers`` (an ``after_request`` hook): ``X-Content-Type-Options: nosniff`` on everything; on HTML
  pages a ``Content-Security-Policy`` (scripts, styles, images and requests from this server only; no plugins, no
  ``<base>``, forms post here, no framing) and ``X-Frame-Options: DENY`` (the same for older browsers).
  Inline scripts and styles are still allowed: the graph view and the query UI are built with them.
* ``public_base``: the server's own base URL, from the ``public_url`` setting (else ``http://host:port`` of the
  settings) — never from the request's ``Host`` header, which any client can set.
* ``neutralise_bidi``: Unicode bidirectional controls (embeddings, overrides, isolates, marks) replaced one for one
  by U+FFFD, so a title such as ``Evil \\u202egnp.exe`` displays as written, not reversed; offsets into the text
  stay valid. ``neutralise`` applies it to every string of a JSON answer except IRIs.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Response, current_app

CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
IRI_KEYS = frozenset({"iri", "from", "to", "id", "focus", "entity", "paper"})


def add_security_headers(resp: Response) -> Response:
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    if resp.mimetype == "text/html":
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
    return resp


def public_base(relative: bool = False) -> str:
    """The server's public base URL without a trailing slash: setting ``public_url``; else ``""`` when a
    relative URL will do (``relative``: a page links its own server), or ``http://host:port`` of the settings."""
    cfg = current_app.config
    url = str(cfg.get("KG_PUBLIC_URL") or "").strip().rstrip("/")
    if url or relative:
        return url
    host = str(cfg.get("KG_HOST") or "127.0.0.1")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{cfg.get('KG_PORT', 8000)}"


def neutralise_bidi(text: str) -> str:
    return BIDI.sub("\ufffd", text)


def neutralise(value: Any, key: str = "") -> Any:
    """``value`` (JSON-like) with bidi controls neutralised in every string but IRIs (keys in ``IRI_KEYS``)."""
    if isinstance(value, str):
        return value if key in IRI_KEYS else neutralise_bidi(value)
    if isinstance(value, dict):
        return {k: neutralise(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [neutralise(v, key) for v in value]
    return value
