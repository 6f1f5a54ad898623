"""Pixel helpers shared by the red-cell rulers (core.imaging.scale, core.imaging.rbc_size):
RGB coercion, box downsampling, a fast Otsu, the nucleus-stain mask, weighted quantiles and the
suppression of distance maxima inside a larger one. A module of its own so neither ruler imports
the other's module for them (no import cycle)."""

from __future__ import annotations

import numpy as np


def as_rgb_u8(img: np.ndarray) -> np.ndarray:
    """Any HxW / HxWxC numeric array as HxWx3 uint8 (floats <= 1 taken as 0..1), without copying uint8 RGB."""
    a = np.asarray(img)
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=2)
    elif a.ndim == 3 and a.shape[2] == 1:
        a = np.repeat(a, 3, axis=2)
    elif a.ndim == 3 and a.shape[2] >= 4:
        a = a[..., :3]
    if a.ndim != 3 or a.shape[2] != 3:
        raise ValueError(f"expected an RGB or grayscale image, got shape {a.shape}")
    if a.dtype != np.uint8:
        if np.issubdtype(a.dtype, np.floating) and a.size and float(np.nanmax(a)) <= 1.0:
            a = a * 255.0  # float images in [0, 1]
        a = np.clip(np.nan_to_num(a), 0, 255).astype(np.uint8)
    return a


def downsample(rgb: np.ndarray, factor: int) -> np.ndarray:
    """Box-average an RGB uint8 image by an integer factor (PIL, C speed, anti-aliased)."""
    if factor <= 1:
        return rgb
    from PIL import Image

    h, w = rgb.shape[:2]
    im = Image.fromarray(np.ascontiguousarray(rgb))
    return np.asarray(im.reduce(factor, box=(0, 0, (w // factor) * factor, (h // factor) * factor)))


def _purple(rgb: np.ndarray) -> np.ndarray:
    """Hematoxylin-rich (nucleus, platelet) pixels: clearly bluer than red, and not pale."""
    r = rgb[..., 0].astype(np.int16)
    g = rgb[..., 1].astype(np.int16)
    b = rgb[..., 2].astype(np.int16)
    return (b - r > 25) & (b - g > 40)


def _otsu(values: np.ndarray) -> float:
    """Otsu threshold of uint8-range values via a 256-bin histogram (fast, no skimage import)."""
    hist = np.bincount(np.clip(values, 0, 255).astype(np.int64).ravel(), minlength=256)[:256].astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 128.0
    levels = np.arange(256, dtype=np.float64)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    w1 = total - w0
    mt = m0[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mt * w0 / total - m0) ** 2 / (w0 * w1)
    between[~np.isfinite(between)] = -1
    return float(np.argmax(between)) + 0.5


def _weighted_quantiles(v: np.ndarray, w: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    o = np.argsort(v)
    cw = np.cumsum(w[o])
    cw /= cw[-1]
    return [float(v[o][min(int(np.searchsorted(cw, q)), len(v) - 1)]) for q in qs]


def _suppress(ys: np.ndarray, xs: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, int]:
    """Keep cell-centre maxima: drop any maximum inside the disc of a larger kept one.

    Ridge and saddle points between touching cells are maxima of the distance transform too,
    but they lie within a neighbouring cell's disc; centres of distinct cells do not.
    """
    order = np.argsort(-r, kind="stable")
    ys, xs, r = ys[order].astype(np.float32), xs[order].astype(np.float32), r[order]
    alive = np.ones(len(r), bool)
    kept = []
    for i in range(len(r)):
        if not alive[i]:
            continue
        kept.append(i)
        d2 = (ys[i + 1 :] - ys[i]) ** 2 + (xs[i + 1 :] - xs[i]) ** 2
        alive[i + 1 :] &= d2 >= (r[i] + 1.0) ** 2
    return r[kept], len(r) - len(kept)
