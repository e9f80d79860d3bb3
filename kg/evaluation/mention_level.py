"""Mention-level evaluation (exact span + type) on SciERC, GSAP-NER and TDMSci gold.

Gold documents come from ``kg.evaluation.corpora`` (character offsets, labels mapped to
METHOD/TASK/DATASET/METRIC). Predictions are the extractor's evidence mentions on the same text
(every role; inferred architecture evidence excluded), typed by our entity type
(architecture counts as METHOD, as SciERC and GSAP annotate architectures as methods).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.evaluation.corpora import GoldDoc, read_gsap, read_scierc, read_tdmsci
from kg.evaluation.metrics import PRF
from kg.model import Paper, PaperExtraction

OUR_TO_GOLD = {"method": "METHOD", "architecture": "METHOD", "task": "TASK", "dataset": "DATASET", "metric": "METRIC"}
# How each corpus names the gold labels in reports.
DISPLAY = {
    "scierc": {"METHOD": "Method", "TASK": "Task", "METRIC": "Metric", "DATASET": "Material"},
    "gsap": {"METHOD": "Method", "TASK": "Task", "DATASET": "Dataset"},
    "tdmsci": {"TASK": "Task", "DATASET": "Dataset", "METRIC": "Metric"},
}
READERS = {"scierc": read_scierc, "gsap": read_gsap, "tdmsci": read_tdmsci}


def read_gold_docs(kind: str, path: Path) -> Iterator[GoldDoc]:
    return READERS[kind](path)


def predicted_spans(ex: PaperExtraction, labels: set[str]) -> set[tuple[int, int, str]]:
    out = set()
    for lk in ex.links:
        label = OUR_TO_GOLD[lk.entity.type]
        if label not in labels:
            continue
        for m in lk.mentions:
            if m.field == "abstract" and not m.component.startswith("inferred:"):
                out.add((m.start, m.end, label))
    return out


def evaluate_mentions(kind: str, docs: Iterable[GoldDoc], extract) -> tuple[dict[str, PRF], list[str]]:
    """Per-label scores and error lines. ``extract`` maps an iterable of ``Paper`` to extractions in order."""
    display = DISPLAY[kind]
    labels = set(display)
    docs = list(docs)
    papers = [Paper(id=f"doc{i}", title="", abstract=d.text) for i, d in enumerate(docs)]
    scores = {display[lab]: PRF() for lab in sorted(labels)}
    errors: list[str] = []
    for doc, ex in zip(docs, extract(papers), strict=True):
        gold = {(s.start, s.end, s.label) for s in doc.spans if s.label in labels}
        pred = predicted_spans(ex, labels)
        for lab in labels:
            g = {x for x in gold if x[2] == lab}
            p = {x for x in pred if x[2] == lab}
            s = scores[display[lab]]
            s.n_gold += len(g)
            s.n_pred += len(p)
            s.tp_gold += len(g & p)
            s.tp_pred += len(g & p)
            errors += [f"FP {display[lab]} {doc.text[a:b]!r}" for a, b, _ in sorted(p - g)]
            errors += [f"FN {display[lab]} {doc.text[a:b]!r}" for a, b, _ in sorted(g - p)]
    return scores, errors
