"""Superpixels: the nodes of SMGNN's graph, and the pixel->superpixel map Q that links image and graph.

SLIC (scikit-image) with a mean superpixel area ``S`` (paper default 16 px). The map is
relabelled to 0..n-1 so it can index node tensors directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from skimage.segmentation import slic

from wbc_desktop.core.errors import InputError


@dataclass
class Superpixels:
    """A label map (HxW int64, values 0..n-1) and its node count."""

    labels: np.ndarray
    n: int

    def sizes(self) -> np.ndarray:
        return np.bincount(self.labels.ravel(), minlength=self.n)


def compute_superpixels(
    rgb: np.ndarray,
    mean_area: float = 16.0,
    compactness: float = 10.0,
    n_iter: int = 5,
    enforce_connectivity: bool = False,
) -> Superpixels:
    """Over-segment an RGB image into superpixels of about ``mean_area`` pixels.

    ``enforce_connectivity`` is off by default: it doubles SLIC's time and a few split
    superpixels cost the graph nothing (each piece is still one node with its own mean).
    """
    h, w = rgb.shape[:2]
    n_segments = max(1, int(round(h * w / float(mean_area))))
    if h < 4 or w < 4:
        raise InputError(f"image of {w}x{h} pixels is smaller than a superpixel grid")
    lab = slic(
        rgb,
        n_segments=n_segments,
        compactness=compactness,
        max_num_iter=n_iter,
        start_label=0,
        enforce_connectivity=enforce_connectivity,
        convert2lab=True,
    )
    return relabel(lab)


def relabel(labels: np.ndarray) -> Superpixels:
    """Make labels consecutive 0..n-1 (SLIC may leave gaps)."""
    uniq, inv = np.unique(labels.ravel(), return_inverse=True)
    return Superpixels(inv.reshape(labels.shape).astype(np.int64), int(uniq.size))


def label_fractions(sp: Superpixels, class_map: np.ndarray, n_classes: int = 3) -> np.ndarray:
    """Per superpixel, the fraction of its pixels in each class (n x n_classes): the paper's y."""
    idx = sp.labels.ravel() * n_classes + class_map.ravel().astype(np.int64)
    counts = np.bincount(idx, minlength=sp.n * n_classes).reshape(sp.n, n_classes).astype(np.float32)
    return counts / np.maximum(counts.sum(1, keepdims=True), 1.0)


def majority_labels(sp: Superpixels, class_map: np.ndarray, n_classes: int = 3) -> np.ndarray:
    """Each superpixel's majority class: the targets of the pure-GNN variant."""
    return label_fractions(sp, class_map, n_classes).argmax(1)


def reconstruction_iou(sp: Superpixels, class_map: np.ndarray, n_classes: int = 3) -> dict[str, float]:
    """The paper's IoU reconstruction score (Eq. 2): how well superpixels alone can rebuild a mask.

    Each superpixel takes its majority label; the rebuilt map is compared with the true one per
    class. It is the ceiling of any method that labels whole superpixels.
    """
    rebuilt = majority_labels(sp, class_map, n_classes)[sp.labels]
    out: dict[str, float] = {}
    ious = []
    for c in range(n_classes):
        a, b = rebuilt == c, class_map == c
        union = np.logical_or(a, b).sum()
        iou = float(np.logical_and(a, b).sum() / union) if union else 1.0
        out[f"iou_{c}"] = iou
        ious.append(iou)
    out["miou"] = float(np.mean(ious))
    return out
