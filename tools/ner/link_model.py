"""Fit the link scorer (``kg/extract/link_model.json``) and the shipped tagger, by cross-fitting on the annotations.

In: the annotated arXiv abstracts (``tools/ner/data/arxiv``). Out: ``--tagger-out`` (the tagger trained on all of
them) and ``--model-out`` (per entity type, logistic-regression weights over ``kg.extract.confidence.link_features``),
plus a JSON report on stdout.

How: the papers are split into ``--folds`` folds; for each fold a tagger is trained on the others and the full
extraction pipeline (vocabulary, patterns, that tagger, the linker) runs on the held-out fold, recording every link's
features. A link is positive when it names one of the paper's annotated entities of its type (any normalised form in
common — how ``kg eval`` scores). The scorer is fitted on these out-of-fold links, so its probabilities describe
links the tagger did not learn from, as at run time.

Usage::

    python -m tools.ner.link_model --tagger-out kg/extract/tagger_model --model-out kg/extract/link_model.json

Needs scikit-learn (the dev extras): its regularised logistic regression with cross-validated strength is the
standard, well-tested fit; the runtime only evaluates the saved weights (``kg.extract.confidence``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from tools.ner.silver import GOLD_TYPES, Annotated, read_all
from tools.ner.tagger import DEFAULT_CONFIG, examples, make_nlp, train

TYPES = ("method", "task", "dataset", "metric", "architecture")


Gold = dict[str, dict[str, list[tuple[frozenset[str], bool]]]]


def gold_forms(data_dir: Path) -> Gold:
    """Paper key → type → (normalised forms, proposed?) per annotated entity."""
    from kg.extract.normalize import norm_key
    from kg.ingest.text import json_lines

    out: Gold = {}
    for gold in sorted(data_dir.glob("gold-*.jsonl")):
        for _, rec in json_lines(gold):
            out[rec["key"]] = {
                GOLD_TYPES[k].lower(): [(frozenset(norm_key(f) for f in (e["label"], *e.get("aliases", [])) if f),
                                         bool(e.get("proposed"))) for e in rec.get(k, [])] for k in GOLD_TYPES}
            # architectures: one entry per guideline family label
            out[rec["key"]]["architecture"] = [(frozenset({a}), False) for a in rec.get("architectures", [])]
    return out


def link_forms(entity: Any, features_mentions: list[str]) -> frozenset[str]:
    from kg.extract.normalize import norm_key

    return frozenset(f for f in (norm_key(entity.label), *(norm_key(a) for a in entity.aliases),
                                 *(norm_key(t) for t in features_mentions)) if f)


Row = tuple[str, str, dict[str, float], int, int]


def out_of_fold_links(papers: list[Annotated], folds: int, epochs: int, work: Path,
                      log: Any = sys.stderr) -> list[Row]:
    """(paper key, entity type, features, right?, proposed?) of every non-architecture link, each from a tagger that
    did not train on its paper; proposed? is 1 when the entity it names is one the paper proposes."""
    from kg.config import load_settings
    from kg.evaluation.paper_level import architecture_labels
    from kg.extract import Extractor
    from kg.extract.confidence import LinkScorer
    from kg.mapping.iris import entity_iri
    from kg.model import Paper

    gold = gold_forms(Path(__file__).resolve().parent / "data" / "arxiv")
    nlp = make_nlp()
    rows: list[Row] = []
    for k in range(folds):
        held = [p for i, p in enumerate(papers) if i % folds == k]
        rest = [p for i, p in enumerate(papers) if i % folds != k]
        stop = rest[::10]  # early stopping on part of the training folds, never on the held-out fold
        fit = [p for i, p in enumerate(rest) if i % 10]
        model = work / f"tagger-fold{k}"
        if not (model / "meta.json").is_file():  # a kept work dir reuses its fold taggers (the linker may change)
            best = train(DEFAULT_CONFIG, examples(nlp, fit), examples(nlp, stop), model, epochs=epochs,
                         overrides={}, log=log)
            print(f"fold {k}: tagger best epoch {best['epoch']} span F1 {best['f']}", file=log, flush=True)
        ex = Extractor(load_settings({"use_ner": True, "min_confidence": 0.0}, env={}), tagger_dir=model)
        # Score every link (0.5) so its features are recorded; the architecture entry turns on their scoring.
        ex.linker.scorer = LinkScorer({"architecture": {}})
        sink: list[Any] = []
        ex.linker.feature_sink = sink
        by_key = {p.key: p for p in held}
        extracted = {e.paper.id: e for e in ex.extract(Paper(id=p.key, title=p.title, abstract=p.abstract)
                                                         for p in held)}
        for pid, entity, feats in sink:
            if entity.type == "architecture":  # right when one of the family's guideline labels is annotated
                labels = architecture_labels().get(str(entity_iri(entity.id)), frozenset())
                right = any(labels & g for g, _ in gold[by_key[pid].key]["architecture"])
                rows.append((pid, entity.type, feats, int(right), 0))
                continue
            link = next(lk for lk in extracted[pid].links if lk.entity.id == entity.id)
            forms = link_forms(entity, [m.text for m in link.mentions])
            hits = [proposed for g, proposed in gold[by_key[pid].key][entity.type] if forms & g]
            rows.append((pid, entity.type, feats, int(bool(hits)), int(any(hits))))
    return rows


def _logistic_fit(data: list[tuple[dict[str, float], int]]) -> tuple[dict[str, float], dict[str, Any]]:
    """A cross-validated (log-loss) L2 logistic regression → ({feature: weight, "__intercept__": b}, report)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegressionCV

    names = sorted({k for f, _ in data for k in f})
    x = np.array([[f.get(n, 0.0) for n in names] for f, _ in data])
    y = np.array([label for _, label in data])
    clf = LogisticRegressionCV(Cs=[0.01, 0.03, 0.1, 0.3, 1, 3, 10], cv=5, scoring="neg_log_loss",
                               max_iter=2000, random_state=0).fit(x, y)
    w = {n: round(float(v), 6) for n, v in zip(names, clf.coef_[0], strict=True)}
    w["__intercept__"] = round(float(clf.intercept_[0]), 6)
    return w, {"links": len(data), "positive": int(y.sum()), "C": float(clf.C_[0])}


def fit(rows: list[Row]) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]], dict[str, Any]]:
    """Per type, P(the link is right); for methods and datasets that are right, P(the paper proposes it)."""
    weights: dict[str, dict[str, float]] = {}
    report: dict[str, Any] = {}
    for etype in TYPES:
        data = [(f, y) for _, t, f, y, _ in rows if t == etype]
        if len({y for _, y in data}) == 2:
            weights[etype], report[etype] = _logistic_fit(data)
    right = [(f, p) for _, t, f, y, p in rows if t in ("method", "dataset") and y]
    roles: dict[str, dict[str, float]] = {}
    if len({p for _, p in right}) == 2:
        roles["proposes"], report["proposes"] = _logistic_fit(right)
    return weights, roles, report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.ner.link_model", description=__doc__.split("\n\n")[0])
    ap.add_argument("--tagger-out", type=Path, required=True)
    ap.add_argument("--model-out", type=Path, required=True)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--work-dir", type=Path)
    ap.add_argument("--rows", type=Path, help="reuse (or write) the out-of-fold links here")
    ap.add_argument("--no-tagger", action="store_true", help="fit the scorer only; do not train the final tagger")
    args = ap.parse_args(argv)
    papers = read_all()
    report: dict[str, Any] = {"papers": len(papers), "folds": args.folds}
    with tempfile.TemporaryDirectory(prefix="kg-linkmodel-") as tmp:
        work = args.work_dir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        if args.rows and args.rows.is_file():
            rows = [tuple(r) for r in json.loads(args.rows.read_text(encoding="utf-8"))]
        else:
            rows = out_of_fold_links(papers, args.folds, args.epochs, work)
            if args.rows:
                args.rows.write_text(json.dumps(rows), encoding="utf-8")
        report["links"] = dict(Counter(r[1] for r in rows))
        weights, roles, report["fit"] = fit(rows)  # type: ignore[arg-type]
        args.model_out.write_text(json.dumps({"weights": weights, "roles": roles, "trained_on": report}, indent=1,
                                             sort_keys=True) + "\n", encoding="utf-8")
        if args.no_tagger:
            print(json.dumps(report, indent=1))
            return 0
        nlp = make_nlp()
        stop = papers[::10]
        fit_papers = [p for i, p in enumerate(papers) if i % 10]
        report["tagger"] = train(DEFAULT_CONFIG, examples(nlp, fit_papers), examples(nlp, stop), args.tagger_out,
                                 epochs=args.epochs, overrides={})
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
