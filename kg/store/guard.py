"""Keyword checks on SPARQL text, pure: which query form it is, whether it names its own dataset, and refusing
``SERVICE`` (and ``LOAD`` in updates) so nothing the project serves ever fetches a URL for a client.

Strings, IRIs and comments are blanked (``\\u`` escapes decoded first) before looking for keywords, so the words
inside them do not count.
"""

from __future__ import annotations

import re

from kg.errors import QueryRefused

_OPAQUE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# a keyword, not part of a prefixed name (ex:service), a variable (?service) or a longer word
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:\-])", re.I)
_LOAD = re.compile(r"(?<![\w:?$])LOAD(?![\w:\-])", re.I)
_FROM = re.compile(r"(?<![\w:?$])FROM(?![\w:\-])", re.I)
_FORM = re.compile(r"(?<![\w:?$])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:\-])", re.I)


def _bare(text: str) -> str:
    """``text`` with \\u escapes decoded and strings, IRIs and comments blanked out."""
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return _OPAQUE.sub(" ", text)


def query_form(query: str) -> str:
    """"SELECT" | "ASK" | "CONSTRUCT" | "DESCRIBE" of a query (after prologue), or "" when none is found."""
    m = _FORM.search(_bare(query))
    return m.group(1).upper() if m else ""


def has_dataset_clause(query: str) -> bool:
    """True when the query names its own dataset (FROM / FROM NAMED)."""
    return bool(_FROM.search(_bare(query)))


def check_allowed(query: str, update: bool = False) -> None:
    """Refuse SERVICE (and LOAD in updates): the server never fetches URLs for a client (``QueryRefused``)."""
    bare = _bare(query)
    if _SERVICE.search(bare):
        raise QueryRefused("SERVICE is not allowed on this endpoint: the server does not fetch remote data")
    if update and _LOAD.search(bare):
        raise QueryRefused("LOAD is not allowed on this endpoint: the server does not fetch remote data")


_UPDATE = re.compile(r"(?<![\w:?$])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)(?![\w:\-])", re.I)


def is_update(text: str) -> bool:
    """True when the text holds a SPARQL Update operation keyword (outside strings, IRIs and comments)."""
    return bool(_UPDATE.search(_bare(text)))
