"""Stain calibration learned from a lab's corrected images: one affine colour map.

Why: a stain unlike the training data's (another hue of haematoxylin) cuts the shipped
segmenter's Dice from 0.95 to 0.77 on a simulated lab, and fine-tuning the weights alone needs
many minutes of CPU to undo that. The corrected masks say which pixels are nucleus, cytoplasm
and plasma in the lab's images; the replay sample says the same of the training data. Each
class's colour distribution (a Gaussian) is carried onto the reference one, and one affine map
RGB -> RGB is fitted to all those pixel pairs (ridge toward identity): seconds, not minutes.

The map is for the lab's stain only: an image whose stained pixels look like the training data
(nearer the reference's colour signature than the lab's) is left as it is, so a retrained
model still reads the original slides as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np

DARK_FRACTION = 0.08  # the darkest 8% of pixels: nuclei, whatever the stain
MIN_SHIFT = 12.0  # RGB distance between the signatures below which no map is needed
_SAMPLE = 40_000


def signature(rgb: np.ndarray) -> np.ndarray:
    """Mean colour of the darkest pixels (stained nuclei): tells one stain from another."""
    flat = rgb.reshape(-1, 3)
    if flat.shape[0] > _SAMPLE:
        flat = flat[:: flat.shape[0] // _SAMPLE]
    f = flat.astype(np.float32)
    lum = f @ np.array([0.299, 0.587, 0.114], np.float32)
    return f[lum <= np.quantile(lum, DARK_FRACTION)].mean(0)


def _sqrtm_psd(m: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh((m + m.T) / 2)
    return (v * np.sqrt(np.clip(w, 1e-6, None))) @ v.T


def _gaussian_transport(x: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Carry samples ``x`` of distribution ``src`` onto ``dst`` (the optimal map between Gaussians)."""
    return _transport(x, src.mean(0), np.cov(src.T), dst.mean(0), np.cov(dst.T))


def _transport(x: np.ndarray, mu_s: np.ndarray, cov_s: np.ndarray, mu_d: np.ndarray, cov_d: np.ndarray) -> np.ndarray:
    cs = cov_s + np.eye(3) * 4.0
    cd = cov_d + np.eye(3) * 4.0
    r = _sqrtm_psd(cs)
    r_inv = np.linalg.inv(r)
    m = r_inv @ _sqrtm_psd(r @ cd @ r) @ r_inv
    return mu_d + (x - mu_s) @ m.T


def features(x: np.ndarray, degree: int) -> np.ndarray:
    """Nx3 RGB in [0, 1] -> N x k polynomial terms (1, r, g, b[, squares and products])."""
    cols = [np.ones(len(x), x.dtype), x[:, 0], x[:, 1], x[:, 2]]
    if degree >= 2:
        r, g, b = x[:, 0], x[:, 1], x[:, 2]
        cols += [r * r, g * g, b * b, r * g, r * b, g * b]
    return np.stack(cols, 1)


@dataclass
class ColourMap:
    weights: np.ndarray  # k x 3: polynomial terms of RGB/255 -> RGB/255
    degree: int
    lab_signature: np.ndarray  # 3
    reference_signature: np.ndarray  # 3

    def applies(self, rgb: np.ndarray) -> bool:
        s = signature(rgb)
        return bool(np.linalg.norm(s - self.lab_signature) < np.linalg.norm(s - self.reference_signature))

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        x = rgb.reshape(-1, 3).astype(np.float32) / 255.0
        f = features(x, self.degree) @ self.weights.astype(np.float32)
        return np.clip(f * 255.0 + 0.5, 0, 255).astype(np.uint8).reshape(rgb.shape)

    def to_card(self) -> dict[str, Any]:
        r = lambda a: [round(float(v), 6) for v in np.ravel(a)]  # noqa: E731
        return {"degree": self.degree, "weights": r(self.weights), "lab_signature": r(self.lab_signature),
                "reference_signature": r(self.reference_signature)}

    @classmethod
    def from_card(cls, d: Optional[dict]) -> Optional["ColourMap"]:
        if not d:
            return None
        deg = int(d.get("degree", 1))
        k = 4 if deg == 1 else 10
        return cls(np.asarray(d["weights"], np.float64).reshape(k, 3), deg,
                   np.asarray(d["lab_signature"], np.float64), np.asarray(d["reference_signature"], np.float64))


def _pixels_by_class(pairs: Sequence[tuple[np.ndarray, np.ndarray]], per_class: int, rng) -> list[np.ndarray]:
    out = []
    for c in range(3):
        px = np.concatenate([rgb[mask == c].reshape(-1, 3) for rgb, mask in pairs]).astype(np.float64)
        if len(px) > per_class:
            px = px[rng.choice(len(px), per_class, replace=False)]
        out.append(px)
    return out


def fit_colour_map(lab: Sequence[tuple[np.ndarray, np.ndarray]], reference: Sequence[tuple[np.ndarray, np.ndarray]],
                   ridge: float = 0.05, per_class: int = 20_000, seed: int = 0, degree: int = 2) -> Optional[ColourMap]:
    """The affine map that brings the lab's (rgb, class map) pairs to the reference's colours.

    None when the lab's stain already matches (signatures within ``MIN_SHIFT``) or a class is
    missing from either side.
    """
    lab_sig = np.mean([signature(r) for r, _ in lab], 0)
    ref_sig = np.mean([signature(r) for r, _ in reference], 0)
    if np.linalg.norm(lab_sig - ref_sig) < MIN_SHIFT:
        return None
    rng = np.random.default_rng(seed)
    lp, rp = _pixels_by_class(lab, per_class, rng), _pixels_by_class(reference, per_class, rng)
    if any(len(p) < 50 for p in lp + rp):
        return None
    y = [_gaussian_transport(a, a, b) for a, b in zip(lp, rp)]
    return _fit(lp, y, ridge, degree, lab_sig, ref_sig)


def _fit(lp: list[np.ndarray], targets: list[np.ndarray], ridge: float, degree: int,
         lab_sig: np.ndarray, ref_sig: np.ndarray) -> ColourMap:
    """The polynomial map (ridge toward identity) taking each class's pixels to their targets."""
    x = np.concatenate(lp)
    xa = features(x / 255.0, degree)
    ya = np.concatenate(targets) / 255.0
    w0 = np.zeros((xa.shape[1], 3))
    w0[1:4] = np.eye(3)  # identity
    lam = ridge * len(x) / 1000.0
    w = np.linalg.solve(xa.T @ xa + lam * np.eye(xa.shape[1]), xa.T @ ya + lam * w0)
    return ColourMap(w, degree, lab_sig, ref_sig)


def fit_colour_map_to_stats(lab: Sequence[tuple[np.ndarray, np.ndarray]], means: np.ndarray, covs: np.ndarray,
                            reference_signature: np.ndarray, ridge: float = 0.05, per_class: int = 20_000,
                            seed: int = 0, degree: int = 2, min_pixels: int = 50) -> Optional[ColourMap]:
    """As :func:`fit_colour_map`, the reference given by its per-class colour statistics
    (``means`` 3x3, ``covs`` 3x3x3: background, cytoplasm, nucleus) instead of its pixels."""
    lab_sig = np.mean([signature(r) for r, _ in lab], 0)
    rng = np.random.default_rng(seed)
    lp = _pixels_by_class(lab, per_class, rng)
    if any(len(p) < min_pixels for p in lp):
        return None
    y = [_transport(a, a.mean(0), np.cov(a.T), means[c], covs[c]) for c, a in enumerate(lp)]
    return _fit(lp, y, ridge, degree, lab_sig, np.asarray(reference_signature, np.float64))
