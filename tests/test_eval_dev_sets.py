"""The shared dev sets, scored with the shipped pipeline on every CI run; figures are printed, floors guard regressions."""

from __future__ import annotations

import pytest
from conftest import SHARED

from kg.config import load_settings
from kg.evaluation import run_eval

pytestmark = pytest.mark.slow

# Regression floors measured on this pipeline (see the extraction issue's closing note for the figures).
# At the default min_confidence (0.7) the asserted links are held to precision first: seed-dev P 0.907 R 0.495,
# arxiv-dev P 0.849 R 0.348; SciERC dev mention-level F1 about 0.18 (a different annotation scheme).
SEED_DEV_MIN_MICRO_P = 0.88
SEED_DEV_MIN_MICRO_F1 = 0.60
ARXIV_DEV_MIN_MICRO_P = 0.82
ARXIV_DEV_MIN_MICRO_F1 = 0.44
SCIERC_DEV_MIN_MICRO_F1 = 0.15


@pytest.fixture(scope="module")
def extractor():
    from kg.extract import Extractor

    return Extractor(load_settings(env={}))


def _micro(report):
    from kg.evaluation.metrics import PRF

    total = PRF()
    for s in report.scores.values():
        total.add(s)
    return total


def _micro_f1(report) -> float:
    return _micro(report).f1


def test_eval_seed_dev_paper_level(extractor, capsys):
    gold = SHARED / "gold" / "seed-dev" / "gold.jsonl"
    if not gold.exists():
        pytest.skip("../shared/gold/seed-dev not beside the project")
    report = run_eval(gold, extractor)
    with capsys.disabled():
        print("\n" + report.summary(10))
    assert _micro(report).precision >= SEED_DEV_MIN_MICRO_P
    assert _micro_f1(report) >= SEED_DEV_MIN_MICRO_F1


def test_eval_arxiv_dev_paper_level(extractor, capsys):
    """100 random arXiv cs papers (all of cs, not only architectures); the abstracts are in input.jsonl beside."""
    gold = SHARED / "gold" / "arxiv-dev" / "gold.jsonl"
    if not gold.exists():
        pytest.skip("../shared/gold/arxiv-dev not beside the project")
    report = run_eval(gold, extractor)
    with capsys.disabled():
        print("\n" + report.summary(10))
    assert report.papers == 100
    assert _micro(report).precision >= ARXIV_DEV_MIN_MICRO_P
    assert _micro_f1(report) >= ARXIV_DEV_MIN_MICRO_F1


def test_eval_scierc_dev_mention_level(extractor, capsys):
    gold = SHARED / "gold" / "scierc" / "dev.json"
    if not gold.exists():
        pytest.skip("../shared/gold/scierc not beside the project")
    report = run_eval(gold, extractor)
    with capsys.disabled():
        print("\n" + report.summary(0))
    assert _micro_f1(report) >= SCIERC_DEV_MIN_MICRO_F1
