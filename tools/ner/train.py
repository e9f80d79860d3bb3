"""Train the project's NER model (METHOD, TASK, DATASET, METRIC) from the shared gold corpora.

In: SciERC train/dev, GSAP-NER and TDMSci from ``--gold-dir`` (default ``<repo>/../shared/gold``),
and the spaCy config ``ner.cfg`` beside this file.
Out: the best pipeline by SciERC-dev entity F1, written to ``--out`` (``kg/extract/ner_model``);
a JSON report (conversion counts, mention-level SciERC-dev scores per original type, throughput)
printed on stdout and written to ``--report`` when given.

Usage::

    python -m tools.ner.train --out kg/extract/ner_model [--max-minutes 40]

The defaults reproduce the shipped model (SciERC train only, Material → DATASET, ``ner.cfg`` as is,
which stops after 4,000 steps); ``--corpora scierc,gsap,tdmsci``, ``--material drop``, ``--partial``
and ``--set`` give the variants compared in ``kg/extract/ner_model/README.md``.

The corpora are converted to ``DocBin`` files in a temporary directory (or ``--work-dir``), with
spaCy's own tokenizer: each gold span is aligned with ``Doc.char_span`` (strict, then
``alignment_mode="contract"``, then ``"expand"``), and overlapping spans are resolved longest-first.
GSAP-NER has no metric type and TDMSci no method type, so their unannotated tokens are not all
"outside": ``--partial missing`` marks every unannotated token there as unknown; ``--partial teacher
--teacher DIR`` runs an existing model over them and marks only its predictions of the absent type
(METRIC in GSAP-NER, METHOD in TDMSci) as unknown, keeping the rest "outside". Seeds are fixed; on the same machine a run is repeatable.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.evaluation.corpora import (
    GSAP_LABELS,
    NER_LABELS,
    SCIERC_LABELS,
    GoldDoc,
    read_gsap,
    read_scierc,
    read_tdmsci,
)

REPO = Path(__file__).resolve().parents[2]
DEFAULT_GOLD = REPO.parent / "shared" / "gold"
DEFAULT_CONFIG = Path(__file__).with_name("ner.cfg")
DEFAULT_BENCH = REPO.parent / "shared" / "corpus" / "arxiv-cs-2025" / "arxiv_cs_2025_2026.jsonl.gz"
#: When a gold span is tagged twice with different labels (GSAP: "XNLI" as Dataset and Task), keep this order.
LABEL_PRIORITY = {"DATASET": 0, "METRIC": 1, "TASK": 2, "METHOD": 3}
#: The SciERC types that the kg labels stand for, for mention-level evaluation.
SCIERC_EVAL_TYPES = ("Method", "Task", "Metric", "Material")


@dataclass
class ConversionStats:
    """What happened to the gold spans of one corpus on the way to spaCy docs."""

    docs: int = 0
    spans: int = 0
    exact: int = 0
    contracted: int = 0
    expanded: int = 0
    unaligned: int = 0
    overlapping: int = 0
    teacher_missing: int = 0
    labels: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if k != "labels"}
        d["labels"] = dict(sorted(self.labels.items()))
        return d


#: The kg labels each partially annotated corpus does not annotate.
ABSENT_LABELS = {"gsap": ("METRIC",), "tdmsci": ("METHOD",)}


def to_spacy_docs(nlp: Any, gold_docs: Iterable[GoldDoc], *, partial: bool, stats: ConversionStats,
                  repeat: int = 1, teacher: Any = None, absent: tuple[str, ...] = ()) -> Iterator[Any]:
    """Turn gold docs into spaCy ``Doc`` objects whose ``ents`` hold the aligned gold spans.

    Args:
        nlp: a pipeline whose tokenizer defines the tokens (``nlp.make_doc``).
        gold_docs: the corpus.
        partial: tokens outside every gold span are "missing" (unknown) rather than "outside".
        stats: updated with alignment and overlap counts.
        repeat: yield each doc this many times (upsampling).
        teacher: a trained pipeline; its predicted entities with a label in ``absent`` that do not
            overlap a gold span are marked "missing" (the corpus cannot say whether they are entities).
        absent: the labels the corpus does not annotate.
    """
    from spacy.util import filter_spans

    for gold in gold_docs:
        doc = nlp.make_doc(gold.text)
        spans = []
        for g in gold.spans:
            stats.spans += 1
            span = doc.char_span(g.start, g.end, label=g.label)
            if span is not None:
                stats.exact += 1
            else:
                span = doc.char_span(g.start, g.end, label=g.label, alignment_mode="contract")
                if span is not None and len(span):
                    stats.contracted += 1
                else:
                    span = doc.char_span(g.start, g.end, label=g.label, alignment_mode="expand")
                    if span is not None and len(span):
                        stats.expanded += 1
                    else:
                        stats.unaligned += 1
                        continue
            spans.append(span)
        # filter_spans keeps the longest span first and, among equal lengths, the first in this order
        spans.sort(key=lambda s: (s.start, LABEL_PRIORITY.get(s.label_, 9)))
        kept = filter_spans(spans)
        stats.overlapping += len(spans) - len(kept)
        stats.labels.update(s.label_ for s in kept)
        unknown = []
        if teacher is not None and absent:
            taken = {i for s in kept for i in range(s.start, s.end)}
            for ent in teacher(gold.text).ents:
                if ent.label_ in absent:
                    span = doc.char_span(ent.start_char, ent.end_char, alignment_mode="expand")
                    if span is not None and not taken.intersection(range(span.start, span.end)):
                        unknown.append(span)
                        taken.update(range(span.start, span.end))
            stats.teacher_missing += len(unknown)
        doc.set_ents(kept, missing=unknown, default="missing" if partial else "outside")
        stats.docs += 1
        for _ in range(repeat):
            yield doc


@dataclass(frozen=True)
class Recipe:
    """Which data go into training, and how (the variants compared in the README)."""

    gsap: bool = False
    tdmsci: bool = False
    material: str = "dataset"  # SciERC Material → DATASET ("dataset") or dropped ("drop")
    partial: str = "missing"  # unannotated tokens of GSAP-NER/TDMSci: "missing", "outside" or "teacher"
    teacher: str | None = None  # model dir for partial="teacher"
    scierc_repeat: int = 1
    gsap_datasource: bool = True  # GSAP Datasource (CommonCrawl, Wikipedia) → DATASET


def build_docbins(nlp: Any, gold_dir: Path, out_dir: Path, recipe: Recipe) -> dict[str, Any]:
    """Write ``train.spacy`` and ``dev.spacy`` to ``out_dir``; return per-corpus conversion stats."""
    from spacy.tokens import DocBin

    scierc_map = dict(SCIERC_LABELS)
    if recipe.material == "drop":
        scierc_map["Material"] = None
    gsap_map = dict(GSAP_LABELS)
    if not recipe.gsap_datasource:
        gsap_map["Datasource"] = None
    report: dict[str, Any] = {}
    train = DocBin(store_user_data=False)
    teacher = None
    if recipe.partial == "teacher":
        import spacy

        if not recipe.teacher:
            raise ValueError("partial='teacher' needs a teacher model directory")
        teacher = spacy.load(recipe.teacher)
    sources: list[tuple[str, Iterable[GoldDoc], bool, int]] = [
        ("scierc", read_scierc(gold_dir / "scierc" / "train.json", scierc_map), False, recipe.scierc_repeat)]
    if recipe.gsap:
        sources.append(("gsap", read_gsap(gold_dir / "gsap-ner" / "paragraphs-folds0-6.jsonl.gz", gsap_map),
                        recipe.partial == "missing", 1))
    if recipe.tdmsci:
        sources.append(("tdmsci", read_tdmsci(gold_dir / "tdmsci" / "train_1500_v2.conll"),
                        recipe.partial == "missing", 1))
    for name, docs, partial, repeat in sources:
        stats = ConversionStats()
        for doc in to_spacy_docs(nlp, docs, partial=partial, stats=stats, repeat=repeat, teacher=teacher,
                                 absent=ABSENT_LABELS.get(name, ())):
            train.add(doc)
        report[name] = stats.as_dict()
    train.to_disk(out_dir / "train.spacy")
    dev = DocBin(store_user_data=False)
    stats = ConversionStats()
    for doc in to_spacy_docs(nlp, read_scierc(gold_dir / "scierc" / "dev.json"), partial=False, stats=stats):
        dev.add(doc)
    dev.to_disk(out_dir / "dev.spacy")
    report["scierc_dev"] = stats.as_dict()
    return report


def train_pipeline(config_path: Path, train_path: Path, dev_path: Path, model_dir: Path, *,
                   overrides: dict[str, Any], max_minutes: float, log: Any = sys.stderr) -> dict[str, Any]:
    """Train with spaCy's training loop, saving the best pipeline (by dev ``ents_f``) to ``model_dir``.

    Stops at the config's ``max_steps``/``patience`` or after ``max_minutes``, whichever is first.
    """
    from spacy.schemas import ConfigSchemaTraining
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import (
        create_evaluation_callback,
        create_train_batches,
        train_while_improving,
        update_meta,
    )
    from spacy.util import load_config, registry, resolve_dot_names
    from thinc.api import fix_random_seed

    config = load_config(config_path, overrides={"paths.train": str(train_path), "paths.dev": str(dev_path),
                                                 **overrides}, interpolate=False)
    fix_random_seed(config["system"]["seed"])
    nlp = init_nlp(config)
    cfg = nlp.config.interpolate()
    fix_random_seed(cfg["training"]["seed"])
    T = registry.resolve(cfg["training"], schema=ConfigSchemaTraining)
    train_corpus, dev_corpus = resolve_dot_names(cfg, [T["train_corpus"], T["dev_corpus"]])
    optimizer = T["optimizer"]
    steps = train_while_improving(
        nlp, optimizer,
        create_train_batches(nlp, train_corpus, T["batcher"], T["max_epochs"]),
        create_evaluation_callback(nlp, dev_corpus, T["score_weights"]),
        dropout=T["dropout"], accumulate_gradient=T["accumulate_gradient"], patience=T["patience"],
        max_steps=T["max_steps"], eval_frequency=T["eval_frequency"], exclude=T["frozen_components"],
        annotating_components=T["annotating_components"], before_update=T["before_update"],
    )
    started = time.monotonic()
    best: dict[str, Any] = {"score": -1.0}
    for _batch, info, is_best in steps:
        if is_best is not None:
            elapsed = (time.monotonic() - started) / 60
            other = info.get("other_scores", {})
            print(f"epoch {info['epoch']:3d} step {info['step']:6d} {elapsed:5.1f} min  "
                  f"loss {info['losses'].get('ner', 0.0):9.1f}  dev ents_f {other.get('ents_f', 0):.4f}"
                  f"{'  *' if is_best else ''}", file=log, flush=True)
            if is_best:
                update_meta(T, nlp, info)
                with nlp.use_params(optimizer.averages):
                    if model_dir.exists():
                        shutil.rmtree(model_dir)
                    nlp.to_disk(model_dir)
                best = {"score": info["score"], "step": info["step"], "epoch": info["epoch"],
                        "ents_per_type": other.get("ents_per_type", {})}
        if time.monotonic() - started > max_minutes * 60:
            print(f"stopping after {max_minutes} minutes", file=log, flush=True)
            break
    best["minutes"] = round((time.monotonic() - started) / 60, 1)
    return best


def score_mentions(nlp: Any, gold_docs: Iterable[GoldDoc]) -> dict[str, dict[str, float]]:
    """Mention-level precision/recall/F1 per SciERC type: exact character span and type.

    A SciERC mention of type ``T`` counts as found when the model predicts exactly its characters
    with the kg label ``SCIERC_LABELS[T]``. ``"micro"`` pools Method, Task, Metric and Material;
    ``"micro_no_material"`` pools the first three.
    """
    wanted = {t: SCIERC_LABELS[t] for t in SCIERC_EVAL_TYPES}
    counts = {t: Counter() for t in wanted}
    docs = list(gold_docs)
    for gold, doc in zip(docs, nlp.pipe(d.text for d in docs), strict=True):
        pred = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
        for t, label in wanted.items():
            g = {(s.start, s.end, label) for s in gold.spans if s.raw_label == t}
            p = {x for x in pred if x[2] == label}
            counts[t]["tp"] += len(g & p)
            counts[t]["fp"] += len(p - g)
            counts[t]["fn"] += len(g - p)

    def prf(c: Counter[str]) -> dict[str, float]:
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4), "tp": c["tp"], "fp": c["fp"],
                "fn": c["fn"]}

    out = {t: prf(c) for t, c in counts.items()}
    out["micro"] = prf(sum(counts.values(), Counter()))
    out["micro_no_material"] = prf(sum((counts[t] for t in ("Method", "Task", "Metric")), Counter()))
    return out


def read_abstracts(path: Path, n: int) -> list[str]:
    """The first ``n`` non-empty abstracts of a JSON-lines(.gz) paper file."""
    texts: list[str] = []
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            abstract = json.loads(line).get("abstract") or ""
            if abstract.strip():
                texts.append(abstract)
                if len(texts) == n:
                    break
    return texts


def measure_throughput(nlp: Any, texts: list[str]) -> dict[str, float]:
    """Abstracts and tokens per second of ``nlp.pipe`` over ``texts`` (after a short warm-up).

    Reports wall-clock rates and rates per CPU-second of this process; on a shared machine the
    latter is the better estimate of what one dedicated core does (spaCy's CNN runs single-threaded).
    """
    list(nlp.pipe(texts[:50]))
    t0, c0 = time.perf_counter(), time.process_time()
    n_tokens = sum(len(doc) for doc in nlp.pipe(texts))
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    return {"abstracts": len(texts), "seconds": round(dt, 2), "cpu_seconds": round(dc, 2),
            "abstracts_per_s": round(len(texts) / dt, 1), "abstracts_per_cpu_s": round(len(texts) / dc, 1),
            "tokens_per_cpu_s": round(n_tokens / dc), "tokens_per_abstract": round(n_tokens / len(texts), 1)}


def _clean_config(model_dir: Path) -> None:
    """Drop the temporary corpus paths from the saved config so the shipped files are machine-independent."""
    from spacy.util import load_config

    path = model_dir / "config.cfg"
    cfg = load_config(path, interpolate=False)
    cfg["paths"]["train"] = None
    cfg["paths"]["dev"] = None
    cfg.to_disk(path, interpolate=False)


def install(model_dir: Path, out: Path) -> None:
    """Replace the pipeline files in ``out`` by those in ``model_dir``, keeping ``out/README.md``."""
    out.mkdir(parents=True, exist_ok=True)
    for child in out.iterdir():
        if child.name == "README.md":
            continue
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
    shutil.copytree(model_dir, out, dirs_exist_ok=True)


def _parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    ap = argparse.ArgumentParser(prog="python -m tools.ner.train",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="where to write the trained pipeline")
    ap.add_argument("--max-minutes", type=float, default=40.0,
                    help="safety cap on training time (default 40); the config's max_steps normally ends it")
    ap.add_argument("--gold-dir", type=Path, default=DEFAULT_GOLD,
                    help=f"gold corpora (default {DEFAULT_GOLD})")
    ap.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="spaCy config (default ner.cfg)")
    ap.add_argument("--work-dir", type=Path,
                    help="keep the DocBins and checkpoints here (default: a temp dir)")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                    help="config override, e.g. components.ner.model.tok2vec.encode.width=64 (repeatable)")
    ap.add_argument("--corpora", default="scierc",
                    help="comma-separated training corpora among scierc,gsap,tdmsci (default scierc: the "
                         "best SciERC-dev F1 in the README's comparison)")
    ap.add_argument("--material", choices=("dataset", "drop"), default="dataset",
                    help="SciERC Material → DATASET, or dropped (default dataset)")
    ap.add_argument("--partial", choices=("missing", "outside", "teacher"), default="missing",
                    help="unannotated tokens of GSAP-NER/TDMSci (default missing)")
    ap.add_argument("--teacher", help="model dir whose METRIC/METHOD predictions are unknown (--partial teacher)")
    ap.add_argument("--scierc-repeat", type=int, default=1,
                    help="upsample SciERC train N times (default 1)")
    ap.add_argument("--no-datasource", action="store_true", help="drop GSAP Datasource instead of DATASET")
    ap.add_argument("--bench-corpus", type=Path, default=DEFAULT_BENCH,
                    help="abstracts for the throughput figure")
    ap.add_argument("--bench-n", type=int, default=2000, help="how many abstracts to time (0: skip)")
    ap.add_argument("--report", type=Path, help="also write the JSON report here")
    args = ap.parse_args(argv)

    import spacy

    overrides = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            ap.error(f"--set expects SECTION.KEY=VALUE, got {item!r}")
        overrides[key] = _parse_value(value)
    corpora = {c.strip() for c in args.corpora.split(",") if c.strip()}
    if not corpora <= {"scierc", "gsap", "tdmsci"} or "scierc" not in corpora:
        ap.error(f"--corpora must include scierc and name only scierc, gsap, tdmsci; got {args.corpora!r}")
    recipe = Recipe(gsap="gsap" in corpora, tdmsci="tdmsci" in corpora, material=args.material,
                    partial=args.partial, teacher=args.teacher, scierc_repeat=args.scierc_repeat,
                    gsap_datasource=not args.no_datasource)
    with tempfile.TemporaryDirectory(prefix="kg-ner-") as tmp:
        work = args.work_dir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        report: dict[str, Any] = {"recipe": recipe.__dict__, "overrides": overrides}
        nlp0 = spacy.blank("en")
        report["conversion"] = build_docbins(nlp0, args.gold_dir, work, recipe)
        print(json.dumps(report["conversion"]), file=sys.stderr, flush=True)
        model_dir = work / "model-best"
        report["training"] = train_pipeline(args.config, work / "train.spacy", work / "dev.spacy", model_dir,
                                            overrides=overrides, max_minutes=args.max_minutes)
        _clean_config(model_dir)
        install(model_dir, args.out)
    nlp = spacy.load(args.out)
    assert set(nlp.get_pipe("ner").labels) <= set(NER_LABELS)
    report["scierc_dev"] = score_mentions(nlp, read_scierc(args.gold_dir / "scierc" / "dev.json"))
    if args.bench_n:
        report["throughput"] = measure_throughput(nlp, read_abstracts(args.bench_corpus, args.bench_n))
    text = json.dumps(report, indent=1)
    print(text)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
