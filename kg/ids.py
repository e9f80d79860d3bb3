"""The one id policy: how a name becomes a slug, and what an entity id looks like.

An entity id is the tail of the entity's IRI, so the same name always gives the same IRI:

* a curated vocabulary entity: ``"<type>/<slug>"`` (``"method/vision-transformer"``) — its type is curated;
* an entity found in the text: ``"entity/<canonical key>"`` (``"entity/huggingface"``) — every spelling of the
  name meets on one IRI whatever type each paper reads it as; the corpus decides its one type when entities are
  aggregated, and records the losing readings.

Used by extraction (new entities), the vocabularies (curated ids are checked against ``ENTITY_ID``) and the
offline vocabulary tools.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from kg.model import EntityType

ENTITY_ID = re.compile(r"^(method|task|dataset|metric|architecture)/[a-z0-9]+(?:-[a-z0-9]+)*$")
FOUND_PREFIX = "entity/"

_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by '-', keeping what tells names apart.

    "Vision Transformer (ViT)" → "vision-transformer-vit"; "C++" → "c-plus-plus" ("+" is spelled out, so
    "FaceForensics++" and "FaceForensics" stay two slugs); apostrophes vanish ("WMT'14" → "wmt14"). A name with no
    ASCII letter or digit gets a stable hash ("x" + 10 hex digits) instead of an empty slug.
    """
    ascii_only = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_only = ascii_only.lower().replace("+", " plus ").replace("'", "")
    slug = _SLUG_DROP.sub("-", ascii_only).strip("-")
    return slug or "x" + hashlib.sha1(text.encode()).hexdigest()[:10]


def entity_id(entity_type: EntityType, name: str) -> str:
    """The id of a curated entity of ``entity_type`` named ``name``: ``"<type>/<slug>"``."""
    return f"{entity_type}/{slugify(name)}"


def found_entity_id(key: str) -> str:
    """The id of an entity found in the text whose canonical key is ``key``: ``"entity/<slug>"``."""
    return FOUND_PREFIX + slugify(key)
