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
    if enforce_connectivity or rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        lab = slic(rgb, n_segments=n_segments, compactness=compactness, max_num_iter=n_iter, start_label=0,
                   enforce_connectivity=enforce_connectivity, convert2lab=True)
    else:
        lab = slic_uint8(rgb, n_segments, compactness, n_iter)
    return relabel(lab)


def _lab_of_stretched(rgb: np.ndarray) -> np.ndarray:
    """CIELAB of ``rgb`` stretched to [0, 1] by its own min and max, bit for bit what scikit-image's
    ``slic`` computes before clustering, with the stretch and the sRGB curve taken from a 256-entry
    table (a uint8 image has only 256 values: the per-pixel power was a third of SLIC's time)."""
    from skimage.color.colorconv import xyz_from_rgb, xyz_tristimulus_values
    from skimage.util import img_as_float

    x = img_as_float(np.arange(256, dtype=np.uint8))
    lo, hi = x[int(rgb.min())], x[int(rgb.max())]
    x = x - lo
    if hi != lo:
        x /= hi - lo
    lin = np.empty_like(x)
    m = x > 0.04045
    lin[m] = np.power((x[m] + 0.055) / 1.055, 2.4)
    lin[~m] = x[~m] / 12.92
    arr = lin[rgb] @ xyz_from_rgb.T.astype(np.float64)
    arr = arr / xyz_tristimulus_values(illuminant="D65", observer="2", dtype=np.float64)
    m = arr > 0.008856
    arr[m] = np.cbrt(arr[m])
    arr[~m] = 7.787 * arr[~m] + 16.0 / 116.0
    x_, y_, z_ = arr[..., 0], arr[..., 1], arr[..., 2]
    return np.stack([116.0 * y_ - 16.0, 500.0 * (x_ - y_), 200.0 * (y_ - z_)], axis=-1)


def slic_uint8(rgb: np.ndarray, n_segments: int, compactness: float, n_iter: int) -> np.ndarray:
    """scikit-image's SLIC (Lab, no connectivity step, labels from 0) on a uint8 RGB image, with the
    colour conversion of :func:`_lab_of_stretched`; the same labels as ``slic`` (tested)."""
    from skimage.segmentation._slic import _slic_cython
    from skimage.segmentation.slic_superpixels import _get_grid_centroids

    image = _lab_of_stretched(rgb)[np.newaxis]
    centroids, steps = _get_grid_centroids(image, n_segments)
    segments = np.ascontiguousarray(
        np.concatenate([centroids, np.zeros((centroids.shape[0], 3))], axis=-1), dtype=np.float64)
    image = np.ascontiguousarray(image * (1.0 / compactness), dtype=np.float64)
    labels = _slic_cython(image, None, segments, max(steps), n_iter, np.ones(3, np.float64), False,
                          ignore_color=False, start_label=0)
    return labels[0]


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
