"""Assembles the spaCy pipeline: ``build_nlp(settings)`` is the only place components are put together.

blank English tokenizer → sentencizer → kg_gazetteer → kg_patterns → [kg_tagger: the trained entity tagger over
every title and abstract, when shipped and ``use_ner`` is on]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_suffix_regex

from kg.config import Settings, load_settings
from kg.extract import components as _components  # noqa: F401  (registers the kg_* factories)
from kg.extract import tagger as _tagger  # noqa: F401  (registers kg_tagger)
from kg.extract.tagger import TAGGER_MODEL_DIR, tagger_model_available


def customize_tokenizer(nlp: Language) -> None:
    """Keep model names whole: "IN-1K", "7B" and "100K" stay one token (spaCy's unit-suffix rule would split
    "IN-1K" into "IN-1" + "K"), and a sentence-final period after a capital or digit ("… on IN-1K.") is split off,
    so vocabulary terms match the same tokens wherever they occur."""
    suffixes: list[str | re.Pattern[str]] = [s for s in nlp.Defaults.suffixes or ()
                                             if not (isinstance(s, str) and s.startswith("(?<=[0-9])(?:km"))]
    suffixes.append(r"(?<=[A-Z0-9])\.$")
    cast(Tokenizer, nlp.tokenizer).suffix_search = compile_suffix_regex(suffixes).search


def build_nlp(settings: Settings | None = None, vocab_dir: Path | None = None,
              tagger_dir: Path | None = None) -> Language:
    """The extraction pipeline. Input: settings (``use_ner``), optional vocabulary and tagger model directories.
    Output: a spaCy ``Language`` whose docs carry ``doc._.kg_candidates``."""
    settings = settings or load_settings()
    tagger_dir = tagger_dir or TAGGER_MODEL_DIR
    use_tagger = settings.use_ner and tagger_model_available(tagger_dir)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    customize_tokenizer(nlp)
    nlp.add_pipe("kg_gazetteer", config={"vocab_dir": str(vocab_dir) if vocab_dir else None})
    nlp.add_pipe("kg_patterns")
    if use_tagger:
        nlp.add_pipe("kg_tagger", config={"model_dir": str(tagger_dir)})
    return nlp
