"""Stain self-calibration: an image stained unlike the training data calibrates itself.

Why: a stain shift (another haematoxylin hue or strength) costs the shipped segmenter more than
any change of scale or focus (cellavision test copies: mean Dice 0.86 under a strong HED shift,
0.95 otherwise), and a lab's first images come before any correction it could retrain on. The
first look (the pipeline segments a half-resolution copy, :mod:`core.pipeline_steps.glance`) still
finds most of the nucleus and cytoplasm; their colours, compared with the same
classes' colours in the training data (``stain_reference.json`` beside the model: per-class mean
and covariance), give the colour map of :mod:`~wbc_desktop.core.imaging.calibration`, and the
image is segmented once, through it. Pixels near a first-pass border are left out of the fit
(they are the ones most likely wrong). Only images the first look finds unfamiliar
(``core.imaging.familiarity``) are calibrated: the stain signature alone does not separate the
training lab's images from shifted ones well enough (``training/eval/eval_self_calibration.py``), and
calibrating a familiar image costs it a little Dice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from scipy import ndimage as ndi

from wbc_desktop.core.imaging.calibration import ColourMap, fit_colour_map_to_stats, signature

REFERENCE_FILE = "stain_reference.json"
ERODE_PX = 2  # first-pass border pixels left out of the fit
MIN_CLASS_PX = 200  # a class with fewer interior pixels: no fit (no cell in the image, say)


@dataclass
class StainReference:
    signature: np.ndarray  # 3: mean colour of the darkest pixels of the training images
    means: np.ndarray  # 3 x 3: per class (background, cytoplasm, nucleus) mean RGB
    covs: np.ndarray  # 3 x 3 x 3: per class RGB covariance

    @classmethod
    def from_pairs(cls, pairs: Sequence[tuple[np.ndarray, np.ndarray]]) -> "StainReference":
        """From training (rgb, class map) pairs: what :func:`self_calibrate` pulls an image toward."""
        sig = np.mean([signature(r) for r, _ in pairs], 0)
        px = [np.concatenate([r[m == c].reshape(-1, 3) for r, m in pairs]).astype(np.float64) for c in range(3)]
        return cls(sig, np.stack([p.mean(0) for p in px]), np.stack([np.cov(p.T) for p in px]))

    def to_json(self) -> dict:
        r = lambda a: np.round(np.asarray(a, float), 4).tolist()  # noqa: E731
        return {"signature": r(self.signature), "means": r(self.means), "covs": r(self.covs)}

    @classmethod
    def from_json(cls, d: dict) -> "StainReference":
        return cls(np.asarray(d["signature"], float).reshape(3), np.asarray(d["means"], float).reshape(3, 3),
                   np.asarray(d["covs"], float).reshape(3, 3, 3))

    @classmethod
    def load(cls, folder: Path | str) -> Optional["StainReference"]:
        """The model folder's reference, or None (a model without one is never self-calibrated)."""
        p = Path(folder) / REFERENCE_FILE
        if not p.is_file():
            return None
        try:
            return cls.from_json(json.loads(p.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def shift(self, rgb: np.ndarray) -> float:
        """How far this image's stained pixels are from the training data's (RGB distance)."""
        return float(np.linalg.norm(signature(rgb) - self.signature))


def self_calibrate(rgb: np.ndarray, class_map: np.ndarray, ref: StainReference, erode_px: int = ERODE_PX,
                   min_px: int = MIN_CLASS_PX) -> Optional[ColourMap]:
    """The colour map taking this image's first-look classes to the reference's; None when a class
    has too few sure pixels to fit.

    ``rgb``/``class_map`` may be a reduced copy (the pipeline's first look segments one at half the
    model's scale): ``erode_px`` and ``min_px`` are then given in its pixels."""
    sure = np.full(class_map.shape, 255, np.uint8)  # 255: left out
    for c in range(3):
        inner = ndi.binary_erosion(class_map == c, iterations=erode_px) if erode_px else class_map == c
        if inner.sum() < min_px:
            return None
        sure[inner] = c
    return fit_colour_map_to_stats([(rgb, sure)], ref.means, ref.covs, ref.signature, min_pixels=min_px)
