"""The ``kg extract`` output contract: ``PaperExtraction`` ↔ one JSON object per paper.

``{"id", "title", "entities": [{"type", "label", "iri", "role", "confidence",
"aliases", "architectures", "mentions": [{"field", "start", "end", "text", "sentence",
"component", "score"}]}]}`` — offsets are character offsets into that field.
"""

from __future__ import annotations

import json
from typing import Any

from kg.mapping.iris import entity_iri
from kg.model import Entity, Link, Mention, Paper, PaperExtraction
from kg.namespace import resource_path


def to_json(ex: PaperExtraction) -> dict[str, Any]:
    p = ex.paper
    out: dict[str, Any] = {"id": p.id, "title": p.title}
    for key in ("year", "date", "url", "source"):
        if getattr(p, key):
            out[key] = getattr(p, key)
    out["entities"] = [
        {
            "type": lk.entity.type,
            "label": lk.entity.label,
            "iri": str(entity_iri(lk.entity.id)),
            "role": lk.role,
            "confidence": lk.confidence,
            "aliases": list(lk.entity.aliases),
            "architectures": list(lk.entity.architectures),
            "mentions": [
                {"field": m.field, "start": m.start, "end": m.end, "text": m.text, "sentence": m.sentence,
                 "component": m.component, "score": m.score}
                for m in lk.mentions
            ],
        }
        for lk in ex.links
    ]
    return out


def dumps(ex: PaperExtraction) -> str:
    """One JSON line, keys in a fixed order, non-ASCII kept: byte-stable for the same extraction."""
    return json.dumps(to_json(ex), ensure_ascii=False, separators=(",", ":"))


def from_json(obj: dict[str, Any], abstract: str = "") -> PaperExtraction:
    """Inverse of ``to_json`` (the abstract is not part of the contract; pass it when known)."""
    paper = Paper(id=obj["id"], title=obj["title"], abstract=abstract, year=obj.get("year"), date=obj.get("date"),
                  url=obj.get("url"), source=obj.get("source", ""))
    links = []
    for e in obj["entities"]:
        eid = resource_path(e["iri"]) or e["iri"]
        ent = Entity(eid, e["type"], e["label"], tuple(e.get("aliases", ())), tuple(e.get("architectures", ())))
        mentions = tuple(
            Mention(m["field"], m["start"], m["end"], m["text"], m.get("sentence", ""), m.get("component", ""),
                    m.get("score", 1.0))
            for m in e["mentions"]
        )
        links.append(Link(ent, e["role"], e["confidence"], mentions))
    return PaperExtraction(paper, tuple(links))
