"""Content negotiation, pure: an Accept header and a result kind → the best (format name, media type).

Result kinds: "solutions" (SELECT/ASK) and "graph" (CONSTRUCT/DESCRIBE).
"""

from __future__ import annotations

OFFERS: dict[str, list[tuple[str, str]]] = {
    "solutions": [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("json", "application/json"),
        ("xml", "application/xml"),
        ("html", "text/html"),
    ],
    "graph": [
        ("turtle", "text/turtle"),
        ("nt", "application/n-triples"),
        ("rdfxml", "application/rdf+xml"),
        ("jsonld", "application/ld+json"),
        ("nt", "text/plain"),
        ("turtle", "application/x-turtle"),
        ("rdfxml", "application/xml"),
        ("jsonld", "application/json"),
    ],
}
# ?format=… short names accepted as an override of the Accept header
FORMAT_ALIASES = {"ttl": "turtle", "ntriples": "nt", "n-triples": "nt", "rdf": "rdfxml", "json-ld": "jsonld"}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """'text/csv;q=0.5, */*;q=0.1' → [('text/csv', 0.5), ('*/*', 0.1)], highest q first, order kept on ties."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    items = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if media == "*":  # seen in the wild for */*
            media = "*/*"
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        items.append((media, q, i))
    items.sort(key=lambda t: (-t[1], t[2]))
    return [(m, q) for m, q, _ in items]


def _specificity(pattern: str, media: str) -> int:
    """2 exact, 1 type/*, 0 */*, -1 no match."""
    if pattern == media:
        return 2
    if pattern == "*/*":
        return 0
    if pattern.endswith("/*") and media.startswith(pattern[:-1]):
        return 1
    return -1


def negotiate(accept: str | None, kind: str, fmt: str | None = None) -> tuple[str, str] | None:
    """Best (format, media type) for ``kind``; ``fmt`` (a ?format= value) wins when valid; None → 406.

    Each offer takes the q of the most specific range that matches it (RFC 9110 §12.5.1: ``text/*, text/csv;q=0``
    excludes CSV); q=0 excludes. Among the rest: highest q, then the more specific range (an exact type beats a
    wildcard), then the range the client listed first, then our own order of ``OFFERS``.
    """
    offers = OFFERS[kind]
    if fmt:
        fmt = FORMAT_ALIASES.get(fmt.strip().lower(), fmt.strip().lower())
        for name, media in offers:
            if name == fmt or media == fmt:
                return name, media
        return None
    ranges = parse_accept(accept)
    best: tuple[tuple[float, int, int, int], tuple[str, str]] | None = None
    for offer_index, (name, media) in enumerate(offers):
        match = None  # (specificity, q, position) of the most specific matching range
        for position, (pattern, q) in enumerate(ranges):
            spec = _specificity(pattern, media)
            if spec >= 0 and (match is None or spec > match[0]):
                match = (spec, q, position)
        if match is None or match[1] <= 0:
            continue
        key = (match[1], match[0], -match[2], -offer_index)
        if best is None or key > best[0]:
            best = (key, (name, media))
    return best[1] if best else None
