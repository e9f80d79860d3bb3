"""Paper-level evaluation against gold in the GUIDELINE format (``../shared/gold/seed-dev``).

Gold: one JSON object per paper with ``key``, ``title``, optional ``abstract``, and lists
``methods``/``tasks``/``datasets``/``metrics`` of ``{"label", "aliases"}`` plus a set of
``architectures`` from the guideline's fixed vocabulary. A predicted entity matches a gold one
when any normalised form (label, alias, surface text) is shared, one-to-one. Links with role
"mentions" are not predictions (the guideline annotates what the paper's work involves).
Predicted architectures are mapped onto the guideline vocabulary through the ontology's class
hierarchy (LSTM → RNN, VAE → autoencoder, encoder-only → also transformer).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import RDF, RDFS, Graph, URIRef

from kg.errors import InputError
from kg.evaluation.metrics import PRF
from kg.extract.normalize import norm_key
from kg.ingest.text import json_lines, title_key
from kg.mapping.iris import entity_iri
from kg.model import PaperExtraction
from kg.namespace import KG
from ontology import ONTOLOGY_TTL

GOLD_TYPES = {"methods": "method", "tasks": "task", "datasets": "dataset", "metrics": "metric"}
# The fixed architecture vocabulary of GUIDELINE.md (its "architectures" field draws only from these).
GUIDELINE_ARCHITECTURES = frozenset({
    "transformer", "encoder-only", "decoder-only", "encoder-decoder", "CNN", "RNN", "GNN", "MLP",
    "state space model", "mixture of experts", "autoencoder", "GAN", "diffusion model",
    "implicit neural representation", "vision transformer",
})


@dataclass(frozen=True)
class GoldPaper:
    key: str
    title: str
    abstract: str | None
    entities: dict[str, list[frozenset[str]]]  # type → one set of normalised forms per gold entity
    labels: dict[str, list[str]]  # type → gold labels (for error reports)
    architectures: frozenset[str]
    proposed: list[frozenset[str]] = field(default_factory=list)  # forms of the methods the paper proposes


@dataclass
class PaperLevelResult:
    scores: dict[str, PRF] = field(default_factory=dict)
    roles: dict[str, PRF] = field(default_factory=dict)  # "proposes": the paper's own methods
    errors: list[str] = field(default_factory=list)  # "FP method 'X' (key)" / "FN …"
    # (confidence, right?, type) of every method/task/dataset/metric link, asserted or candidate: calibration
    judged: list[tuple[float, bool, str]] = field(default_factory=list)


def read_gold(path: Path) -> Iterator[GoldPaper]:
    for lineno, rec in json_lines(path):
        if not isinstance(rec, dict) or not rec.get("title"):
            raise InputError("expected an object with a title", path=str(path), line=lineno, field="title")
        entities: dict[str, list[frozenset[str]]] = {}
        labels: dict[str, list[str]] = {}
        proposed: list[frozenset[str]] = []
        for key, etype in GOLD_TYPES.items():
            items = rec.get(key, [])
            if not isinstance(items, list):
                raise InputError("expected a list", path=str(path), line=lineno, field=key)
            entities[etype], labels[etype] = [], []
            for item in items:
                if not isinstance(item, dict) or "label" not in item:
                    raise InputError("expected {label, aliases}", path=str(path), line=lineno, field=key)
                forms = {norm_key(item["label"]), *(norm_key(a) for a in item.get("aliases", []))}
                entities[etype].append(frozenset(f for f in forms if f))
                labels[etype].append(item["label"])
                if item.get("proposed"):
                    proposed.append(entities[etype][-1])
        archs = rec.get("architectures", [])
        unknown = set(archs) - GUIDELINE_ARCHITECTURES
        if unknown:
            raise InputError(f"unknown architectures {sorted(unknown)}", path=str(path), line=lineno,
                             field="architectures")
        yield GoldPaper(rec.get("key") or title_key(rec["title"]), rec["title"], rec.get("abstract"), entities, labels,
                        frozenset(archs), proposed)


@cache
def architecture_labels() -> dict[str, frozenset[str]]:
    """Architecture IRI → guideline labels it stands for (its class and every ancestor within the vocabulary)."""
    g = Graph().parse(ONTOLOGY_TTL, format="turtle")
    out: dict[str, frozenset[str]] = {}
    for ind, cls in g.subject_objects(RDF.type):
        if not isinstance(cls, URIRef) or KG.Architecture not in set(g.transitive_objects(cls, RDFS.subClassOf)):
            continue
        labels = {str(g.value(c, RDFS.label)) for c in g.transitive_objects(cls, RDFS.subClassOf)}
        mapped = labels & GUIDELINE_ARCHITECTURES
        # A subclass outside the vocabulary (LSTM, VAE) stands for its nearest ancestor inside it.
        out[str(ind)] = frozenset(mapped)
    return out


def predicted_architectures(ex: PaperExtraction) -> frozenset[str]:
    table = architecture_labels()
    out: set[str] = set()
    for lk in ex.links:
        if lk.entity.type == "architecture" and lk.role != "mentions" and lk.asserted:
            out |= table.get(str(entity_iri(lk.entity.id)), frozenset())
    return frozenset(out)


def _pred_forms(ex: PaperExtraction, etype: str, roles: frozenset[str] | None = None) -> list[tuple[str, frozenset[str]]]:
    out = []
    for lk in ex.links:
        if lk.entity.type != etype or lk.role == "mentions" or not lk.asserted \
                or (roles is not None and lk.role not in roles):
            continue
        forms = {norm_key(lk.entity.label), *(norm_key(a) for a in lk.entity.aliases),
                 *(norm_key(m.text) for m in lk.mentions if not m.component.startswith("inferred:"))}
        out.append((lk.entity.label, frozenset(f for f in forms if f)))
    return out


def judge_links(gold: GoldPaper, ex: PaperExtraction) -> list[tuple[float, bool, str]]:
    """(confidence, right?, type) of each method/task/dataset/metric link of ``ex``, asserted or not: right when it
    shares a normalised form with a gold entity of its type."""
    out: list[tuple[float, bool, str]] = []
    for lk in ex.links:
        etype = lk.entity.type
        if etype not in gold.entities or lk.role == "mentions":
            continue
        forms = {norm_key(lk.entity.label), *(norm_key(a) for a in lk.entity.aliases),
                 *(norm_key(m.text) for m in lk.mentions if not m.component.startswith("inferred:"))}
        out.append((lk.confidence, any(forms & g for g in gold.entities[etype]), etype))
    return out


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    links: int
    mean_confidence: float
    right: float  # share of the bin's links that are right


def calibration_table(judged: list[tuple[float, bool, str]], bins: int = 10) -> list[CalibrationBin]:
    """Reliability table: links binned by confidence, each bin's mean confidence beside the share that is right."""
    out = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [(c, r) for c, r, _ in judged if low <= c < high or (b == bins - 1 and c == 1.0)]
        if inside:
            out.append(CalibrationBin(low, high, len(inside), sum(c for c, _ in inside) / len(inside),
                                      sum(r for _, r in inside) / len(inside)))
    return out


def threshold_table(judged: list[tuple[float, bool, str]], n_gold: int,
                    thresholds: tuple[float, ...] = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)) -> list[tuple[float, PRF]]:
    """Micro precision/recall if only links at or above each threshold were asserted (gold matched one-to-one is
    approximated by right links, which can only over-count recall when two links hit one gold entity)."""
    out = []
    for t in thresholds:
        kept = [r for c, r, _ in judged if c >= t]
        s = PRF(tp_pred=sum(kept), n_pred=len(kept), tp_gold=min(sum(kept), n_gold), n_gold=n_gold)
        out.append((t, s))
    return out


def score_paper(gold: GoldPaper, ex: PaperExtraction, result: PaperLevelResult) -> None:
    """Add one paper's counts (and its errors) to ``result``."""
    result.judged.extend(judge_links(gold, ex))
    for etype in GOLD_TYPES.values():
        preds = _pred_forms(ex, etype)
        golds = gold.entities[etype]
        used: set[int] = set()
        s = result.scores.setdefault(etype, PRF())
        s.n_pred += len(preds)
        s.n_gold += len(golds)
        for gi, gforms in enumerate(golds):
            hit = next((pi for pi, (_, pforms) in enumerate(preds) if pi not in used and pforms & gforms), None)
            if hit is None:
                result.errors.append(f"FN {etype} {gold.labels[etype][gi]!r} [{gold.key[:40]}]")
            else:
                used.add(hit)
        s.tp_gold += len(used)
        s.tp_pred += len(used)
        for pi, (label, _) in enumerate(preds):
            if pi not in used:
                result.errors.append(f"FP {etype} {label!r} [{gold.key[:40]}]")
    # Role: the methods the paper proposes (gold "proposed": true).
    preds = _pred_forms(ex, "method", frozenset({"proposes"}))
    r = result.roles.setdefault("proposes", PRF())
    r.n_pred += len(preds)
    r.n_gold += len(gold.proposed)
    hits = {pi for gforms in gold.proposed for pi, (_, pforms) in enumerate(preds) if pforms & gforms}
    r.tp_pred += len(hits)
    r.tp_gold += sum(1 for gforms in gold.proposed if any(pforms & gforms for _, pforms in preds))
    pa = predicted_architectures(ex)
    s = result.scores.setdefault("architecture", PRF())
    s.n_pred += len(pa)
    s.n_gold += len(gold.architectures)
    s.tp_pred += len(pa & gold.architectures)
    s.tp_gold += len(pa & gold.architectures)
    result.errors += [f"FP architecture {a!r} [{gold.key[:40]}]" for a in sorted(pa - gold.architectures)]
    result.errors += [f"FN architecture {a!r} [{gold.key[:40]}]" for a in sorted(gold.architectures - pa)]


def evaluate_paper_level(gold: Iterable[GoldPaper], extractions: dict[str, PaperExtraction]) -> PaperLevelResult:
    """Score ``extractions`` (by gold key) against ``gold``; a gold paper without extraction scores as empty."""
    result = PaperLevelResult()
    for gp in gold:
        ex = extractions.get(gp.key)
        if ex is None:
            raise InputError(f"no paper with key {gp.key!r} in the input corpus (title {gp.title!r})")
        score_paper(gp, ex, result)
    return result
