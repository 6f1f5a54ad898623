"""Superpixel snap: one click (or drag) sets whole superpixels, so a fix follows the image's edges.

The superpixels are the segmenter's own (SLIC with the settings of
:func:`~wbc_desktop.core.segmentation.superpixels.compute_superpixels`, on the image resampled to
the model's pixels as the segmenter does), recomputed only in a window around the clicked points so a click costs milliseconds on any image size: the window's
superpixels match the whole image's everywhere except within a superpixel of the window's edge,
which the margin keeps away from the points.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from wbc_desktop.core.editing.edits import MaskPatch, PointsXY, _name, make_patch
from wbc_desktop.core.segmentation.augment import resize
from wbc_desktop.core.segmentation.superpixels import compute_superpixels

MIN_AREA, MAX_AREA = 4.0, 256.0  # superpixel sizes the snap offers (model px); the segmenter's own is 16
SNAP_WINDOW = 40  # px of context around the points (several superpixel widths at the model's scale)


def snap_superpixels(
    class_map: np.ndarray,
    rgb: np.ndarray,
    points_xy: PointsXY,
    value: int,
    mean_area: float = 16.0,
    window: int = SNAP_WINDOW,
    scale: float = 1.0,
    text: str = "",
) -> Optional[MaskPatch]:
    """Set every superpixel under ``points_xy`` to ``value``.

    Parameters
    ----------
    class_map, rgb : the image's class map and its RGB pixels (same height and width).
    points_xy : clicked or dragged points, input pixels.
    mean_area : superpixel area in *model* pixels (the segmenter's S); ``scale`` (model px per
        input px, ``Analysis.scale``) turns it into input pixels.
    window : context around the points, in model px as well.
    """
    H, W = class_map.shape
    if rgb.shape[:2] != (H, W):
        raise ValueError(f"rgb is {rgb.shape[1]}x{rgb.shape[0]}, class map {W}x{H}")
    pts = np.asarray(points_xy, float).reshape(-1, 2)
    pts = pts[(pts[:, 0] >= 0) & (pts[:, 0] < W) & (pts[:, 1] >= 0) & (pts[:, 1] < H)]
    if not len(pts):
        return None
    s = float(scale) if scale and scale > 0 else 1.0
    pad = int(np.ceil(window / s))
    xi, yi = pts[:, 0].astype(int), pts[:, 1].astype(int)
    y0, y1 = max(0, yi.min() - pad), min(H, yi.max() + pad + 1)
    x0, x1 = max(0, xi.min() - pad), min(W, xi.max() + pad + 1)
    crop = np.ascontiguousarray(rgb[y0:y1, x0:x1, :3])
    if crop.shape[0] < 4 or crop.shape[1] < 4:
        return None
    labels = _labels_at_model_scale(crop, s, mean_area)
    picked = np.zeros(int(labels.max()) + 1, bool)
    picked[labels[yi - y0, xi - x0]] = True
    return make_patch(class_map, picked[labels], value, text or _name("snap", value), (y0, x0))


def snap_area_for(radius_px: float, scale: float) -> float:
    """The superpixel area (model px) as wide as a brush of ``radius_px`` input pixels: the snap's
    size follows the brush size, so a thin wrong band gets superpixels that fit inside it."""
    width = 2.0 * float(radius_px) * (scale if scale and scale > 0 else 1.0)
    return float(np.clip(width * width, MIN_AREA, MAX_AREA))


def _labels_at_model_scale(crop: np.ndarray, scale: float, mean_area: float) -> np.ndarray:
    """SLIC as the segmenter runs it (on the image resampled to model pixels), labels back at input size.

    Besides matching the segmenter's own superpixels, this keeps a click cheap on large fields:
    at a third of the input's resolution SLIC sees a ninth of the pixels."""
    h, w = crop.shape[:2]
    if abs(scale - 1.0) < 0.05:
        return compute_superpixels(crop, mean_area=mean_area).labels
    mh, mw = max(4, int(round(h * scale))), max(4, int(round(w * scale)))
    sp = compute_superpixels(np.ascontiguousarray(resize(crop, (mw, mh))), mean_area=mean_area)
    ry = np.minimum((np.arange(h) + 0.5) * mh / h, mh - 1).astype(int)  # input pixel centre -> model pixel
    rx = np.minimum((np.arange(w) + 0.5) * mw / w, mw - 1).astype(int)
    return sp.labels[ry[:, None], rx[None, :]]
