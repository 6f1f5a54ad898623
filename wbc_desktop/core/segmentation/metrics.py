"""Dice figures as the issues define them: per image, then averaged."""

from __future__ import annotations

import numpy as np


def dice(a: np.ndarray, b: np.ndarray) -> float:
    """Dice of two boolean masks; two empty masks agree perfectly."""
    s = int(a.sum()) + int(b.sum())
    return 1.0 if s == 0 else 2.0 * float(np.logical_and(a, b).sum()) / s


def dice_scores(pred: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Nucleus, cytoplasm, cell (= nucleus or cytoplasm) Dice and their mean, for class maps 0/1/2."""
    d = {
        "nucleus": dice(pred == 2, truth == 2),
        "cytoplasm": dice(pred == 1, truth == 1),
        "cell": dice(pred > 0, truth > 0),
    }
    d["mean"] = float(np.mean([d["nucleus"], d["cytoplasm"], d["cell"]]))
    return d


def mean_scores(scores: list[dict[str, float]]) -> dict[str, float]:
    keys = ("nucleus", "cytoplasm", "cell", "mean")
    return {k: float(np.mean([s[k] for s in scores])) if scores else float("nan") for k in keys}
