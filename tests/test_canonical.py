"""Corpus-wide acronym resolution: a bare acronym links to the long form other papers define."""

from __future__ import annotations

import pytest

from kg.errors import InputError
from kg.extract.canonical import collect_acronyms, read_overrides
from kg.model import Paper


def _p(i: int, abstract: str) -> Paper:
    return Paper(id=f"p{i}", title=f"Paper {i}", abstract=abstract)


CORPUS = [
    _p(1, "We study Extreme Classification (XC) with deep encoders."),
    _p(2, "Extreme Classification (XC) is hard at scale."),
    _p(3, "Here XC methods are evaluated."),
    _p(4, "Segment Anything Model (SAM) segments. Sharpness-Aware Minimization (SAM) flattens."),
]


def test_canonical_dominant_long_form_wins_with_reason():
    table = collect_acronyms(CORPUS)
    res = table.get("XC")
    assert res.long == "Extreme Classification" and res.papers == 2
    assert "defined as 'Extreme Classification' in 2 of 2" in res.reason
    assert table.get("XCs") == res  # plural surface form


def test_canonical_ambiguous_acronym_is_not_resolved_corpus_wide():
    assert collect_acronyms(CORPUS).get("SAM") is None


def test_canonical_overrides_force_or_forbid(tmp_path):
    f = tmp_path / "acronym_overrides.jsonl"
    f.write_text('{"short": "SAM", "long": "Segment Anything Model"}\n{"short": "XC", "long": null}\n')
    table = collect_acronyms(CORPUS, read_overrides(f))
    assert table.get("SAM").long == "Segment Anything Model" and "overrides" in table.get("SAM").reason
    assert table.get("XC") is None


def test_canonical_bad_override_names_file_and_line(tmp_path):
    f = tmp_path / "acronym_overrides.jsonl"
    f.write_text('{"short": "SAM", "long": "x"}\n{"long": 3}\n')
    with pytest.raises(InputError, match=r"acronym_overrides.jsonl:2"):
        read_overrides(f)


def test_canonical_linker_uses_corpus_table(tiny_extractor):
    from kg.extract.canonical import AcronymTable

    saved = tiny_extractor.linker.acronyms
    try:
        tiny_extractor.learn_acronyms(CORPUS)
        ex = tiny_extractor.extract_one(CORPUS[2])
        links = {lk.entity.id: lk for lk in ex.links}
        xc = links["entity/extremeclassification"]
        assert xc.entity.aliases == ("XC",) and xc.mentions[0].text == "XC"
        assert any("defining papers" in r for r in xc.entity.merged_because)
    finally:
        tiny_extractor.linker.acronyms = saved or AcronymTable()
