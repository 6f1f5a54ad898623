"""Soft labels from a teacher ensemble, for distilling several models into one.

Why: an ensemble of classifiers averaged over rotated views scores higher on val than any one
of them, but costs one forward pass per model and view, and the product's budget is one pass
per cell (<= 5 ms). Distillation trains a single network of the shipped size towards the
ensemble's probabilities, so the product keeps one pass. The soft labels are computed once, on
the exact centre crops; cells have no orientation, so averaging the four rotations makes them
nearly independent of the geometric augmentation the student sees.
"""

from __future__ import annotations

from typing import Optional, Sequence

import torch
import torch.nn.functional as F

from wbc_desktop.core.cells.augment import augment_batch
from wbc_desktop.core.cells.crops import standardise
from wbc_desktop.core.cells.classifier import CellClassifier


def load_teachers(paths: Sequence[str], classes: Sequence[str]) -> list[torch.nn.Module]:
    """Teacher networks in eval mode; each must type the same classes in the same order."""
    out = []
    for p in paths:
        clf = CellClassifier.load(str(p), device="cpu")
        if clf.classes != list(classes):
            raise ValueError(f"teacher {clf.folder}: classes {clf.classes} differ from {list(classes)}")
        out.append(clf.model)
    return out


@torch.no_grad()
def soft_labels(teachers: Sequence[torch.nn.Module], crops: torch.Tensor, size: int,
                rotations: int = 4, batch: int = 256) -> torch.Tensor:
    """Mean softmax over teachers and ``rotations`` quarter turns of each centre crop, NxK."""
    out = []
    for i in range(0, len(crops), batch):
        x = standardise(augment_batch(crops[i : i + batch], size, None))
        views = [x.rot90(k, (2, 3)).contiguous() for k in range(rotations)]
        p = torch.stack([torch.softmax(t(v), 1) for t in teachers for v in views]).mean(0)
        out.append(p)
    return torch.cat(out)


def distill_loss(logits: torch.Tensor, target: torch.Tensor, soft: Optional[torch.Tensor], weight: float,
                 smoothing: float) -> torch.Tensor:
    """(1 - weight) * cross-entropy on the labels + weight * KL(teacher || student); labels only
    when there is no teacher (``soft`` None) or no weight."""
    hard = F.cross_entropy(logits, target, label_smoothing=smoothing)
    if soft is None or weight <= 0:
        return hard
    kl = F.kl_div(F.log_softmax(logits, 1), soft, reduction="batchmean")
    return (1 - weight) * hard + weight * kl
