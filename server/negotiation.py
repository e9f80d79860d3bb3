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


def _matches(pattern: str, media: str) -> bool:
    if pattern == "*/*":
        return True
    if pattern.endswith("/*"):
        return media.startswith(pattern[:-1])
    return pattern == media


def negotiate(accept: str | None, kind: str, fmt: str | None = None) -> tuple[str, str] | None:
    """Best (format, media type) for ``kind``; ``fmt`` (a ?format= value) wins when valid; None → 406."""
    offers = OFFERS[kind]
    if fmt:
        fmt = FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
        for name, media in offers:
            if name == fmt or media == fmt:
                return name, media
        return None
    for pattern, q in parse_accept(accept):
        if q <= 0:
            continue
        for name, media in offers:
            if _matches(pattern, media):
                return name, media
    return None
