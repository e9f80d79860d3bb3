"""Evaluation of the extractor against gold: paper-level (GUIDELINE format) and mention-level (SciERC, GSAP, TDMSci).

``run_eval(path, extractor, corpus)`` detects the gold format and returns a printable report.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.evaluation.metrics import PRF, format_table
from kg.ingest import bundled_corpus, read_papers
from kg.ingest.text import head_bytes, title_key
from kg.model import Paper


@dataclass
class EvalReport:
    kind: str
    scores: dict[str, PRF]
    errors: list[str] = field(default_factory=list)
    papers: int = 0
    roles: dict[str, PRF] = field(default_factory=dict)
    judged: list[tuple[float, bool, str]] = field(default_factory=list)

    def calibration(self) -> str:
        """The reliability table of link confidences, and P/R if only links above each threshold were asserted."""
        from kg.evaluation.paper_level import calibration_table, threshold_table

        if not self.judged:
            return "calibration: no scored links (paper-level gold only)"
        rows = [f"calibration: {len(self.judged)} method/task/dataset/metric links, asserted or candidate",
                f"{'confidence':<12}{'links':>7}{'mean conf':>11}{'right':>8}"]
        rows += [f"{b.low:.1f}-{b.high:.1f}{'':<5}{b.links:7d}{b.mean_confidence:11.3f}{b.right:8.3f}"
                 for b in calibration_table(self.judged)]
        n_gold = sum(s.n_gold for t, s in self.scores.items() if t != "architecture")
        rows.append(f"{'threshold':<12}{'P':>7}{'R':>7}{'F1':>7}   (method/task/dataset/metric)")
        rows += [f"{t:<12.2f}{s.precision:7.3f}{s.recall:7.3f}{s.f1:7.3f}" for t, s in threshold_table(self.judged, n_gold)]
        return "\n".join(rows)

    def summary(self, top_errors: int = 0) -> str:
        title = {"guideline": "paper-level (GUIDELINE format)", "scierc": "mention-level, SciERC (exact span + type)",
                 "gsap": "mention-level, GSAP-NER (exact span + type)",
                 "tdmsci": "mention-level, TDMSci (exact span + type)"}[self.kind]
        out = [format_table(self.scores, f"{title}: {self.papers} documents")]
        for role, s in self.roles.items():
            out.append(f"role {role:<9}{s.precision:7.3f}{s.recall:7.3f}{s.f1:7.3f}{s.n_pred:7d}{s.n_gold:7d}")
        if top_errors:
            kinds = Counter(" ".join(e.split()[:2]) for e in self.errors)
            out.append("error kinds: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
            out += self.errors[:top_errors]
        return "\n".join(out)


def detect_gold_format(path: Path) -> str:
    """"guideline" | "scierc" | "gsap" | "tdmsci", from the content."""
    head = head_bytes(path, 4096).decode("utf-8", errors="replace")
    first = head.lstrip().splitlines()[0] if head.strip() else ""
    if first.startswith("{"):
        if '"sentences"' in first and '"ner"' in first:
            return "scierc"
        if '"entities"' in first and '"text"' in first:
            return "gsap"
        if any(f'"{k}"' in first for k in ("methods", "tasks", "datasets", "architectures")):
            return "guideline"
        try:
            keys = set(json.loads(first))
        except json.JSONDecodeError:
            keys = set()
        if {"sentences", "ner"} <= keys:
            return "scierc"
    elif "\t" in first and len(first.split("\t")) == 3:
        return "tdmsci"
    raise InputError("unrecognised gold format (GUIDELINE JSONL, SciERC JSON, GSAP-NER JSONL or TDMSci CoNLL)",
                     path=str(path))


def run_eval(path: Path, extractor, corpus: list[Path] | None = None, limit: int | None = None) -> EvalReport:
    """Evaluate ``extractor`` on the gold file at ``path``.

    For GUIDELINE gold without abstracts, papers are looked up by key (normalised title)
    in ``corpus`` (default: an ``input.jsonl`` beside the gold file, as in ``../shared/gold/arxiv-dev``, else the
    bundled corpus).
    """
    kind = detect_gold_format(path)
    if kind == "guideline":
        from kg.evaluation.paper_level import evaluate_paper_level, read_gold

        gold = list(read_gold(path))[:limit]
        # Gold papers without an abstract are found in the corpus by normalised title.
        need = {title_key(g.title) for g in gold if not g.abstract}
        found: dict[str, Paper] = {}
        if need:
            beside = path.parent / "input.jsonl"
            for p in read_papers(corpus or ([beside] if beside.is_file() else bundled_corpus())):
                k = title_key(p.title)
                if k in need:
                    found[k] = p
        papers = [Paper(id=g.key, title=g.title, abstract=g.abstract) if g.abstract else found.get(title_key(g.title))
                  for g in gold]
        missing = [g.key for g, p in zip(gold, papers, strict=True) if p is None]
        if missing:
            raise InputError(f"no abstract for {len(missing)} gold papers (first: {missing[0]!r}); pass --corpus",
                             path=str(path))
        extractions = {g.key: ex for g, ex in zip(gold, extractor.extract(papers), strict=True)}
        result = evaluate_paper_level(gold, extractions)
        return EvalReport(kind, result.scores, result.errors, len(gold), result.roles, result.judged)
    from kg.evaluation.mention_level import evaluate_mentions, read_gold_docs

    docs = list(read_gold_docs(kind, path))[:limit]
    # Mention-level gold marks every mention, so every NER span counts here, not only those that make a link.
    strict = extractor.linker.strict_ner
    extractor.set_strict(False)
    try:
        scores, errors = evaluate_mentions(kind, docs, extractor.extract)
    finally:
        extractor.set_strict(strict)
    return EvalReport(kind, scores, errors, len(docs))
