"""The user's curation file → decisions → a pure function ``PaperExtraction → PaperExtraction``.

A curation file is JSON Lines, one decision per line (blank lines and lines starting with ``#`` are skipped)::

    {"op": "merge",  "ids": ["entity/llmagent", "entity/largelanguagemodelagent"], "into": "entity/llmagent"}
    {"op": "split",  "id": "method/gpt-4o", "form": "GPT-4o-mini"}
    {"op": "rename", "id": "entity/vllm", "label": "vLLM"}
    {"op": "retype", "id": "entity/mri", "type": "dataset"}
    {"op": "ban",    "id": "entity/aisystem"}

Ids are the tail of the entity's IRI: ``<type>/<slug>`` for a curated vocabulary entity, ``entity/<slug>`` for one
found in the text (``kg.ids``); architectures are ontology classes and can only be banned.

* ``merge``: the links to ``ids`` become one link to ``into`` (default: the first id; may be a new id, and of
  another type); optional ``label``.
* ``split``: the mentions of ``id`` whose text has the canonical key of ``form`` (``canonical_key``: case,
  separators and a plural folded) become a link to an entity of their own: ``into`` (default: the id the extractor
  gives that name when it finds it in the text, ``entity/<key>``), of the same type or of ``type``, labelled
  ``label`` (default: ``form``).
* ``rename``: the entity keeps its id and gets ``label`` (the old label stays as an alias).
* ``retype``: the entity becomes one of ``type``: a vocabulary entity's id changes its type prefix (``method/mri`` →
  ``dataset/mri``); an entity found in the text keeps its id.
* ``ban``: the links to ``id`` are dropped (and architectures inferred only from it).

Every decision may carry a ``note`` (free text, kept in the record). Decisions apply in file order, each to the result
of the ones before (retype then rename the new id, merge then ban the result). Each applied decision is recorded on
the entity (``Entity.curation``, ``kg:curation`` in the graph) with the file name and line, and each match is listed
in ``PaperExtraction.curated`` as (decision key, entity id) so a build can report the ids that matched nothing.

``load_curation(path)`` validates strictly: a bad line raises ``InputError`` naming the file, line and field.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, cast

from kg.config import Settings, curation_path
from kg.errors import InputError
from kg.extract.normalize import canonical_key
from kg.ids import FOUND_PREFIX, found_entity_id
from kg.model import ROLES, Entity, EntityType, Link, Mention, PaperExtraction, Role

OPS = ("merge", "split", "rename", "retype", "ban")
CURATABLE_TYPES: tuple[EntityType, ...] = ("method", "task", "dataset", "metric")
# An entity id: a curated vocabulary entity's "<type>/<slug>", or an entity found in the text, "entity/<slug>"
# (``kg.ids``); the tail of the entity's IRI either way.
ANY_ID = re.compile(r"^(method|task|dataset|metric|architecture|entity)/[a-z0-9]+(?:-[a-z0-9]+)*$")
# op → (required fields, optional fields); "op" and "note" are allowed on every line.
FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "merge": (("ids",), ("into", "label")),
    "split": (("id", "form"), ("into", "label", "type")),
    "rename": (("id", "label"), ()),
    "retype": (("id", "type"), ()),
    "ban": (("id",), ()),
}


@dataclass(frozen=True)
class Decision:
    """One line of a curation file, validated.

    ``ids``: the entity ids it applies to (several for a merge); ``into``: the resulting id (merge, split, retype);
    ``source``: "<file name>:<line>", what the RDF record cites; ``key``: a hash of what the decision does (not of
    its line or note), so it is recognised after lines move.
    """

    op: str
    ids: tuple[str, ...]
    into: str = ""
    label: str = ""
    form: str = ""
    type: EntityType | None = None
    note: str = ""
    source: str = ""
    key: str = ""

    def describe(self) -> str:
        """Short human text: "merge method/a, method/b into method/a"."""
        if self.op == "merge":
            return f"merge {', '.join(self.ids)} into {self.into}"
        if self.op == "split":
            return f"split {self.form!r} off {self.ids[0]} into {self.into}"
        if self.op == "rename":
            return f"rename {self.ids[0]} to {self.label!r}"
        if self.op == "retype":
            return f"retype {self.ids[0]} to {self.type} ({self.into})"
        return f"ban {self.ids[0]}"

    def record(self, text: str) -> str:
        """The ``kg:curation`` text for this decision: what it did, where it is written, and its note."""
        return f"{text} by {self.source}" + (f" ({self.note})" if self.note else "")


@dataclass(frozen=True)
class Curation:
    """The decisions of one curation file, in file order (empty: no curation). Hashable, so it can travel in an
    ``ExtractorSpec`` to pool and Dask workers."""

    decisions: tuple[Decision, ...] = ()
    path: str = ""

    def __bool__(self) -> bool:
        return bool(self.decisions)

    @cached_property
    def named_ids(self) -> frozenset[str]:
        """Every id some decision applies to."""
        return frozenset(i for d in self.decisions for i in d.ids)


# ------------------------------------------------------------------------------------------------ reading


def load_curation(path: Path | str) -> Curation:
    """Read and validate a curation file; ``InputError`` (file, line, field) on the first bad line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the curation file: {exc}", path=str(path)) from exc
    return parse_curation(text.splitlines(), str(path))


def curation_for(settings: Settings) -> Curation:
    """The curation ``settings`` name (``kg.config.curation_path``), loaded; empty when there is none."""
    path = curation_path(settings)
    return load_curation(path) if path is not None else Curation()


def parse_curation(lines: Iterable[str], path: str = "curation.jsonl") -> Curation:
    """Lines of a curation file (``path`` names it in errors and records) → ``Curation``."""
    name = Path(path).name
    decisions = []
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not a JSON object: {exc.msg} (column {exc.colno}); one decision per line, e.g. "
                             '{"op": "ban", "id": "method/ai-system"}', path=path, line=n) from None
        decisions.append(_decision(obj, path, n, f"{name}:{n}"))
    return Curation(tuple(decisions), path)


def _decision(obj: Any, path: str, line: int, source: str) -> Decision:
    def bad(message: str, fld: str = "") -> InputError:
        return InputError(message, path=path, line=line, field=fld)

    if not isinstance(obj, dict):
        raise bad("a decision is a JSON object, e.g. {\"op\": \"ban\", \"id\": \"method/ai-system\"}")
    op = obj.get("op")
    if op not in FIELDS:
        raise bad(f"{'missing' if op is None else repr(op) + ' is not a known'} operation; one of {', '.join(OPS)}",
                  "op")
    required, optional = FIELDS[op]
    for key in obj:
        if key not in ("op", "note", *required, *optional):
            raise bad(f"unknown field for a {op} decision; its fields: {', '.join(('op', *required, *optional, 'note'))}",
                      key)
    for key in required:
        if key not in obj:
            raise bad(f"a {op} decision needs {key!r}", key)

    def text(key: str, default: str = "") -> str:
        value = obj.get(key, default)
        if not isinstance(value, str) or (key in obj and not value.strip()):
            raise bad("must be a non-empty string", key)
        return value.strip()

    def an_id(value: Any, key: str, curatable: bool = True) -> str:
        if not isinstance(value, str) or not ANY_ID.match(value):
            raise bad(f"{value!r} is not an entity id: the end of the entity's IRI, <type>/<slug> for a vocabulary "
                      "entity or entity/<slug> for one found in the text (e.g. method/vision-transformer, "
                      "entity/huggingface; `kg quality` lists them)", key)
        if curatable and value.startswith("architecture/"):
            raise bad(f"{value} is an architecture (an ontology class): it can only be banned", key)
        return value

    def a_type(key: str) -> EntityType:
        value = obj.get(key)
        if value not in CURATABLE_TYPES:
            raise bad(f"{value!r} is not a type a decision can give; one of {', '.join(CURATABLE_TYPES)}", key)
        return cast(EntityType, value)

    note = text("note")
    into, label, form, etype = "", "", "", None
    if op == "merge":
        ids_value = obj["ids"]
        if not isinstance(ids_value, list) or len(ids_value) < 2:
            raise bad("a list of at least two entity ids to merge", "ids")
        ids = tuple(an_id(i, "ids") for i in ids_value)
        if len(set(ids)) != len(ids):
            raise bad("an id is listed twice", "ids")
        into = an_id(obj["into"], "into") if "into" in obj else ids[0]
        label = text("label")
    elif op == "ban":
        ids = (an_id(obj["id"], "id", curatable=False),)
    else:
        ids = (an_id(obj["id"], "id"),)
        prefix, slug = ids[0].split("/", 1)
        if op == "rename":
            label = text("label")
        elif op == "retype":
            etype = a_type("type")
            if etype == prefix:
                raise bad(f"{ids[0]} already is a {etype}", "type")
            # A vocabulary entity's id says its type; an entity found in the text keeps its id.
            into = ids[0] if ids[0].startswith(FOUND_PREFIX) else f"{etype}/{slug}"
        else:  # split
            form = text("form")
            if not canonical_key(form):
                raise bad("a name with a letter or digit", "form")
            etype = a_type("type") if "type" in obj else None
            label = text("label") or form
            # Default: the id the extractor gives a name it finds in the text.
            into = an_id(obj["into"], "into") if "into" in obj else found_entity_id(canonical_key(form))
            if into == ids[0]:
                raise bad(f"the form names {ids[0]} itself; give the new entity an id with \"into\"", "form")
    what = {"op": op, "ids": ids, "into": into, "label": label, "form": form, "type": etype}
    key = hashlib.sha1(json.dumps(what, sort_keys=True).encode()).hexdigest()[:12]
    return Decision(op, ids, into, label, form, etype, note, source, key)


# ------------------------------------------------------------------------------------------------ applying


def apply_curation(curation: Curation, ex: PaperExtraction) -> PaperExtraction:
    """``ex`` with the decisions of ``curation`` applied in order (``ex`` itself when none matches)."""
    if not curation or not any(lk.entity.id in curation.named_ids for lk in ex.links):
        return ex
    links: dict[str, Link] = {lk.entity.id: lk for lk in ex.links}
    hits: list[tuple[str, str]] = []
    moved: dict[str, str | None] = {}  # old id → new id (None: banned), for mentions inferred from it

    def move(old: str, new: str | None) -> None:
        for k, v in moved.items():
            if v == old:
                moved[k] = new
        moved[old] = new

    for d in curation.decisions:
        if d.op == "merge":
            present = [i for i in d.ids if i in links]
            if not present:
                continue
            hits.extend((d.key, i) for i in present)
            if present == [d.into]:
                continue  # only the surviving entity is here: nothing to merge
            # The surviving entity first: its label stands unless the decision gives one.
            parts = [links.pop(i) for i in [d.into, *present] if i in links]
            base = parts[0].entity
            prefix = d.into.split("/", 1)[0]
            # A vocabulary id says the type; a found entity's keeps the surviving (or first) entity's type.
            etype = cast(EntityType, prefix) if prefix in CURATABLE_TYPES else base.type
            links[d.into] = _combine(parts, d.into, etype, d.label or base.label,
                                     d.record(f"merge of {', '.join(d.ids)} into {d.into}"))
            for i in present:
                if i != d.into:
                    move(i, d.into)
        elif d.op == "split":
            src = links.get(d.ids[0])
            if src is None:
                continue
            key = canonical_key(d.form)
            taken = [m for m in src.mentions if not m.component.startswith("inferred:") and canonical_key(m.text) == key]
            if not taken:
                continue
            hits.append((d.key, d.ids[0]))
            kept = tuple(m for m in src.mentions if m not in taken)
            texts = {m.text for m in taken}
            new_type = d.type or src.entity.type
            new = Link(Entity(d.into, new_type, d.label, tuple(sorted(texts - {d.label})),
                              curation=(d.record(f"split from {d.ids[0]} (mentions {d.form!r})"),)),
                       src.role, src.confidence, tuple(taken), src.asserted)
            if kept:
                e = src.entity
                aliases = tuple(a for a in e.aliases if canonical_key(a) != key)
                links[d.ids[0]] = replace(src, mentions=kept, entity=replace(
                    e, aliases=aliases, curation=_add(e.curation, d.record(f"mentions {d.form!r} split off into {d.into}"))))
            else:
                del links[d.ids[0]]
                move(d.ids[0], d.into)
            other = links.pop(d.into, None)
            links[d.into] = new if other is None else _combine(
                [other, new], d.into, other.entity.type, other.entity.label, "")
        else:
            lk = links.get(d.ids[0])
            if lk is None:
                continue
            hits.append((d.key, d.ids[0]))
            e = lk.entity
            if d.op == "ban":
                del links[d.ids[0]]
                move(d.ids[0], None)
            elif d.op == "rename":
                aliases = tuple(sorted((set(e.aliases) | {e.label}) - {d.label}))
                links[e.id] = replace(lk, entity=replace(
                    e, label=d.label, aliases=aliases, curation=_add(e.curation, d.record(f"label set to {d.label!r}"))))
            else:  # retype
                assert d.type is not None
                # (A found entity's reading varies by paper: its record names the decision, not the old type.)
                what = f"retyped from {e.type} ({e.id}) to {d.type}" if d.into != e.id else f"typed {d.type}"
                retyped = replace(lk, entity=replace(e, id=d.into, type=d.type,
                                                     curation=_add(e.curation, d.record(what))))
                del links[e.id]
                other = links.pop(d.into, None)
                links[d.into] = retyped if other is None else _combine(
                    [other, retyped], d.into, d.type, other.entity.label, "")
                if d.into != e.id:
                    move(e.id, d.into)
    out = [lk for lk in (_reinfer(lk, moved) for lk in links.values()) if lk is not None]
    return replace(ex, links=tuple(sorted(out, key=lambda lk: lk.entity.id)), curated=ex.curated + tuple(hits))


def _add(records: tuple[str, ...], record: str) -> tuple[str, ...]:
    return records if record in records else (*records, record)


def _reinfer(lk: Link, moved: Mapping[str, str | None]) -> Link | None:
    """Mentions inferred from an entity a decision moved point at its new id; those inferred from a banned entity
    go, and a link left without evidence goes with them."""
    if not moved or not any(m.component.startswith("inferred:") for m in lk.mentions):
        return lk
    mentions = []
    for m in lk.mentions:
        src = m.component.partition(":")[2] if m.component.startswith("inferred:") else ""
        if src in moved:
            new = moved[src]
            if new is None:
                continue
            m = replace(m, component=f"inferred:{new}")
        mentions.append(m)
    if not mentions:
        return None
    return replace(lk, mentions=tuple(mentions))


def _combine(parts: list[Link], into: str, etype: EntityType, label: str, record: str) -> Link:
    """Several links of one paper → one link to ``into``: their mentions (in text order), the strongest role (a
    proposal stays a proposal; else the most confident link's role), the highest confidence, and the union of what
    the entities say (labels of the others become aliases)."""
    mentions: dict[tuple[str, int, int, str], Mention] = {}
    for lk in parts:
        for m in lk.mentions:
            mentions.setdefault((m.field, m.start, m.end, m.component), m)
    ordered = sorted(mentions.values(), key=lambda m: (m.field != "title", m.start, m.end))
    # Asserted links decide (a candidate below min_confidence does not overrule them).
    deciding = [lk for lk in parts if lk.asserted] or parts
    role: Role
    if any(lk.role == "proposes" for lk in deciding):
        role = "proposes"
    else:
        stated = [lk for lk in deciding if lk.role != "mentions"] or deciding
        role = max(stated, key=lambda lk: (lk.confidence, len(lk.mentions), -ROLES.index(lk.role))).role
    names = {lk.entity.label for lk in parts} | {a for lk in parts for a in lk.entity.aliases}
    curation: tuple[str, ...] = ()
    for lk in parts:
        for r in lk.entity.curation:
            curation = _add(curation, r)
    if record:
        curation = _add(curation, record)
    entity = Entity(into, etype, label, tuple(sorted(names - {label})),
                    tuple(sorted({a for lk in parts for a in lk.entity.architectures})),
                    tuple(sorted({r for lk in parts for r in lk.entity.merged_because})), curation)
    return Link(entity, role, max(lk.confidence for lk in parts), tuple(ordered), any(lk.asserted for lk in parts))


# ------------------------------------------------------------------------------------------------ reporting


def unmatched(curation: Curation, matches: Mapping[tuple[str, str], int]) -> list[str]:
    """What to tell the user about decisions that matched nothing: one line per id no paper matched, given the
    papers each (decision key, id) matched in (``PaperExtraction.curated``, summed over the graph)."""
    out = []
    for d in curation.decisions:
        for i in d.ids:
            if not matches.get((d.key, i)):
                what = f"no mention {d.form!r} of {i}" if d.op == "split" else f"{i} matches no entity"
                out.append(f"{d.source}: {what} in the graph ({d.describe()})")
    return out


def curation_summary(curation: Curation, matches: Mapping[tuple[str, str], int]) -> list[str]:
    """Report lines for a build or update: how many decisions matched, then every id that matched nothing."""
    if not curation:
        return []
    used = sum(1 for d in curation.decisions if any(matches.get((d.key, i)) for i in d.ids))
    return [f"curation: {Path(curation.path).name}: {len(curation.decisions)} decisions, {used} matched",
            *unmatched(curation, matches)]
