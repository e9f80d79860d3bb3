"""rdflib terms → N-Quads text, fast: the wire format between extraction workers and the store's bulk loader.

``nquads(quads)`` formats (s, p, o, graph-or-None) rdflib terms exactly as ``to_ox`` would convert them (the
lexical form is ``str(term)``), so loading the text gives the same graph as ``GraphStore.add_quads``; Oxigraph's
parser validates it on load. About 10× faster than building pyoxigraph terms in Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LIT_ESCAPE = re.compile(r'[\\"\n\r]')
_LIT_MAP = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _needs_escape(lex: str) -> bool:
    return "\\" in lex or '"' in lex or "\n" in lex or "\r" in lex


def _iri(value: str) -> str:
    if _IRI_BAD.search(value):
        value = _IRI_BAD.sub(lambda m: f"\\u{ord(m.group(0)):04X}", value)
    return f"<{value}>"


def term(t: Node) -> str:
    """One rdflib term in N-Quads syntax."""
    if isinstance(t, URIRef):
        return _iri(str(t))
    if isinstance(t, Literal):
        lex = str(t)
        if _needs_escape(lex):  # a substring test is ~10x cheaper than a regex sub on clean text
            lex = _LIT_ESCAPE.sub(lambda m: _LIT_MAP[m.group(0)], lex)
        if t.language:
            return f'"{lex}"@{t.language}'
        if t.datatype is not None and str(t.datatype) != XSD_STRING:
            return f'"{lex}"^^{_iri(str(t.datatype))}'
        return f'"{lex}"'
    if isinstance(t, BNode):
        return f"_:{t}"
    raise TypeError(f"cannot write {t!r} as N-Quads")


def nquads(quads: Iterable[tuple[Node, Node, Node, Node | None]]) -> str:
    """Quads → N-Quads text, one line per quad, in the given order (a None graph is the default graph)."""
    cache: dict[Node, str] = {}

    def fmt(t: Node) -> str:
        s = cache.get(t)
        if s is None:
            s = cache[t] = term(t)
        return s

    lines = []
    for s, p, o, g in quads:
        # Objects: IRIs repeat (entities, classes) and are cached; literals rarely repeat and are not.
        ot = fmt(o) if type(o) is URIRef else term(o)
        if g is None:
            lines.append(f"{fmt(s)} {fmt(p)} {ot} .\n")
        else:
            lines.append(f"{fmt(s)} {fmt(p)} {ot} {fmt(g)} .\n")
    return "".join(lines)
