"""Assembles the spaCy pipeline: ``build_nlp(settings)`` is the only place components are put together.

blank English tokenizer → sentencizer → kg_gazetteer → kg_patterns → [kg_ner: the trained NER, when
shipped and enabled, run only around names the vocabularies did not match]
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
from kg.extract import ner as _ner  # noqa: F401  (registers kg_ner)
from kg.extract.tagger import TAGGER_MODEL_DIR, tagger_model_available

NER_MODEL_DIR = Path(__file__).resolve().parent / "ner_model"


def ner_model_available(path: Path = NER_MODEL_DIR) -> bool:
    return (path / "meta.json").is_file() and (path / "config.cfg").is_file()


def customize_tokenizer(nlp: Language) -> None:
    """Keep model names whole: "IN-1K", "7B" and "100K" stay one token (spaCy's unit-suffix rule would split
    "IN-1K" into "IN-1" + "K"), and a sentence-final period after a capital or digit ("… on IN-1K.") is split off,
    so vocabulary terms match the same tokens wherever they occur."""
    suffixes: list[str | re.Pattern[str]] = [s for s in nlp.Defaults.suffixes or ()
                                             if not (isinstance(s, str) and s.startswith("(?<=[0-9])(?:km"))]
    suffixes.append(r"(?<=[A-Z0-9])\.$")
    cast(Tokenizer, nlp.tokenizer).suffix_search = compile_suffix_regex(suffixes).search


def build_nlp(settings: Settings | None = None, vocab_dir: Path | None = None, ner_dir: Path | None = None) -> Language:
    """The extraction pipeline. Input: settings (``use_ner``), optional vocabulary and NER model directories.
    Output: a spaCy ``Language`` whose docs carry ``doc._.kg_candidates``."""
    settings = settings or load_settings()
    ner_dir = ner_dir or (TAGGER_MODEL_DIR if tagger_model_available() else NER_MODEL_DIR)
    use_ner = settings.use_ner and ner_model_available(ner_dir)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    customize_tokenizer(nlp)
    nlp.add_pipe("kg_gazetteer", config={"vocab_dir": str(vocab_dir) if vocab_dir else None})
    nlp.add_pipe("kg_patterns")
    if use_ner and _is_tagger(ner_dir):
        nlp.add_pipe("kg_tagger", config={"model_dir": str(ner_dir)})
    elif use_ner:
        # The NER keeps the tokenizer it was trained with; it reads text regions, offsets map back.
        nlp.add_pipe("kg_ner", config={"model_dir": str(ner_dir)})
    return nlp


def _is_tagger(model_dir: Path) -> bool:
    import json

    return "tagger" in json.loads((model_dir / "meta.json").read_text(encoding="utf-8")).get("pipeline", [])
