"""Generate the merged vocabularies in ``ontology/vocab/*.jsonl`` from curated files and the PwC methods snapshot.

Run ``python -m tools.vocab_build`` (``--check`` fails when the committed files are stale,
``--report`` lists what the filters did). The build is pure and deterministic: the same inputs
give the same bytes.

Inputs (all inside the repository):

- ``ontology/vocab/sources/pwc-methods-2022-06.json.gz``: the Papers-with-Code methods snapshot
  (objects with ``url``, ``name``, ``full_name``, ``collections``, ``num_papers``).
- ``ontology/vocab/curated/{methods,tasks,datasets,metrics,architectures}.jsonl``: hand-curated
  records in the format of ``ontology/vocab/README.md``; curated records always win.
- ``ontology/vocab/curated/overrides.jsonl``: corrections applied by id after the merge, one object
  per line: ``{"id": ..., "match": false}`` (suppress matching), ``{"id": ..., "drop": true}``
  (remove the record), ``{"id": ..., "merge_into": "<id>"}`` (its label and aliases become aliases
  of another record), ``{"id": ..., "remove_aliases": [...]}``, or any record fields to replace
  (``label``, ``aliases``, ``architectures``, ``case_sensitive``, ``match``); a full record
  (with ``type`` and ``label``) whose id does not exist yet is added. An override naming an
  unknown id is an error, so stale overrides are noticed.

Outputs: ``ontology/vocab/{methods,tasks,datasets,metrics,architectures}.jsonl``, one record per
line, sorted by id.

What the build does with a PwC method, in order:

1. Its surface forms (``name``, ``full_name``) are screened. Forms are dropped when they are
   ambiguous on their own: all-capital acronyms of at most five letters and any form of at most
   three characters without a digit ("SAC", "MAS", "GPS", "PnP"), unless listed in
   ``ACRONYM_ALLOWLIST``; and single English-looking words without inner capitals or digits
   ("Gravity", "Ontology", "Electric", "Inpainting"), unless listed in ``DISTINCTIVE_WORDS``.
   A method left without any form is dropped.
2. Names in ``GENERIC_NAMES`` (building blocks such as "Convolution", "Softmax", "Dropout",
   "ReLU", "Linear Layer", "Dense Connections", descriptive phrases such as "Temporal attention")
   keep their record for canonicalisation but get ``"match": false``.
3. Architecture families ("Transformer", "LSTM", "GAN", "VAE", "NeRF", "GCN", "Seq2Seq", ...,
   see ``PWC_ARCHITECTURE_FAMILIES``) are folded into the curated ``architecture/*`` records.
4. A method whose name or full name is already a curated surface form is absorbed by that
   curated record (so "Proximal Policy Optimization" merges into the curated PPO record); when
   that record is a task, dataset, metric or architecture the PwC entry is consumed without adding
   forms (a PwC "method" named like a task never becomes a method). A bare acronym only absorbs when the
   method has no different full name, so PwC's "SAC" (Switchable Atrous Convolution) never merges
   into the curated SAC (Soft Actor-Critic).
5. Otherwise it becomes ``method/<slug of label>`` with ``source: "pwc:<pwc slug>"``; its
   ``architectures`` are inferred from its PwC collections (``COLLECTION_ARCHITECTURES``).

Then overrides are applied, British spellings are added to case-insensitive forms
("optimization" → "optimisation", "modeling" → "modelling"; the extractor adds plural and
hyphen/space variants itself), and surface-form clashes are resolved with the extractor's own key
(``kg.extract.normalize.norm_key``) so every form names one entity: a curated record keeps a
contested form, a PwC record loses it (the more-cited PwC record wins between two PwC records),
and a clash between two curated records fails the build unless listed in
``DOCUMENTED_SHARED_FORMS``.

Ambiguity decisions taken in the curated files (documented here because they are policy):
"SAM" names the Segment Anything Model (in the 2025 arXiv cs corpus it does so ~40x more often
than Sharpness-Aware Minimization, which keeps its long form only); "Adam" is the optimizer
(case-sensitive); "ASR" is automatic speech recognition (attack success rate keeps its long form);
"MAE" is the metric mean absolute error (the Masked Autoencoder keeps its long form);
"TTA" is test-time adaptation; "GQA" is grouped-query attention (the GQA dataset keeps no bare
alias); "DINO" is the self-supervised ViT method (the detector is "DINO-DETR"); "EM", "IS",
"LDA", "SSD", "Falcon" and "ARC" are not aliases at all. Size variants of one model are aliases of
the model (ResNet-50 → ResNet, Llama-2-7B → Llama 2); distinct versions are distinct entities
(GPT-3 vs GPT-4, YOLOv5 vs YOLOv8, DINO vs DINOv2).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kg.extract.normalize import norm_key
from kg.extract.vocab import default_case_sensitive
from kg.ids import ENTITY_ID, slugify
from ontology import VOCAB_DIR

PWC_SNAPSHOT = Path("sources") / "pwc-methods-2022-06.json.gz"
CURATED_DIR = Path("curated")
OVERRIDES_FILE = "overrides.jsonl"

#: Output file stem per entity type.
FILES: dict[str, str] = {
    "method": "methods",
    "task": "tasks",
    "dataset": "datasets",
    "metric": "metrics",
    "architecture": "architectures",
}

#: The fixed architecture ids; they mirror the architecture classes of ``ontology/kg.ttl``.
ARCHITECTURE_IDS: tuple[str, ...] = (
    "architecture/transformer",
    "architecture/encoder-only",
    "architecture/decoder-only",
    "architecture/encoder-decoder",
    "architecture/vision-transformer",
    "architecture/cnn",
    "architecture/rnn",
    "architecture/lstm",
    "architecture/gru",
    "architecture/gnn",
    "architecture/mlp",
    "architecture/state-space-model",
    "architecture/mixture-of-experts",
    "architecture/autoencoder",
    "architecture/vae",
    "architecture/gan",
    "architecture/diffusion-model",
    "architecture/implicit-neural-representation",
)

_TF = "architecture/transformer"

#: PwC collection → architecture ids implied for its members (parents listed too).
COLLECTION_ARCHITECTURES: Mapping[str, tuple[str, ...]] = {
    "Autoregressive Transformers": ("architecture/decoder-only", _TF),
    "Autoencoding Transformers": ("architecture/encoder-only", _TF),
    "Transformers": (_TF,),
    "Code Generation Transformers": (_TF,),
    "RL Transformers": (_TF,),
    "Sequence To Sequence Models": ("architecture/encoder-decoder",),
    "Machine Translation Models": ("architecture/encoder-decoder",),
    "Vision Transformers": ("architecture/vision-transformer", _TF),
    "Convolutional Neural Networks": ("architecture/cnn",),
    "Temporal Convolutions": ("architecture/cnn",),
    "One-Stage Object Detection Models": ("architecture/cnn",),
    "Graph Models": ("architecture/gnn",),
    "Generative Adversarial Networks": ("architecture/gan",),
    "Discriminators": ("architecture/gan",),
    "Recurrent Neural Networks": ("architecture/rnn",),
    "Bidirectional Recurrent Neural Networks": ("architecture/rnn",),
    "Mixture-of-Experts": ("architecture/mixture-of-experts",),
}

#: PwC method slugs that are architecture families, folded into the architecture record.
PWC_ARCHITECTURE_FAMILIES: Mapping[str, str] = {
    "transformer": _TF,
    "vision-transformer": "architecture/vision-transformer",
    "seq2seq": "architecture/encoder-decoder",
    "lstm": "architecture/lstm",
    "bilstm": "architecture/lstm",
    "gru": "architecture/gru",
    "bigru": "architecture/gru",
    "1d-cnn": "architecture/cnn",
    "gcn": "architecture/gnn",
    "mpnn": "architecture/gnn",
    "gan": "architecture/gan",
    "vae": "architecture/vae",
    "cvae": "architecture/vae",
    "autoencoder": "architecture/autoencoder",
    "ae": "architecture/autoencoder",
    "sparse-autoencoder": "architecture/autoencoder",
    "nerf": "architecture/implicit-neural-representation",
}

#: Casefolded PwC names of generic building blocks and descriptive phrases: kept, never matched.
GENERIC_NAMES: frozenset[str] = frozenset(
    {
        "attention", "convolution", "softmax", "dropout", "relu", "rectified linear units",
        "linear layer", "dense connections", "residual connection", "feedforward network",
        "position-wise feed-forward layer", "sigmoid activation", "tanh activation",
        "max pooling", "average pooling", "global average pooling", "1x1 convolution",
        "residual block", "bottleneck residual block", "concatenated skip connection",
        "absolute position encodings", "attention dropout", "heatmap", "temporal attention",
        "channel attention", "spatial attention", "branch attention", "visual attention",
        "adaptive masking", "low-resolution input", "high-resolution input",
        "hierarchical feature fusion", "adaptive loss", "early exiting", "self-learning",
        "memory network", "copy-paste", "cross-attention module", "adaptive dropout",
        "attention gate", "dynamic convolution", "grouped convolution", "pointwise convolution",
        "3d convolution", "transposed convolution", "auxiliary classifier", "causal inference",
        "dense block", "global-local attention", "global and sliding window attention",
        "content-based attention", "location-based attention", "additive attention",
        "dot-product attention", "multiplicative attention", "scaled dot-product attention",
        "position-sensitive roi pooling", "center pooling", "random search",
        "linear warmup with linear decay", "linear warmup with cosine annealing",
        "inverse square root schedule", "step decay", "exponential decay",
        "entropy regularization", "laplacian pyramid", "deep ensembles", "image scaling strategies",
        "random resized crop", "random horizontal flip", "random gaussian blur", "color jitter",
        "colorjitter", "weight tying", "embedding dropout", "local response normalization",
        "mixture of logistic distributions", "affine coupling", "auxiliary loss",
        "gradient-based optimization", "transformer decoder", "collaborative distillation",
        "feedback alignment", "mutual guidance", "compressed memory", "visual parsing",
        "cross-resolution features", "hri pipeline", "learning to match", "bilateral grid",
        "selective kernel", "lightweight convolution", "spatial attention module",
        "channel attention module", "context enhancement module", "split attention",
        "multi-attention network", "rank-based loss", "symbolic rule learning",
        "discriminative regularization", "activation regularization", "orthogonal regularization",
        "guided anchoring", "dual attention network", "relation-aware global attention",
        "positional encoding generator", "conditional positional encoding", "spatial feature transform",
        "gated convolution", "channel shuffle", "3-dimensional interaction space", "adaptive nms",
        "pyramid pooling module", "residual attention network", "transformer encoder",
        "attention module", "attention mechanism", "self-attention network", "gated attention",
    }
)

#: Short all-capital PwC names that are unambiguous in ML text and may be matched.
ACRONYM_ALLOWLIST: frozenset[str] = frozenset(
    {
        "BERT", "GPT", "T5", "BART", "XLM", "ELMo", "DETR", "FCOS", "YOLO",
        "PCA", "SVM", "CRF", "HMM", "DQN", "PPO", "TRPO", "DDPG", "TD3", "A2C", "A3C",
        "MAML", "BYOL", "SwAV", "LIME", "SHAP", "SMOTE", "ADMM", "DTW", "BPE", "SGD", "LSTM",
        "GRU", "GAN", "VAE", "GCN", "GAT", "GIN", "RPN", "FPN", "ASPP", "CBAM", "LAMB", "LARS",
        "GELU", "SELU", "PReLU", "GLU", "SiLU", "MPNN", "FCN", "UNETR", "REINFORCE", "PVT",
        "MViT", "DeiT", "ViT", "CLIP", "NeRF", "BEiT", "SimCLR", "MoCo", "FixMatch", "ELECTRA",
        "ALBERT", "RoBERTa", "BiFPN", "PANet", "gMLP", "mLSTM", "scSE", "GLIP", "ViLT", "CoOp", "MUSIQ", "FLAVA", "ALBEF", "XLSR", "TSDAE", "OHEM", "DDSP", "PIRL",
        "NPID", "UNIMO", "VATT", "FLAVR", "NADAM", "EEND", "ESIM", "NIMA", "DECA", "GAIL", "ASFF",
        "WFST", "LXMERT",
    }
)

#: Single-word PwC names without inner capitals that are model names, not English words.
DISTINCTIVE_WORDS: frozenset[str] = frozenset(
    {
        "longformer", "reformer", "linformer", "conformer", "mixup", "cutmix", "cutout",
        "swish", "mish", "maxout", "softplus", "adam", "adamw", "adagrad", "adadelta", "adamax",
        "nadam", "radam", "rmsprop", "adafactor", "adabound", "amsgrad", "sarsa",
        "wavenet", "wavernn", "waveglow", "tacotron", "deepwalk", "node2vec", "transe",
        "distmult", "word2vec", "fasttext", "glove", "doc2vec", "xception", "seresnet",
        "segnet", "retinanet", "centernet", "efficientnet", "densenet", "resnext", "alexnet",
        "googlenet", "shufflenet", "squeezenet", "mobilenet", "pointnet", "infonce", "wordpiece",
        "sentencepiece", "autoaugment", "randaugment", "dropblock", "dropconnect", "zoneout",
        "layerdrop", "fixmatch", "mixmatch", "remixmatch", "simsiam", "swav", "deeplab",
        "pspnet", "maskformer", "segformer", "graphsage", "graphormer", "timesformer",
        "nystromformer", "adabelief", "meena", "morphence", "powerpropagation", "vokenization",
        "fishr", "smish", "dorylus", "batchboost",
    }
)

#: Surface forms deliberately shared by two entities (norm key → reason). Empty: none are.
DOCUMENTED_SHARED_FORMS: Mapping[str, str] = {}

_RECORD_KEYS = ("id", "type", "label", "aliases", "architectures", "source", "case_sensitive", "match")
_OVERRIDE_KEYS = frozenset({"id", "type", "label", "aliases", "architectures", "source", "case_sensitive",
                            "match", "drop", "merge_into", "remove_aliases"})


class VocabBuildError(ValueError):
    """Raised when an input file is malformed or the merged vocabulary is inconsistent."""


@dataclass(frozen=True)
class Record:
    """One vocabulary record as written to ``ontology/vocab/<type>s.jsonl``.

    ``curated`` and ``weight`` are build-time provenance (curated records win clashes; among PwC
    records the one with more papers wins) and are not serialised.
    """

    id: str
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    architectures: tuple[str, ...] = ()
    source: str = "curated"
    case_sensitive: bool | None = None
    match: bool = True
    curated: bool = True
    weight: int = 0
    explicit_architectures: bool = False

    def forms(self) -> tuple[str, ...]:
        """Label then aliases."""
        return (self.label, *self.aliases)

    def to_json(self) -> dict[str, Any]:
        """The record in README key order; optional keys only when set."""
        out: dict[str, Any] = {"id": self.id, "type": self.type, "label": self.label, "aliases": list(self.aliases)}
        if self.architectures:
            out["architectures"] = list(self.architectures)
        out["source"] = self.source
        if self.case_sensitive is not None:
            out["case_sensitive"] = self.case_sensitive
        if not self.match:
            out["match"] = False
        return out


@dataclass(frozen=True)
class PwcMethod:
    """One entry of the Papers-with-Code methods snapshot."""

    slug: str
    name: str
    full_name: str
    collections: tuple[str, ...]
    num_papers: int


@dataclass
class BuildReport:
    """What the build did, for ``--report`` and for tests."""

    counts: dict[str, int] = field(default_factory=dict)
    dropped: list[tuple[str, str]] = field(default_factory=list)
    generic: list[str] = field(default_factory=list)
    absorbed: list[tuple[str, str]] = field(default_factory=list)
    removed_forms: list[tuple[str, str, str]] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- helpers


def _unique(items: Iterable[str], exclude: Sequence[str] = ()) -> tuple[str, ...]:
    seen = set(exclude)
    out: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return tuple(out)


_US_SUFFIX = re.compile(r"\b([a-z]{4,})iz(e|es|ed|er|ers|ing|ation|ations)\b")
_UK_SUFFIX = re.compile(r"\b([a-z]{4,})is(ation|ations)\b")
_DOUBLE_L = (("modeling", "modelling"), ("labeling", "labelling"), ("traveling", "travelling"))


def spelling_variants(form: str) -> tuple[str, ...]:
    """British/American variants of a lowercase-matched form ("optimization" ↔ "optimisation",
    "modeling" ↔ "modelling"); the form itself is not included."""
    out: list[str] = []
    uk = _US_SUFFIX.sub(lambda m: f"{m.group(1)}is{m.group(2)}", form)
    us = _UK_SUFFIX.sub(lambda m: f"{m.group(1)}iz{m.group(2)}", form)
    for a, b in _DOUBLE_L:
        uk = re.sub(rf"\b{a}\b", b, uk)
        us = re.sub(rf"\b{b}\b", a, us)
    for v in (uk, us):
        if v != form and v not in out:
            out.append(v)
    return tuple(out)


def _is_case_sensitive(rec: Record, form: str) -> bool:
    return rec.case_sensitive if rec.case_sensitive is not None else default_case_sensitive(form)


# ---------------------------------------------------------------------------------------------- reading


def parse_record(obj: object, where: str, *, expected_type: str | None = None) -> Record:
    """A curated JSON object → ``Record``; ``VocabBuildError`` naming the file, line and field otherwise."""
    if not isinstance(obj, dict):
        raise VocabBuildError(f"{where}: expected a JSON object")
    unknown = set(obj) - set(_RECORD_KEYS)
    if unknown:
        raise VocabBuildError(f"{where}: unknown field(s) {sorted(unknown)}")
    rid, rtype, label = obj.get("id"), obj.get("type"), obj.get("label")
    if not isinstance(rid, str) or not ENTITY_ID.match(rid):
        raise VocabBuildError(f"{where}: id {rid!r} is not '<type>/<slug>' (lowercase ASCII, '-' between words)")
    if rtype not in FILES or not rid.startswith(f"{rtype}/"):
        raise VocabBuildError(f"{where}: type {rtype!r} does not match id {rid!r}")
    if expected_type is not None and rtype != expected_type:
        raise VocabBuildError(f"{where}: a {rtype} record in the {FILES[expected_type]} file")
    if not isinstance(label, str) or not label.strip():
        raise VocabBuildError(f"{where}: missing label")
    aliases = obj.get("aliases", [])
    archs = obj.get("architectures")
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise VocabBuildError(f"{where}: aliases must be a list of strings")
    if archs is not None and (not isinstance(archs, list) or not all(isinstance(a, str) for a in archs)):
        raise VocabBuildError(f"{where}: architectures must be a list of architecture ids")
    cs = obj.get("case_sensitive")
    if cs is not None and not isinstance(cs, bool):
        raise VocabBuildError(f"{where}: case_sensitive must be true or false")
    match = obj.get("match", True)
    if not isinstance(match, bool):
        raise VocabBuildError(f"{where}: match must be true or false")
    source = obj.get("source", "curated")
    if not isinstance(source, str):
        raise VocabBuildError(f"{where}: source must be a string")
    label = label.strip()
    return Record(
        id=rid,
        type=rtype,
        label=label,
        aliases=_unique(aliases, exclude=[label]),
        architectures=_unique(archs or ()),
        source=source,
        case_sensitive=cs,
        match=match,
        curated=True,
        weight=10**9,
        explicit_architectures=archs is not None,
    )


def _read_jsonl(path: Path) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            rows.append((where, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise VocabBuildError(f"{where}: not valid JSON ({exc.msg})") from None
    return rows


def load_curated(vocab_dir: Path) -> list[Record]:
    """All curated records, in file order; duplicate ids are an error."""
    records: list[Record] = []
    seen: dict[str, str] = {}
    for rtype, stem in FILES.items():
        path = vocab_dir / CURATED_DIR / f"{stem}.jsonl"
        if not path.is_file():
            raise VocabBuildError(f"{path}: missing curated file")
        for where, obj in _read_jsonl(path):
            rec = parse_record(obj, where, expected_type=rtype)
            if rec.id in seen:
                raise VocabBuildError(f"{where}: duplicate id {rec.id} (first at {seen[rec.id]})")
            seen[rec.id] = where
            records.append(rec)
    arch_ids = {r.id for r in records if r.type == "architecture"}
    if arch_ids != set(ARCHITECTURE_IDS):
        raise VocabBuildError(
            f"curated architectures must be exactly the ontology's: missing {sorted(set(ARCHITECTURE_IDS) - arch_ids)}, "
            f"unexpected {sorted(arch_ids - set(ARCHITECTURE_IDS))}"
        )
    return records


def load_overrides(vocab_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    """Override objects with their file positions; each needs an ``id`` and only known keys."""
    path = vocab_dir / CURATED_DIR / OVERRIDES_FILE
    if not path.is_file():
        return []
    out: list[tuple[str, dict[str, Any]]] = []
    for where, obj in _read_jsonl(path):
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            raise VocabBuildError(f"{where}: an override is an object with an 'id'")
        unknown = set(obj) - _OVERRIDE_KEYS
        if unknown:
            raise VocabBuildError(f"{where}: unknown override field(s) {sorted(unknown)}")
        out.append((where, obj))
    return out


def load_pwc(path: Path) -> list[PwcMethod]:
    """The PwC snapshot as ``PwcMethod`` records, sorted by slug."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, list):
        raise VocabBuildError(f"{path}: expected a JSON list of methods")
    methods: dict[str, PwcMethod] = {}
    for i, m in enumerate(data):
        if not isinstance(m, dict) or not isinstance(m.get("name"), str) or not isinstance(m.get("url"), str):
            raise VocabBuildError(f"{path}: entry {i} lacks a name or url")
        slug = m["url"].rstrip("/").rsplit("/", 1)[-1]
        full = m.get("full_name")
        cols = tuple(c["collection"] for c in m.get("collections") or () if isinstance(c, dict) and c.get("collection"))
        methods[slug] = PwcMethod(
            slug=slug,
            name=m["name"].strip(),
            full_name=full.strip() if isinstance(full, str) and full.strip() not in ("", "None") else "",
            collections=cols,
            num_papers=int(m.get("num_papers") or 0),
        )
    return [methods[s] for s in sorted(methods)]


# ---------------------------------------------------------------------------------------------- PwC screening


def form_problem(form: str) -> str | None:
    """Why a PwC surface form cannot be matched on its own, or None when it can.

    >>> form_problem("SAC"), form_problem("Gravity"), form_problem("Faster R-CNN")
    ('ambiguous acronym', 'common word', None)
    """
    if form in ACRONYM_ALLOWLIST or _MODEL_MORPHEME.search(form):
        return None
    short_mixed = len(form) <= 5 and " " not in form and sum(c.isupper() for c in form) >= 2
    if (re.fullmatch(r"[A-Z]{1,5}s?", form) or ((len(form) <= 3 or short_mixed) and not any(c.isdigit() for c in form))):
        return "ambiguous acronym"
    if re.fullmatch(r"[A-Za-z]+", form) and not any(c.isupper() for c in form[1:]) \
            and form.casefold() not in DISTINCTIVE_WORDS:
        return "common word"
    return None


#: Parts of a name that mark it as a model name even when short or single-word ("SRGAN", "MDETR",
#: "DGCNN", "Charformer", "Sparsemax").
_MODEL_MORPHEME = re.compile(r"(?:GAN|DETR|CNN|GCN|BERT|VAE|YOLO|GPT)|(?:former|bert|gan|vec|max|boost|prop|net)s?$")


def _is_acronym_name(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Z0-9][A-Z0-9\-+]*", name)) and sum(c.isupper() for c in name) >= 2


def pwc_record(m: PwcMethod) -> tuple[Record | None, str]:
    """The method record a PwC entry yields before merging, or (None, reason) when it has no usable form."""
    raw = _unique([m.name, m.full_name])
    kept = [f for f in raw if form_problem(f) is None]
    if not kept:
        return None, "; ".join(f"{f!r}: {form_problem(f)}" for f in raw)
    if m.name in kept and not (_is_acronym_name(m.name) and m.full_name in kept and " " in m.full_name):
        label = m.name
    else:
        label = m.full_name if m.full_name in kept else kept[0]
    archs: list[str] = []
    for col in m.collections:
        for a in COLLECTION_ARCHITECTURES.get(col, ()):
            if a not in archs:
                archs.append(a)
    generic = any(f.casefold() in GENERIC_NAMES for f in raw)
    return (
        Record(
            id=f"method/{slugify(label)}",
            type="method",
            label=label,
            aliases=_unique(kept, exclude=[label]),
            architectures=tuple(archs),
            source=f"pwc:{m.slug}",
            match=not generic,
            curated=False,
            weight=m.num_papers,
        ),
        "generic" if generic else "",
    )


# ---------------------------------------------------------------------------------------------- merging


class _Merger:
    """Holds records by id while PwC entries, overrides and clash resolution are applied."""

    def __init__(self, curated: Sequence[Record], report: BuildReport) -> None:
        self.records: dict[str, Record] = {r.id: r for r in curated}
        self.report = report
        self.curated_keys: dict[str, str] = {}
        for r in curated:
            for f in r.forms():
                self.curated_keys.setdefault(norm_key(f), r.id)
        self.curated_exact: dict[str, str] = {}
        for r in curated:
            for f in r.forms():
                self.curated_exact.setdefault(f, r.id)

    def add_aliases(self, rid: str, forms: Iterable[str]) -> None:
        rec = self.records[rid]
        self.records[rid] = replace(rec, aliases=_unique([*rec.aliases, *forms], exclude=[rec.label]))

    def add_pwc(self, m: PwcMethod) -> None:
        rec, why = pwc_record(m)
        family = PWC_ARCHITECTURE_FAMILIES.get(m.slug)
        if family is not None:
            if rec is not None:
                self.add_aliases(family, rec.forms())
            self.report.absorbed.append((m.slug, family))
            return
        target = None
        if rec is not None:
            for f in rec.forms():
                target = self.curated_keys.get(norm_key(f))
                if target:
                    break
        if target is None and (not m.full_name or m.full_name == m.name):
            target = self.curated_exact.get(m.name)
        if target is not None:
            host = self.records[target]
            if rec is not None and host.type == "method":  # a task/dataset/metric namesake only consumes it
                self.add_aliases(target, [f for f in rec.forms() if f.casefold() not in GENERIC_NAMES or not host.match])
                host = self.records[target]
                if not host.explicit_architectures and not host.architectures and rec.architectures:
                    self.records[target] = replace(host, architectures=rec.architectures)
            self.report.absorbed.append((m.slug, target))
            return
        if rec is None:
            self.report.dropped.append((m.slug, why))
            return
        if why == "generic":
            self.report.generic.append(rec.id)
        other = self.records.get(rec.id)
        if other is not None:  # same slug as a curated record, or two PwC entries with one label
            self.records[rec.id] = replace(other, weight=max(other.weight, rec.weight))
            self.add_aliases(rec.id, rec.forms())
            self.report.absorbed.append((m.slug, rec.id))
            return
        self.records[rec.id] = rec

    def apply_overrides(self, overrides: Sequence[tuple[str, dict[str, Any]]]) -> None:
        for where, ov in overrides:
            rid = ov["id"]
            if rid not in self.records:
                if "type" in ov and "label" in ov:
                    rec = parse_record({k: v for k, v in ov.items() if k in _RECORD_KEYS}, where)
                    self.records[rid] = rec
                    continue
                raise VocabBuildError(f"{where}: override for unknown id {rid} (stale? remove it)")
            rec = self.records[rid]
            if ov.get("drop"):
                del self.records[rid]
                continue
            if "merge_into" in ov:
                dest = ov["merge_into"]
                if dest not in self.records or dest == rid:
                    raise VocabBuildError(f"{where}: merge_into names unknown id {dest}")
                del self.records[rid]
                self.add_aliases(dest, rec.forms())
                continue
            patch = {k: v for k, v in ov.items() if k in _RECORD_KEYS and k != "id"}
            merged = {**rec.to_json(), **patch}
            if "case_sensitive" in patch and patch["case_sensitive"] is None:
                merged.pop("case_sensitive")
            new = parse_record(merged, where)
            if "remove_aliases" in ov:
                drop = set(ov["remove_aliases"])
                missing = drop - set(new.aliases)
                if missing:
                    raise VocabBuildError(f"{where}: {rid} has no alias(es) {sorted(missing)}")
                new = replace(new, aliases=tuple(a for a in new.aliases if a not in drop))
            self.records[rid] = replace(new, curated=True, weight=10**9,
                                        explicit_architectures=rec.explicit_architectures or "architectures" in patch,
                                        source=patch.get("source", rec.source))

    def add_spelling_variants(self) -> None:
        taken = {norm_key(f) for r in self.records.values() for f in r.forms()}
        for rid in sorted(self.records):
            rec = self.records[rid]
            extra: list[str] = []
            for f in rec.forms():
                if _is_case_sensitive(rec, f):
                    continue
                for v in spelling_variants(f):
                    k = norm_key(v)
                    if k not in taken:
                        taken.add(k)
                        extra.append(v)
            if extra:
                self.add_aliases(rid, extra)

    def resolve_clashes(self) -> None:
        owners: dict[str, list[str]] = {}
        for rid in sorted(self.records):
            for f in self.records[rid].forms():
                k = norm_key(f)
                if k and rid not in owners.setdefault(k, []):
                    owners[k].append(rid)
        for key in sorted(owners):
            ids = owners[key]
            if len(ids) < 2 or key in DOCUMENTED_SHARED_FORMS:
                continue
            ranked = sorted(ids, key=lambda i: (not self.records[i].curated, -self.records[i].weight, i))
            winner = ranked[0]
            curated = [i for i in ranked if self.records[i].curated]
            if len(curated) > 1:
                forms = {i: [f for f in self.records[i].forms() if norm_key(f) == key] for i in curated}
                raise VocabBuildError(f"curated records share the surface form {key!r}: {forms}")
            for loser in ranked[1:]:
                self._remove_key(loser, key, winner)

    def _remove_key(self, rid: str, key: str, winner: str) -> None:
        rec = self.records[rid]
        keep = [f for f in rec.forms() if norm_key(f) != key]
        for f in rec.forms():
            if norm_key(f) == key:
                self.report.removed_forms.append((rid, f, winner))
        if not keep:
            del self.records[rid]
            self.report.dropped.append((rid, f"all forms belong to {winner}"))
            return
        label = rec.label if norm_key(rec.label) != key else keep[0]
        self.records[rid] = replace(rec, label=label, aliases=_unique(keep, exclude=[label]))


def validate(records: Mapping[str, Record]) -> None:
    """Check ids, types, architecture references and that every surface form names one record."""
    arch_ids = {i for i, r in records.items() if r.type == "architecture"}
    owners: dict[str, str] = {}
    for rid in sorted(records):
        rec = records[rid]
        if not ENTITY_ID.match(rid) or rid != rec.id or not rid.startswith(f"{rec.type}/"):
            raise VocabBuildError(f"bad id/type: {rid} ({rec.type})")
        for a in rec.architectures:
            if a not in arch_ids:
                raise VocabBuildError(f"{rid}: unknown architecture {a}")
        if rec.label in rec.aliases or len(set(rec.aliases)) != len(rec.aliases):
            raise VocabBuildError(f"{rid}: duplicate surface forms")
        for f in rec.forms():
            k = norm_key(f)
            if not k:
                raise VocabBuildError(f"{rid}: empty surface form {f!r}")
            if owners.setdefault(k, rid) != rid and k not in DOCUMENTED_SHARED_FORMS:
                raise VocabBuildError(f"surface form {f!r} names both {owners[k]} and {rid}")


def build(vocab_dir: Path = VOCAB_DIR) -> tuple[dict[str, str], BuildReport]:
    """Merge the inputs under ``vocab_dir``; return {file name: file text} and a report. Writes nothing."""
    report = BuildReport()
    merger = _Merger(load_curated(vocab_dir), report)
    for m in load_pwc(vocab_dir / PWC_SNAPSHOT):
        merger.add_pwc(m)
    merger.apply_overrides(load_overrides(vocab_dir))
    merger.add_spelling_variants()
    merger.resolve_clashes()
    records = merger.records
    validate(records)
    texts: dict[str, str] = {}
    for rtype, stem in FILES.items():
        rows = [records[i].to_json() for i in sorted(records) if records[i].type == rtype]
        report.counts[f"{stem}.jsonl"] = len(rows)
        texts[f"{stem}.jsonl"] = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    return texts, report


def write(texts: Mapping[str, str], vocab_dir: Path = VOCAB_DIR) -> list[Path]:
    """Write the generated files (LF line endings, UTF-8); return the paths whose content changed."""
    changed: list[Path] = []
    for name, text in sorted(texts.items()):
        path = vocab_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_bytes(text.encode("utf-8"))
            changed.append(path)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry: build, then write (default), verify (``--check``) and/or print the report."""
    parser = argparse.ArgumentParser(prog="python -m tools.vocab_build", description=__doc__.split("\n")[0])
    parser.add_argument("--vocab-dir", type=Path, default=VOCAB_DIR, help="ontology/vocab directory")
    parser.add_argument("--check", action="store_true", help="fail if the generated files are not up to date")
    parser.add_argument("--report", action="store_true", help="list dropped, generic and absorbed PwC entries")
    args = parser.parse_args(argv)
    try:
        texts, report = build(args.vocab_dir)
    except VocabBuildError as exc:
        print(f"vocab_build: {exc}", file=sys.stderr)
        return 2
    if args.report:
        for slug, why in report.dropped:
            print(f"dropped\t{slug}\t{why}")
        for rid in report.generic:
            print(f"generic\t{rid}")
        for slug, target in report.absorbed:
            print(f"absorbed\t{slug}\t{target}")
        for rid, form, winner in report.removed_forms:
            print(f"clash\t{rid}\t{form}\t{winner}")
    if args.check:
        stale = [n for n, t in sorted(texts.items())
                 if not (args.vocab_dir / n).is_file() or (args.vocab_dir / n).read_text(encoding="utf-8") != t]
        if stale:
            print(f"vocab_build: out of date: {', '.join(stale)} (run python -m tools.vocab_build)", file=sys.stderr)
            return 1
    else:
        for path in write(texts, args.vocab_dir):
            print(f"wrote {path}", file=sys.stderr)
    print(" ".join(f"{n}={c}" for n, c in sorted(report.counts.items())), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
