"""What a SPARQL text may do before any engine sees it: a tokenizer of the SPARQL 1.1 grammar's terminals, and the
checks made on its tokens. Pure: no engine, no I/O.

In: query or update text. Out: ``check_allowed`` raises ``QueryRefused`` (403) for ``SERVICE`` and ``LOAD`` (the
only SPARQL operations that make Oxigraph fetch a URL) and ``QueryError`` (400) for a text that is too big, nested
too deeply, has too long a chain of operators, or has an invalid ``\\u``/``\\U`` escape; ``query_form``,
``has_dataset_clause`` and ``is_update`` answer from the same tokens.

Why a tokenizer and not a regex over the text: the text is cut into the grammar's terminals (SPARQL 1.1 §19.8) —
IRIs ``<…>``, the four string forms with their escapes, ``#`` comments, variables, prefixed names with their local
escapes (``ex:a\\#``, ``ex:it\\'s``: a ``#`` or ``'`` inside a name is neither a comment nor a string), blank node
labels, numbers and keywords — so ``SERVICE`` counts only where it is a keyword, whatever is written around it.
``\\u``/``\\U`` escapes are decoded first, as the grammar says (§19.2), so ``\\u0053ERVICE`` is ``SERVICE``.

Why limits: Oxigraph parses and evaluates recursively, so deep nesting or long operator chains overflow its stack
and kill the process (measured with pyoxigraph 0.5.13 on an 8 MB main-thread stack: 1,600–3,200 nested ``{``,
3,200–6,400 nested ``(``, 800–1,600 nested ``CONCAT``, 6,400–12,800 terms of ``1+1+…`` or ``UNION`` branches or
``|`` alternatives). ``MAX_CHAIN`` operands per bracket level and the ``query_max_depth`` setting (default 64)
stay far below that; queries also run in worker processes with a 64 MB stack, so a crash that slips through
costs one request, not the server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.errors import QueryError, QueryRefused

DEFAULT_MAX_BYTES = 100_000
DEFAULT_MAX_DEPTH = 64
MAX_CHAIN = 1000  # operators (UNION, ||, &&, +, -, *, /, |, ^, ',', '.', ';') between two brackets of one level

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_WS = re.compile(r"\s+")
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_STRINGS = (
    re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""', re.S),
    re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''", re.S),
    re.compile(r'"(?:[^"\\\n\r]|\\.)*"'),
    re.compile(r"'(?:[^'\\\n\r]|\\.)*'"),
)
_PN_CHARS_BASE = (r"A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
                  r"\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = rf"(?:[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?"
_LOCAL = rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_PNAME = re.compile(rf"{_PREFIX}:(?:{_LOCAL})?")
_BNODE = re.compile(rf"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?")
_VAR = re.compile(rf"[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*")
_LANG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_NUMBER = re.compile(r"[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PUNCT = re.compile(r"\^\^|\|\||&&|!=|<=|>=|[{}()\[\].,;|/^*+\-=<>!?$@:]")
_OPEN, _CLOSE = "({[", ")}]"
_CHAIN_OPS = frozenset({"||", "&&", "|", "/", "^", "+", "-", "*", ",", ".", ";", "=", "!=", "<", ">", "<=", ">="})
_NETWORK = ("SERVICE", "LOAD")  # the operations with which Oxigraph fetches a URL
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"})


@dataclass(frozen=True)
class Token:
    kind: str  # iri, string, comment, var, pname, bnode, lang, number, word, punct, other
    text: str


def decode_escapes(text: str) -> str:
    """``text`` with SPARQL's ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes decoded (§19.2); ``QueryError`` for an escape
    that names no Unicode character (beyond U+10FFFF, or a lone surrogate)."""
    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryError(f"invalid escape {m.group(0)}: it names no Unicode character")
        return chr(code)

    return _ESCAPE.sub(char, text)


def tokens(text: str) -> Iterator[Token]:
    """The terminals of ``text`` (escapes already decoded), comments included; whitespace dropped."""
    pos, n = 0, len(text)
    while pos < n:
        if m := _WS.match(text, pos):
            pos = m.end()
            continue
        c = text[pos]
        m = None
        kind = "other"
        if c == "#":
            end = text.find("\n", pos)
            end = n if end < 0 else end
            yield Token("comment", text[pos:end])
            pos = end
            continue
        if c == "<":
            m, kind = _IRI.match(text, pos), "iri"
        elif c in "\"'":
            m = next((s for p in _STRINGS if (s := p.match(text, pos))), None)
            kind = "string"
            if m is None:
                raise QueryError(f"unterminated string starting at character {pos}")
        elif c in "?$":
            m, kind = _VAR.match(text, pos), "var"
        elif c == "_" and text.startswith("_:", pos):
            m, kind = _BNODE.match(text, pos), "bnode"
        elif c == "@":
            m, kind = _LANG.match(text, pos), "lang"
        elif c.isdigit() or (c == "." and pos + 1 < n and text[pos + 1].isdigit()):
            m, kind = _NUMBER.match(text, pos), "number"
        if m is None and (c == ":" or c.isalpha() or ord(c) >= 0x80):
            m, kind = _PNAME.match(text, pos), "pname"
            if m is None or m.end() == pos:
                m, kind = _WORD.match(text, pos), "word"
        if m is None or m.end() == pos:
            m, kind = _PUNCT.match(text, pos), "punct"
        if m is None or m.end() == pos:
            yield Token("other", c)
            pos += 1
            continue
        yield Token(kind, m.group(0))
        pos = m.end()


def _words(text: str) -> Iterator[str]:
    for t in tokens(decode_escapes(text)):
        if t.kind == "word":
            yield t.text.upper()


def check_allowed(query: str, update: bool = False, max_bytes: int = DEFAULT_MAX_BYTES,
                  max_depth: int = DEFAULT_MAX_DEPTH) -> None:
    """Refuse what must never reach the engine: ``SERVICE``/``LOAD`` (``QueryRefused``: the server never fetches
    URLs for a client), and texts over ``max_bytes``, nested deeper than ``max_depth`` brackets or with more than
    ``MAX_CHAIN`` operators on one level (``QueryError``: they would crash or stall the engine)."""
    size = len(query.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise QueryError(f"the {'update' if update else 'query'} is {size:,} bytes; at most {max_bytes:,} are "
                         "accepted (setting query_max_bytes)")
    depth = 0
    chains = [0]
    for t in tokens(decode_escapes(query)):
        if t.kind == "word" and t.text.upper() in _NETWORK:
            raise QueryRefused(f"{t.text.upper()} is not allowed on this endpoint: the server does not fetch "
                               "remote data")
        if t.kind == "punct" and t.text in _OPEN:
            depth += 1
            chains.append(0)
            if depth > max_depth:
                raise QueryError(f"brackets are nested more than {max_depth} deep (setting query_max_depth); "
                                 "flatten the query")
        elif t.kind == "punct" and t.text in _CLOSE:
            depth = max(0, depth - 1)
            if len(chains) > 1:
                chains.pop()
        elif (t.kind == "punct" and t.text in _CHAIN_OPS) or (t.kind == "word" and t.text.upper() == "UNION"):
            chains[-1] += 1
            if chains[-1] > MAX_CHAIN:
                raise QueryError(f"more than {MAX_CHAIN} operators (UNION, ||, +, |, '.', …) in one group; "
                                 "split the query")


def query_form(query: str) -> str:
    """"SELECT" | "ASK" | "CONSTRUCT" | "DESCRIBE" of a query (after prologue), or "" when none is found."""
    return next((w for w in _words(query) if w in _FORMS), "")


def has_dataset_clause(query: str) -> bool:
    """True when the query names its own dataset (FROM / FROM NAMED)."""
    return "FROM" in set(_words(query))


def is_update(text: str) -> bool:
    """True when the text holds a SPARQL Update operation keyword (outside strings, IRIs, names and comments)."""
    return any(w in _UPDATE_WORDS for w in _words(text))
