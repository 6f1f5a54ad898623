"""The CellaVision what-if diagnosis runs on any classifier and scores each changed input."""

from __future__ import annotations

import numpy as np
import torch

from training.eval.diagnose_cellavision import score, what_if
from training.data.pbc_data import PBC_CLASSES
from wbc_desktop.core.cells.augment import geometric
from wbc_desktop.core.cells.classifier import CellClassifier
from wbc_desktop.core.cells.model import build_classifier


def _tiny_classifier() -> CellClassifier:
    torch.manual_seed(0)
    arch = {"type": "CellResNet", "in_channels": 5, "widths": [8, 16], "depths": [1, 1], "dropout": 0.0}
    card = {"classes": list(PBC_CLASSES), "arch": arch, "input": {"size": 32, "mode": "segmented", "fill": 0.6}}
    return CellClassifier(build_classifier(arch, 8), card, torch.device("cpu"))


def _disc_crops(n: int = 6, side: int = 48) -> torch.Tensor:
    yy, xx = np.mgrid[:side, :side] - side / 2
    r = np.hypot(yy, xx)
    x = np.full((n, 5, side, side), 0.9, np.float32)
    x[:, 3] = r < 6
    x[:, 4] = (r >= 6) & (r < 14)
    x[:, :3] -= 0.5 * x[:, 3:4] + 0.2 * x[:, 4:5]
    return torch.from_numpy(x)


def test_what_if_scores_every_change_and_leaves_the_model_alone():
    clf = _tiny_classifier()
    before = {k: v.clone() for k, v in clf.model.state_dict().items()}
    ctx = _disc_crops()
    y = np.array([PBC_CLASSES.index(c) for c in ("lymphocyte", "monocyte") * 3])
    lab = (np.array([80.0, 8.0, -8.0]), np.array([16.0, 12.0, 14.0]))
    out = what_if(clf, ctx, y, lab)
    assert out["as is"] == score(clf.model, geometric(ctx, 32, None), y)
    assert len(out) == 9 and any(k.startswith("AdaBN") for k in out)
    for v in out.values():
        assert 0.0 <= v["accuracy"] <= 1.0 and set(v["per_class"]) == {"lymphocyte", "monocyte"}
    after = clf.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)  # AdaBN worked on a copy
