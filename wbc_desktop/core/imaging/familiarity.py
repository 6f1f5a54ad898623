"""How much an image looks like the data the models learned from (a familiarity score, 0..1).

A reviewer trusts results on images like the training data; on another lab's images (another
stain, camera, scale or framing) the same models can be confidently wrong. Before anyone has
corrected anything, the app should say so. The score compares a few cheap, interpretable
statistics of the analysed image with the same statistics of the training images:

- optical densities (-log of transmitted light) of the plasma, the red cells, the nucleus and the
  cytoplasm, each the median over its pixels: the stain and the camera's colour;
- the largest white cell's area at model scale: a wrong or unmeasured scale shows here;
- whether the scale was measured at all, the share of the image the white cells cover (framing);
- the classifier's mean top probability over the cells: its own sense of being on known ground.

Each statistic is standardised by the training set's spread, and the score is the distance to
the k nearest training images (k-NN copes with two labs that differ from each other), mapped to
0..1 so that the threshold chosen on held-out training-lab images sits at 0.5. The reference is a
small json written beside the segmenter by ``training/recipes/make_familiarity.py``: no pickle, no torch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

FEATURES = (
    "plasma_od_r", "plasma_od_g", "plasma_od_b",
    "rbc_od_r", "rbc_od_g", "rbc_od_b",
    "nucleus_od_r", "nucleus_od_g", "nucleus_od_b",
    "cytoplasm_od_r", "cytoplasm_od_g", "cytoplasm_od_b",
    "log_cell_area_model_px", "scale_measured", "log_cell_fraction", "mean_top_probability",
)
FLAG_BELOW = 0.5  # familiarity under this: the image is flagged
BATCH_SHARE = 0.3  # a batch is unfamiliar when at least this share of its images are flagged
IMAGE_WARNING = "this image differs from what the models learned: check its results"
BATCH_WARNING = "these images differ from what the models learned: check the results, correct a few and retrain"
_MIN_SD = {"scale_measured": 0.25, "mean_top_probability": 0.05}  # spreads that are ~0 in training
_MAX_PIXELS = 200_000  # statistics on a strided copy about this big (speed)


def _sorted_at(hist_cum: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The k-th smallest values (0-based) of integer data given by its cumulative histogram."""
    return np.searchsorted(hist_cum, k, side="right")


def _int_quantiles(values: np.ndarray, qs: tuple[float, ...], top: int) -> list[float]:
    """``np.percentile(values, qs)`` (linear method) of integers in 0..top, from a histogram: the
    same figures without sorting (this runs on every analysed image)."""
    cum = np.cumsum(np.bincount(values.ravel(), minlength=top + 1))
    n = int(cum[-1])
    out = []
    for q in qs:
        pos = q / 100.0 * (n - 1)
        lo = int(np.floor(pos))
        a, b = _sorted_at(cum, np.array([lo, min(lo + 1, n - 1)]))
        out.append(float(a + (b - a) * (pos - lo)))
    return out


def _od(rgb_values: np.ndarray) -> np.ndarray:
    """Median optical density per channel of N x 3 uint8 values."""
    v = rgb_values.reshape(-1, 3)
    med = np.array([_int_quantiles(v[:, c], (50.0,), 255)[0] for c in range(3)], np.float32)
    return -np.log10((med + 1.0) / 256.0)


def image_features(rgb: np.ndarray, analysis) -> np.ndarray:
    """The statistics in :data:`FEATURES` for one analysed image (an :class:`Analysis`)."""
    cm = analysis.class_map
    h, w = cm.shape
    step = max(1, int(np.ceil(np.sqrt(h * w / _MAX_PIXELS))))
    px, c = rgb[::step, ::step, :3], cm[::step, ::step]
    bg = px[c == 0]
    if len(bg) < 10:
        bg = px.reshape(-1, 3)
    bright = bg.astype(np.int32).sum(1)
    cut_hi, cut_lo = _int_quantiles(bright, (70.0, 30.0), 765)
    plasma = _od(bg[bright >= cut_hi])
    rbc = _od(bg[bright <= cut_lo])
    nuc_px, cyt_px = px[c == 2], px[c == 1]
    nucleus = _od(nuc_px) if len(nuc_px) >= 5 else plasma
    cytoplasm = _od(cyt_px) if len(cyt_px) >= 5 else nucleus
    f = float(analysis.scale) or 1.0
    areas = [cell.area_px for cell in analysis.cells]
    largest = max(areas) if areas else 0
    covered = float(np.count_nonzero(cm)) / max(1, h * w)
    probs = [cell.confidence for cell in analysis.cells if cell.top3 or cell.confidence]
    top = float(np.mean(probs)) if probs else np.nan  # nan: no classifier ran; left out of the distance
    return np.array([
        *plasma, *rbc, *nucleus, *cytoplasm,
        np.log1p(largest * f * f),
        {"assumed": 0.0, "": 0.0, "wbc-size": 0.5, "framing": 0.25}.get(analysis.scale_method, 1.0),
        np.log(max(covered, 1e-4)),
        top,
    ], dtype=np.float64)


@dataclass
class FamiliarityModel:
    """Training-set statistics and the distance scale: loaded from ``familiarity.json``."""

    mean: np.ndarray
    sd: np.ndarray
    reference: np.ndarray  # n x d standardised training vectors
    k: int
    d0: float  # distance at which familiarity is 0.5 (the flag threshold)
    info: dict
    unsure_below: Optional[float] = None  # typing threshold on flagged images (training/eval/eval_unsure.py)

    @classmethod
    def load(cls, path: str | Path) -> Optional["FamiliarityModel"]:
        """The model in ``path``, or None when absent or unreadable (familiarity is then not measured)."""
        p = Path(path)
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
            if tuple(d["features"]) != FEATURES:
                return None
            return cls(np.asarray(d["mean"], float), np.asarray(d["sd"], float), np.asarray(d["reference"], float),
                       int(d["k"]), float(d["d0"]), d.get("info", {}),
                       float(d["unsure_below"]) if d.get("unsure_below") is not None else None)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @classmethod
    def fit(cls, features: np.ndarray, k: int = 5, info: Optional[dict] = None) -> "FamiliarityModel":
        """Reference from training-image features (threshold set later by :meth:`with_threshold`)."""
        x = np.asarray(features, float)
        mean = np.nanmean(x, 0)
        sd = np.nanstd(x, 0)
        for name, lo in _MIN_SD.items():
            i = FEATURES.index(name)
            sd[i] = max(sd[i], lo)
        sd = np.maximum(sd, 1e-3)
        z = np.nan_to_num((x - mean) / sd)
        return cls(mean, sd, z, k, 1.0, dict(info or {}))

    def distance(self, features: np.ndarray) -> float:
        """Mean standardised distance to the k nearest training images (per feature, RMS)."""
        z = (np.asarray(features, float) - self.mean) / self.sd
        ok = np.isfinite(z)
        d = np.sqrt(((self.reference[:, ok] - z[ok]) ** 2).mean(1))
        kk = min(self.k, len(d))
        return float(np.sort(d)[:kk].mean())

    def score(self, features: np.ndarray) -> float:
        """Familiarity 0..1: 1 on the training data, 0.5 at the flag threshold, towards 0 beyond."""
        d = self.distance(features)
        return float(1.0 / (1.0 + (d / self.d0) ** 4))

    def with_threshold(self, d0: float, **info) -> "FamiliarityModel":
        self.d0 = float(d0)
        self.info.update(info)
        return self

    def to_json(self) -> str:
        return json.dumps({
            "features": list(FEATURES), "mean": self.mean.round(5).tolist(), "sd": self.sd.round(5).tolist(),
            "reference": self.reference.round(3).tolist(), "k": self.k, "d0": round(self.d0, 5), "info": self.info,
            "unsure_below": self.unsure_below,
        }, indent=None) + "\n"


def image_warning(familiarity: Optional[float]) -> str:
    """The per-image sentence (empty when familiar or not measured)."""
    if familiarity is None or familiarity >= FLAG_BELOW:
        return ""
    return f"{IMAGE_WARNING} (familiarity {familiarity:.2f})"


def apply_unsure(cells: Sequence, familiarity: Optional[float], unsure_below: Optional[float]) -> int:
    """On a flagged image, send cells typed below ``unsure_below`` to unidentified; returns how many.

    Under a lab shift the classifier is confidently wrong more often, and a reviewer trusts the
    confident ones: a stricter bar (chosen on shifted copies of val) keeps the typed ones right.
    The model's own best guess stays in ``predicted_type`` and ``top3`` for the reviewer.
    """
    from wbc_desktop.core.analysis import UNIDENTIFIED

    if familiarity is None or familiarity >= FLAG_BELOW or unsure_below is None:
        return 0
    n = 0
    for c in cells:
        if c.cell_type != UNIDENTIFIED and c.reviewed_type is None and c.confidence < unsure_below:
            c.cell_type = UNIDENTIFIED
            n += 1
    return n


def batch_warning(analyses: Sequence) -> str:
    """The batch sentence when enough of its images are unfamiliar, else an empty string."""
    scored = [a for a in analyses if getattr(a, "familiarity", None) is not None]
    if not scored:
        return ""
    flagged = sum(1 for a in scored if a.familiarity < FLAG_BELOW)
    if flagged and flagged >= BATCH_SHARE * len(scored):
        return f"{BATCH_WARNING} ({flagged} of {len(scored)} images flagged)"
    return ""
