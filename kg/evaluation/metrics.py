"""Precision / recall / F1 counters, pure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PRF:
    """Counts for one type: ``tp_pred`` matched predictions, ``tp_gold`` matched gold items."""

    tp_pred: int = 0
    n_pred: int = 0
    tp_gold: int = 0
    n_gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp_pred / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: PRF) -> None:
        self.tp_pred += other.tp_pred
        self.n_pred += other.n_pred
        self.tp_gold += other.tp_gold
        self.n_gold += other.n_gold


def format_table(scores: dict[str, PRF], title: str) -> str:
    """Scores per type (plus micro-average "all") as an aligned text table."""
    total = PRF()
    for s in scores.values():
        total.add(s)
    rows = [title, f"{'type':<14}{'P':>7}{'R':>7}{'F1':>7}{'pred':>7}{'gold':>7}"]
    for name, s in [*scores.items(), ("all (micro)", total)]:
        rows.append(f"{name:<14}{s.precision:7.3f}{s.recall:7.3f}{s.f1:7.3f}{s.n_pred:7d}{s.n_gold:7d}")
    return "\n".join(rows)
