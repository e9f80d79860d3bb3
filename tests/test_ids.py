"""The one id policy (kg.ids): slugs keep what tells names apart, ids are '<type>/<slug>'."""

from __future__ import annotations

import pytest

from kg.ids import ENTITY_ID, entity_id, slugify


@pytest.mark.parametrize(("name", "slug"), [
    ("Vision Transformer (ViT)", "vision-transformer-vit"),
    ("C++", "c-plus-plus"),
    ("FaceForensics++", "faceforensics-plus-plus"),
    ("VideoGPT+", "videogpt-plus"),
    ("WMT'14 En-De", "wmt14-en-de"),
    ("DeBERTa-v3", "deberta-v3"),
    ("  --Ünïcode  Names--  ", "unicode-names"),
])
def test_ids_slugify_keeps_distinguishing_marks(name: str, slug: str):
    assert slugify(name) == slug


def test_ids_slugify_names_without_ascii_get_a_stable_hash():
    assert slugify("π") == slugify("π") != slugify("σ")
    assert slugify("π").startswith("x") and len(slugify("π")) == 11


def test_ids_distinct_names_differing_only_by_plus_get_distinct_ids():
    assert entity_id("dataset", "FaceForensics") != entity_id("dataset", "FaceForensics++")


@pytest.mark.parametrize("name", ["C++", "π", "GPT-4o mini", "ImageNet-1K"])
def test_ids_every_minted_id_is_a_valid_entity_id(name: str):
    assert ENTITY_ID.match(entity_id("method", name))
