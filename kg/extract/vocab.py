"""Curated vocabularies (``ontology/vocab/*.jsonl``) → an in-memory ``Vocabulary`` with a normalised alias index.

Input: the JSONL files described in ``ontology/vocab/README.md``. Output: entries
by id, and lookups from any surface form (via ``norm_key``) to entity ids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.extract.normalize import canonical_key, norm_key
from kg.ids import ENTITY_ID
from kg.ingest.text import json_lines
from kg.model import ENTITY_TYPES, Entity, EntityType

VOCAB_FILES = ("architectures", "methods", "tasks", "datasets", "metrics")


@dataclass(frozen=True)
class VocabEntry:
    id: str
    type: EntityType
    label: str
    aliases: tuple[str, ...] = ()
    architectures: tuple[str, ...] = ()
    source: str = "curated"
    case_sensitive: bool | None = None
    match: bool = True

    def surface_forms(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)

    def entity(self) -> Entity:
        return Entity(self.id, self.type, self.label, self.aliases, self.architectures)


def default_case_sensitive(form: str) -> bool:
    """Short forms and forms with inner capitals match case-sensitively ("BERT", "ViT", "GAN")."""
    return len(form) <= 4 or any(c.isupper() for c in form[1:])


def parse_entry(rec: object, path: str, line: int) -> VocabEntry:
    """One decoded JSON record → ``VocabEntry``; ``InputError`` naming the field otherwise."""
    if not isinstance(rec, dict):
        raise InputError("expected a JSON object", path=path, line=line)
    eid, etype, label = rec.get("id"), rec.get("type"), rec.get("label")
    if not isinstance(eid, str) or not ENTITY_ID.match(eid):
        raise InputError(f"id {eid!r} is not '<type>/<slug>'", path=path, line=line, field="id")
    if etype not in ENTITY_TYPES or not eid.startswith(f"{etype}/"):
        raise InputError(f"type {etype!r} does not match id {eid!r}", path=path, line=line, field="type")
    if not isinstance(label, str) or not label.strip():
        raise InputError("missing label", path=path, line=line, field="label")
    aliases = rec.get("aliases", [])
    archs = rec.get("architectures", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise InputError("aliases must be a list of strings", path=path, line=line, field="aliases")
    if not isinstance(archs, list) or not all(isinstance(a, str) for a in archs):
        raise InputError("architectures must be a list of ids", path=path, line=line, field="architectures")
    cs = rec.get("case_sensitive")
    return VocabEntry(
        id=eid,
        type=etype,
        label=label.strip(),
        aliases=tuple(dict.fromkeys(a.strip() for a in aliases if a.strip() and a.strip() != label.strip())),
        architectures=tuple(archs),
        source=str(rec.get("source", "curated")),
        case_sensitive=cs if isinstance(cs, bool) else None,
        match=bool(rec.get("match", True)),
    )


def read_vocab_file(path: Path) -> Iterator[VocabEntry]:
    for lineno, rec in json_lines(path):
        yield parse_entry(rec, str(path), lineno)


class Vocabulary:
    """Entries by id plus a normalised-form index; later entries with the same id replace earlier ones."""

    def __init__(self, entries: Iterable[VocabEntry] = ()) -> None:
        self.entries: dict[str, VocabEntry] = {}
        for e in entries:
            self.entries[e.id] = e
        self._by_key: dict[str, list[str]] = defaultdict(list)
        self._by_ckey: dict[str, list[str]] = defaultdict(list)
        for e in self.entries.values():
            for form in e.surface_forms():
                for index, key in ((self._by_key, norm_key(form)), (self._by_ckey, canonical_key(form))):
                    if key and e.id not in index[key]:
                        index[key].append(e.id)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, eid: str) -> bool:
        return eid in self.entries

    def get(self, eid: str) -> VocabEntry | None:
        return self.entries.get(eid)

    def lookup(self, form: str, etype: EntityType | None = None) -> VocabEntry | None:
        """The entry a surface form names (optionally of one type), by its normalised key, else by its canonical
        key ("HuggingFace" finds "Hugging Face"); None when unknown or ambiguous."""
        for index, key in ((self._by_key, norm_key(form)), (self._by_ckey, canonical_key(form))):
            ids = [i for i in index.get(key, ()) if etype is None or self.entries[i].type == etype]
            if ids:
                return self.entries[ids[0]] if len(ids) == 1 else None
        return None

    def matchable(self) -> Iterator[tuple[str, VocabEntry, bool]]:
        """(surface form, entry, case_sensitive) for every form the matcher should look for, sorted."""
        for e in sorted(self.entries.values(), key=lambda e: e.id):
            if not e.match:
                continue
            for form in e.surface_forms():
                cs = e.case_sensitive if e.case_sensitive is not None else default_case_sensitive(form)
                yield form, e, cs


def load_vocabulary(vocab_dir: Path) -> Vocabulary:
    """Read every vocabulary file present in ``vocab_dir`` (missing files are simply absent)."""
    entries: list[VocabEntry] = []
    for name in VOCAB_FILES:
        path = vocab_dir / f"{name}.jsonl"
        if path.is_file():
            entries.extend(read_vocab_file(path))
    return Vocabulary(entries)
