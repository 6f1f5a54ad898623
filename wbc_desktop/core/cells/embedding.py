"""A cell's place in the classifier's feature space: the pooled features before its last layer.

Why: a type is to be trusted only when the cell lies among the training cells of that type
(core.cells.type_doubt); the class probabilities alone stay confident far from them. One view,
the classifier's own crops and stain calibration; no gradient.
"""

from __future__ import annotations

import numpy as np
import torch

from wbc_desktop.core.cells.crops import to_tensor

BATCH = 128


@torch.inference_mode()
def embed_crops(clf, crops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N x D float32 features, N x K class probabilities) of ``clf`` (a CellClassifier) for crops."""
    from wbc_desktop.core.cells.classifier import calibrate_crops

    crops = calibrate_crops(crops, clf.calibration)
    model = clf.model
    feats, probs = [], []
    for i in range(0, len(crops), BATCH):
        x = to_tensor(crops[i : i + BATCH]).to(clf.device)
        f = torch.flatten(torch.nn.functional.adaptive_avg_pool2d(model.stages(model.stem(x)), 1), 1)
        feats.append(f.float().cpu().numpy())
        probs.append(torch.softmax(model.fc(f), 1).float().cpu().numpy())
    if not feats:
        return np.zeros((0, model.fc.in_features), np.float32), np.zeros((0, len(clf.classes)), np.float32)
    return np.concatenate(feats), np.concatenate(probs)
