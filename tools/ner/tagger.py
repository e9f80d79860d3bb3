"""Train the extraction tagger: a spaCy ``tagger`` whose tags are BILUO entity tags (U-METHOD, B-TASK, …, O).

In: the annotated arXiv abstracts under ``tools/ner/data/arxiv`` (``tools.ner.silver``), optionally SciERC train
(``--scierc``), and the spaCy config ``tagger.cfg`` beside this file. Out: the pipeline with the best span F1 on the
held-out papers, written to ``--out`` (``kg/extract/tagger_model``), and a JSON report (data, per-type span scores,
speed) on stdout.

Why a tagger and not spaCy's transition-based NER: the runtime reads every title and abstract, and the NER's
parser costs as much as the whole rest of extraction; a softmax over a small CNN's token vectors decoded by
``kg.extract.biluo`` costs a fraction of it (bench/extract_throughput.py).

Usage::

    python -m tools.ner.tagger --out kg/extract/tagger_model [--epochs 30] [--dev-every 10]

The split is deterministic: every ``--dev-every``-th annotated paper is held out for model selection (never the
shared dev sets). Seeds are fixed.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tools.ner.silver import Annotated, read_all

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = Path(__file__).with_name("tagger.cfg")
LABELS = ("METHOD", "TASK", "DATASET", "METRIC")
TAGS = ("O", *(f"{p}-{lab}" for lab in LABELS for p in "BILU"))


def make_nlp() -> Any:
    """The runtime's tokenizer (``kg.extract.pipeline``): training sees the tokens extraction will see."""
    import spacy

    from kg.extract.pipeline import customize_tokenizer

    nlp = spacy.blank("en")
    customize_tokenizer(nlp)
    return nlp


def examples(nlp: Any, papers: Iterable[Annotated]) -> list[Any]:
    """One ``Example`` per non-empty field, gold tags from the spans (tokens a span cuts are left unknown)."""
    import warnings

    from spacy.training import Example, offsets_to_biluo_tags

    # Names that end inside a token ("GPT-4o" in "GPT-4o-based") cannot be tags; those tokens stay unknown.
    warnings.filterwarnings("ignore", message=r".*\[W030\]")
    out = []
    for p in papers:
        for text, spans in ((p.title, p.title_spans), (p.abstract, p.abstract_spans)):
            if not text.strip():
                continue
            doc = nlp.make_doc(text)
            tags = offsets_to_biluo_tags(doc, list(spans))
            out.append(Example.from_dict(doc, {"tags": ["" if t == "-" else t for t in tags]}))
    return out


def scierc_examples(nlp: Any, path: Path) -> list[Any]:
    from spacy.training import Example, offsets_to_biluo_tags

    from kg.evaluation.corpora import read_scierc

    out = []
    for g in read_scierc(path):
        doc = nlp.make_doc(g.text)
        tags = offsets_to_biluo_tags(doc, [(s.start, s.end, s.label) for s in g.spans])
        out.append(Example.from_dict(doc, {"tags": ["" if t == "-" else t for t in tags]}))
    return out


def span_scores(nlp: Any, dev: list[Any]) -> dict[str, dict[str, float]]:
    """Exact span + type precision/recall/F1 per label of the tagger decoded by ``kg.extract.biluo``."""
    from kg.extract.biluo import decode

    tagger = nlp.get_pipe("tagger")
    counts = {lab: Counter() for lab in LABELS}
    docs = [eg.predicted for eg in dev]
    scores = tagger.model.predict(docs)
    labels = list(tagger.labels)
    for eg, probs in zip(dev, scores, strict=True):
        gold = {(s.start, s.end, s.label_) for s in _gold_spans(eg)}
        pred = {(s, e, lab) for s, e, lab, _ in decode(probs, labels)}
        for lab in LABELS:
            g = {x for x in gold if x[2] == lab}
            p = {x for x in pred if x[2] == lab}
            counts[lab]["tp"] += len(g & p)
            counts[lab]["fp"] += len(p - g)
            counts[lab]["fn"] += len(g - p)

    def prf(c: Counter[str]) -> dict[str, float]:
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        return {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r) if p + r else 0.0, 4),
                "n": c["tp"] + c["fn"]}

    out = {lab: prf(c) for lab, c in counts.items()}
    out["micro"] = prf(sum(counts.values(), Counter()))
    return out


def _gold_spans(eg: Any) -> list[Any]:
    from spacy.training import biluo_tags_to_spans

    ref = eg.reference
    tags = [t.tag_ or "O" for t in ref]
    return biluo_tags_to_spans(ref, tags)


def train(config_path: Path, train_set: list[Any], dev: list[Any], out: Path, *, epochs: int, overrides: dict[str, Any],
          log: Any = sys.stderr) -> dict[str, Any]:
    """Train from ``config_path``; keep the parameters (averaged) with the best dev micro span F1 in ``out``."""
    from spacy.util import load_config, minibatch
    from thinc.api import fix_random_seed

    from kg.extract.pipeline import customize_tokenizer

    cfg = load_config(config_path, overrides=overrides, interpolate=True)
    fix_random_seed(int(cfg["system"]["seed"]))
    import spacy

    nlp = spacy.blank("en")
    customize_tokenizer(nlp)
    tagger = nlp.add_pipe("tagger", config={k: v for k, v in cfg["components"]["tagger"].items() if k != "factory"})
    for tag in TAGS:
        tagger.add_label(tag)
    optimizer = nlp.initialize(lambda: train_set[:500])
    optimizer.learn_rate = float(cfg["training"]["learn_rate"])
    dropout = float(cfg["training"]["dropout"])
    batch_size = int(cfg["training"]["batch_size"])
    patience = int(cfg["training"]["patience"])
    rng = random.Random(0)
    best: dict[str, Any] = {"f": -1.0}
    started = time.monotonic()
    since_best = 0
    for epoch in range(1, epochs + 1):
        order = list(train_set)
        rng.shuffle(order)
        losses: dict[str, float] = {}
        for batch in minibatch(order, size=batch_size):
            nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses)
        with nlp.use_params(optimizer.averages):
            scores = span_scores(nlp, [_fresh(nlp, eg) for eg in dev])
            f = scores["micro"]["f"]
            marker = ""
            if f > best["f"]:
                best = {"f": f, "epoch": epoch, "scores": scores}
                if out.exists():
                    shutil.rmtree(out)
                nlp.to_disk(out)
                marker = "  *"
                since_best = 0
            else:
                since_best += 1
        print(f"epoch {epoch:3d} {(time.monotonic() - started) / 60:5.1f} min loss {losses.get('tagger', 0):9.1f} "
              f"dev span F1 {f:.4f}{marker}", file=log, flush=True)
        if since_best >= patience:
            break
    best["minutes"] = round((time.monotonic() - started) / 60, 1)
    return best


def _fresh(nlp: Any, eg: Any) -> Any:
    from spacy.training import Example

    return Example(nlp.make_doc(eg.reference.text), eg.reference)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.ner.tagger", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--dev-every", type=int, default=10)
    ap.add_argument("--scierc", type=Path, help="also train on this SciERC file (e.g. ../shared/gold/scierc/train.json)")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    args = ap.parse_args(argv)
    overrides = {}
    for item in args.set:
        key, _, value = item.partition("=")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    nlp = make_nlp()
    papers = read_all()
    dev_papers = papers[:: args.dev_every]
    train_papers = [p for i, p in enumerate(papers) if i % args.dev_every]
    train_set, dev = examples(nlp, train_papers), examples(nlp, dev_papers)
    if args.scierc:
        train_set += scierc_examples(nlp, args.scierc)
    report: dict[str, Any] = {"papers": {"train": len(train_papers), "dev": len(dev_papers)},
                              "docs": {"train": len(train_set), "dev": len(dev)}, "overrides": overrides}
    print(json.dumps(report), file=sys.stderr, flush=True)
    report["best"] = train(args.config, train_set, dev, args.out, epochs=args.epochs, overrides=overrides)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
