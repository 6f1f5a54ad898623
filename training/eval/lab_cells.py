"""Embeddings and head probabilities of the "new lab" cell sets, computed once and cached (npz, no pickle).

Sets (cells found by the shipped segmenter, one labelled cell per image, as training/data/retrain_cells):

- ``cv``: the 100 CellaVision images, typed by ``pbc-only`` (never saw CellaVision);
- ``cv_shift``: the same images through training/data/sim_lab's stain and scale change, ``pbc-only``;
- ``bccd``: BCCD fields with one WBC of one known type, typed by ``default`` (never saw BCCD labels);
- ``pbc_shift``: a stratified PBC test sample (20 per class) with training/data/sim_lab's hue/saturation turn, ``pbc-only``;
- ``pbc``: the PBC test sample unchanged (40 per class), for the "head untouched" check.

Run from the repository root: ``python -m training.eval.lab_cells [SET ...]``. Each cache holds per cell: the crop (uint8, for batch-norm adaptation), the embedding, the head's
probabilities, the true type, the image name; plus the classifier's last layer (weight, bias).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from training.data import retrain_cells as rc
from training.lib.paths import REPO

CACHE = Path(os.environ.get("WBC_LAB_CACHE") or REPO.parent / "cache" / "lablearn")  # segmented sets, npz
MODEL = {"cv": "pbc-only", "cv_shift": "pbc-only", "bccd": "default", "pbc_shift": "pbc-only", "pbc": "pbc-only"}


def _shift_items(items: list, seg) -> list:
    """Items through sim_lab's stain turn (and its scale for CellaVision), segmented again."""
    from training.data.sim_lab import lab_image
    from wbc_desktop.core.cells.instances import find_cells

    out = []
    for it in items:
        rgb, _ = lab_image(it.rgb, it.class_map)
        r = seg.segment(rgb)
        inst, cells = find_cells(r.class_map, scale=float(r.scale))
        if not cells:
            continue
        h, w = rgb.shape[:2]
        c = min(cells, key=lambda c: (c.centroid[0] - w / 2) ** 2 + (c.centroid[1] - h / 2) ** 2)
        out.append(rc.Item(it.name, rgb, r.class_map, inst, c.cell_id, float(r.scale), it.cell_type, it.group))
    return out


def items_for(name: str) -> list:
    if name == "cv":
        return rc.cellavision_items(CACHE)
    if name == "bccd":
        return rc.bccd_items(CACHE)
    if name == "pbc":
        return rc.pbc_test_items(CACHE)
    from wbc_desktop.core.segmentation.segmenter import Segmenter

    if name == "cv_shift":
        return rc._cached(CACHE / "cells_cv_shift.npz", lambda: _shift_items(rc.cellavision_items(CACHE),
                                                                           Segmenter.load("default", device="cpu")))
    if name == "pbc_shift":
        return rc._cached(CACHE / "cells_pbc_shift.npz", lambda: _shift_items(rc.pbc_test_items(CACHE, per_class=20),
                                                                            Segmenter.load("default", device="cpu")))
    raise KeyError(name)


def model_of(name: str) -> str:
    """``set@model`` names another classifier for a set (e.g. ``bccd@other-labs``)."""
    return name.split("@", 1)[1] if "@" in name else MODEL[name]


def load_set(name: str, model: str | None = None) -> dict[str, np.ndarray]:
    """{'crops', 'emb', 'head', 'labels', 'names', 'classes', 'fc_w', 'fc_b'} for one set."""
    model = model or model_of(name)
    name = name.split("@", 1)[0]
    path = CACHE / f"emb_{name}_{model}.npz"
    if path.is_file():
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    from wbc_desktop.core.cells.classifier import CellClassifier
    from wbc_desktop.core.cells.crops import cell_crops

    items = items_for(name)
    clf = CellClassifier.load(model, device="cpu")
    crops = np.concatenate([cell_crops(it.rgb, it.class_map, it.instances, [it.cell_id], clf.spec, it.scale)
                            for it in items])
    head, emb = clf.predict_crops_features(crops)
    doc = {"crops": crops, "emb": emb, "head": head.astype(np.float32),
           "labels": np.array([it.cell_type for it in items]), "names": np.array([it.name for it in items]),
           "classes": np.array(clf.classes), "fc_w": clf.model.fc.weight.detach().float().numpy(),
           "fc_b": clf.model.fc.bias.detach().float().numpy()}
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **doc)
    return doc


if __name__ == "__main__":
    import time

    for n in sys.argv[1:] or list(MODEL):
        t = time.perf_counter()
        d = load_set(n)
        acc = float(np.mean(d["classes"][d["head"].argmax(1)] == d["labels"]))
        print(n, model_of(n), len(d["labels"]), f"head acc {acc:.3f}", f"{time.perf_counter() - t:.0f}s", flush=True)
