"""Link confidence (kg.extract.confidence): features of a link and the logistic scorer."""

from __future__ import annotations

import math

import pytest

from kg.extract.confidence import LinkScorer, link_features, name_shape
from kg.extract.linker import looks_named
from kg.model import Mention


@pytest.mark.parametrize(("phrase", "generic"), [
    ("AI systems", True), ("LLM agents", True), ("SOTA methods", True), ("RGB images", True),
    ("SparseFormer", False), ("image classification", False), ("contrastive learning", False),
])
def test_confidence_generic_head(phrase, generic):
    assert bool(name_shape(phrase)["generic_head"]) == generic


@pytest.mark.parametrize(("phrase", "named"), [
    ("Bridging Language Gaps", False), ("LLM agents", False), ("RGB images", False), ("Vision Transformer", False),
    ("NGAME", True), ("SparseFormer", True), ("GPT-4o", True), ("Point-BERT", True),
    ("3D Gaussian Splatting", False),  # "3D" is a modality word, like RGB: it names no particular thing
])
def test_confidence_looks_named(phrase, named):
    assert looks_named(phrase) == named


def test_confidence_features_name_their_sources():
    ms = [Mention("abstract", 0, 4, "BERT", component="gazetteer", score=0.9),
          Mention("title", 0, 4, "BERT", component="tagger", score=0.8)]
    f = link_features("method", "BERT", ms, in_vocab=True, curated=True, defined=False, cues=(), compared=0.0,
                      negated=0.0, first_sentence=False)
    assert f["has_gazetteer"] == f["has_tagger"] == f["in_title"] == 1.0
    assert f["tagger_max"] == 0.8 and f["tagger_share"] == 0.5 and f["has_pattern"] == 0.0
    assert all(isinstance(v, float) for v in f.values())


def test_confidence_scorer_is_a_logistic_per_type():
    scorer = LinkScorer({"method": {"__intercept__": -1.0, "has_tagger": 2.0}},
                        {"proposes": {"__intercept__": 0.0, "in_title": 3.0}})
    assert scorer.score("method", {"has_tagger": 1.0}) == pytest.approx(1 / (1 + math.exp(-1.0)))
    assert scorer.score("method", {"has_tagger": 0.0}) < 0.5
    assert scorer.score("metric", {"has_tagger": 1.0}) == 0.5  # no model for the type: undecided
    assert scorer.role_score("proposes", {"in_title": 1.0}) > 0.9
    assert scorer.role_score("compares", {}) is None
