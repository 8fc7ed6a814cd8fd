"""Metrics for `watcher eval`: ranking quality, the threshold's precision and recall, headings. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_curve

from .paperfile import PaperRow
from .scoring import Scored


def recall_at_precision(y: np.ndarray, scores: np.ndarray, minimum: float = 0.8) -> float:
    """The best recall over thresholds whose precision is at least `minimum`."""
    if y.sum() == 0:
        return float("nan")
    precision, recall, _ = precision_recall_curve(y, scores)
    ok = precision >= minimum
    return float(recall[ok].max()) if ok.any() else 0.0


def _block(
    rows: Sequence[PaperRow], scored: Sequence[Scored], relevant: tuple[str, ...], keep: tuple[str, ...]
) -> dict[str, Any]:
    pairs = [(r, s) for r, s in zip(rows, scored, strict=True) if r.label in keep]
    y = np.array([r.label in relevant for r, _ in pairs], dtype=int)
    scores = np.array([s.relevance for _, s in pairs])
    chosen = np.array([s.selected for _, s in pairs], dtype=bool)
    tp = int((chosen & (y == 1)).sum())
    out: dict[str, Any] = {
        "papers": len(pairs),
        "relevant": int(y.sum()),
        "average_precision": float(average_precision_score(y, scores)) if 0 < y.sum() < len(y) else float("nan"),
        "recall_at_precision_0.8": recall_at_precision(y, scores),
        "precision_at_threshold": tp / max(int(chosen.sum()), 1),
        "recall_at_threshold": tp / max(int(y.sum()), 1),
        "proposed": int(chosen.sum()),
    }
    with_heading = [(r, s) for r, s in pairs if r.label in relevant and r.section]
    if with_heading:
        top1 = sum(s.heading == r.section for r, s in with_heading)
        top2 = sum(r.section in (s.heading, s.runner_up) for r, s in with_heading)
        out.update(
            heading_top1=top1 / len(with_heading),
            heading_top2=top2 / len(with_heading),
            heading_papers=len(with_heading),
        )
    else:
        out.update(heading_top1=None, heading_top2=None, heading_papers=0)
    return out


def evaluate(rows: Sequence[PaperRow], scored: Sequence[Scored], threshold: float) -> dict[str, Any]:
    """Headline: uncertain papers dropped; then again with uncertain counted as relevant."""
    return {
        "threshold": threshold,
        "headline": _block(rows, scored, ("relevant",), ("relevant", "irrelevant")),
        "uncertain_as_relevant": _block(
            rows, scored, ("relevant", "uncertain"), ("relevant", "uncertain", "irrelevant")
        ),
    }
