"""How sure a link is: its features → a calibrated probability that the paper really involves the entity.

In: what the linker knows about one paper–entity link — which extractors found it and how sure each was, how often
and where it occurs, what the vocabulary says, the name's shape, the role cues. Out: ``link_features(...)`` → a
feature dict, and ``LinkScorer.score(type, features)`` → the link's confidence in [0, 1].

The scorer is a logistic regression per entity type, fitted offline (``python -m tools.ner.link_model``) on links
extracted from annotated arXiv abstracts by taggers that never saw those abstracts (cross-fitting), so its outputs
are probabilities measured on unseen text; ``kg eval --calibration`` prints how well they hold on the dev sets. A
link whose confidence is below the ``min_confidence`` setting is kept as a candidate, not asserted.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from kg.model import EntityType, Mention

LINK_MODEL = Path(__file__).resolve().parent / "link_model.json"

# Head nouns that name a kind of thing, not a thing: "AI systems", "LLM agents", "SOTA methods", "RGB images".
GENERIC_HEADS = frozenset({
    "system", "model", "agent", "method", "approach", "framework", "technique", "algorithm", "data", "dataset",
    "image", "tool", "pipeline", "architecture", "network", "module", "solution", "strategy", "scheme", "application",
    "task", "problem", "setting", "scenario", "paradigm", "mechanism", "component", "process", "work", "study",
    "result", "performance", "feature", "representation", "information", "knowledge", "capability", "ability",
    "technology", "platform", "service", "resource", "benchmark", "baseline", "variant", "version", "family",
    "series", "domain", "field", "area", "level", "quality", "behavior", "behaviour", "analysis", "evaluation",
})
_INNER = re.compile(r"[A-Za-z][a-z]*[A-Z0-9]|\d")
_EXTRACTORS = ("gazetteer", "tagger", "pattern", "abbreviation", "acronym", "coreference", "ner")


@lru_cache(maxsize=100_000)
def _shape(label: str) -> tuple[tuple[str, float], ...]:
    return tuple(name_shape_uncached(label).items())


def name_shape(label: str) -> dict[str, float]:
    """``name_shape_uncached``, remembered per name (the same names recur across papers)."""
    return dict(_shape(label))


def name_shape_uncached(label: str) -> dict[str, float]:
    """Shape features of a name: a coined token (inner capital or digit: "SparseFormer", "GPT-4o"), all capitals,
    all lower case, word count, and whether its head is a generic noun."""
    words = label.split()
    last = re.sub(r"[^a-z]", "", words[-1].lower()) if words else ""
    head = last[:-1] if last.endswith("s") and last[:-1] in GENERIC_HEADS else last
    return {
        "coined": float(any(_INNER.search(w[1:] if w[:1].isupper() else w) for w in words)),
        "all_caps": float(label.replace("-", "").isupper()),
        "lower": float(label == label.lower()),
        "words": float(min(len(words), 6)),
        "one_word_lower": float(len(words) == 1 and label == label.lower()),
        "generic_head": float(head in GENERIC_HEADS),
    }


def link_features(entity_type: EntityType, label: str, mentions: Iterable[Mention], *, in_vocab: bool,
                  curated: bool, defined: bool, cues: Iterable[str], compared: float, negated: float,
                  first_sentence: bool, in_proposal: bool = False, before_proposal: bool = False,
                  background: float = 0.0) -> dict[str, float]:
    """The features of one paper–entity link (see the module docstring); every value is a float."""
    ms = list(mentions)
    by = {x: [m for m in ms if m.component == x] for x in _EXTRACTORS}
    cues = set(cues)
    f: dict[str, float] = {f"has_{x}": float(bool(by[x])) for x in _EXTRACTORS}
    f["tagger_max"] = max((m.score for m in by["tagger"]), default=0.0)
    f["tagger_share"] = len(by["tagger"]) / len(ms) if ms else 0.0
    f["mentions"] = math.log1p(len(ms))
    f["in_title"] = float(any(m.field == "title" for m in ms))
    f["first_sentence"] = float(first_sentence)
    f["in_vocab"] = float(in_vocab)
    f["curated"] = float(curated)
    f["defined"] = float(defined)
    f["proposes_cue"] = float("proposes" in cues)
    f["compared"] = compared
    f["negated"] = negated
    f["in_proposal_sentence"] = float(in_proposal)
    f["only_before_proposal"] = float(before_proposal)
    f["background"] = background
    f.update(name_shape(label))
    f["tagger_only"] = float(bool(by["tagger"]) and len(by["tagger"]) == len(ms))
    f["vocab_without_tagger"] = float(in_vocab and not by["tagger"])
    return f


def _logistic(w: Mapping[str, float], features: Mapping[str, float]) -> float:
    z = w.get("__intercept__", 0.0) + sum(w.get(k, 0.0) * v for k, v in features.items() if v)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def architecture_features(arch_id: str, mentions: Iterable[Mention],
                          sources: Iterable[tuple[str, float]]) -> dict[str, float]:
    """The features of one paper–architecture link: named in the text or only implied by the methods it links
    (their roles and confidences), where, and which family (families differ in how often a mention means use)."""
    ms = [m for m in mentions if not m.component.startswith("inferred:")]
    src = list(sources)
    return {
        "explicit": float(bool(ms)),
        "explicit_in_title": float(any(m.field == "title" for m in ms)),
        "explicit_mentions": math.log1p(len(ms)),
        "sources": math.log1p(len(src)),
        "source_proposes": float(any(r == "proposes" for r, _ in src)),
        "source_uses": float(any(r in ("uses", "evaluates_on") for r, _ in src)),
        "source_compares": float(any(r == "compares" for r, _ in src)),
        "source_conf_max": max((c for _, c in src), default=0.0),
        f"arch={arch_id}": 1.0,
    }


@dataclass(frozen=True)
class LinkScorer:
    """Per entity type: an intercept and a weight per feature (missing weights count 0); per role ("proposes"), the
    same for the probability that a link of a method or dataset is the paper's own contribution."""

    weights: Mapping[str, Mapping[str, float]]
    roles: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def score(self, entity_type: str, features: Mapping[str, float]) -> float:
        w = self.weights.get(entity_type)
        return 0.5 if w is None else _logistic(w, features)

    def role_score(self, role: str, features: Mapping[str, float]) -> float | None:
        """P(the link has ``role``), or None when no model for the role is shipped."""
        w = self.roles.get(role)
        return None if w is None else _logistic(w, features)


@cache
def load_scorer(path: Path = LINK_MODEL) -> LinkScorer | None:
    """The shipped link scorer, or None when there is none (links keep the extractors' own scores)."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return LinkScorer(data["weights"], data.get("roles", {}))
