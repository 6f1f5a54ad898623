"""Per-image cell scale: how many pixels a red cell spans, and the resize factor for the model.

The segmenter only works at the scale it was trained on, and other labs' pixel sizes differ by
0.4-2.5x. Red cells (~7.5 um) are in almost every smear image, so their apparent diameter is a
ruler that needs no metadata. Method: separate stained cells from the pale plasma with Otsu on a
smoothed green channel (haemoglobin absorbs green; it also works on grayscale input), fill the
red cells' pale centres, and read red-cell radii from the regional maxima of the distance
transform. Maxima are robust to touching cells, unlike connected components. Maxima on or near
purple (nucleus-stained) pixels, and maxima whose disc is cut by the image border, are dropped;
the diameter is a robust upper-half statistic of the remaining radii, because ridge points between
cells give spuriously small maxima, while the few large ones (WBC cytoplasm, clumps) are rarer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from scipy import ndimage as ndi

# shared with core.imaging.rbc_size (kept importable from here for the modules that use them)
from wbc_desktop.core.imaging.pixels import _otsu, _purple, _suppress, _weighted_quantiles, as_rgb_u8, downsample  # noqa: F401

RBC_DIAMETER_UM = 7.5  # typical normocyte; the ruler
MIN_FACTOR, MAX_FACTOR = 0.1, 10.0  # factors outside this are surely wrong (or absurd images)
_WORK_PIXELS = 250_000  # measure on a copy about this big (speed; enough for ~20 px red cells)
_MIN_WORK_DIAM = 14.0  # below this many work-image pixels per red cell, re-measure finer
_MIN_PEAKS = 3
_MAX_SPREAD = 0.5  # IQR/median above this: maxima disagree (pale centres, clumps): do not trust


@dataclass
class ScaleEstimate:
    """Red-cell diameter of one image, with how sure we are.

    Attributes
    ----------
    diameter_px : float or None
        Median red-cell diameter in the given image's pixels; None when it could not be measured.
    n_measured : int
        Number of red-cell distance maxima the estimate rests on.
    ok : bool
        True when the estimate is trustworthy enough to rescale by it.
    confidence : float
        0..1, from the number of measurements and their spread.
    method : str
        Short human note on how it was obtained (or why it failed).
    """

    diameter_px: Optional[float]
    n_measured: int
    ok: bool
    confidence: float
    method: str


def _measure(rgb: np.ndarray) -> tuple[Optional[float], int, float, str]:
    """Red-cell diameter in this array's pixels, from distance-transform maxima.

    Returns (diameter or None, number of maxima used, relative spread, note).
    """
    h, w = rgb.shape[:2]
    g = ndi.uniform_filter(rgb[..., 1].astype(np.float32), 3)
    lo, hi = np.percentile(g, [1, 99])
    if hi - lo < 20:  # no contrast at all: blank, uniform or nearly so
        return None, 0, 1.0, "no contrast (blank or uniform image)"
    purple = _purple(rgb)
    # Nuclei are far darker than red cells: threshold without them, or Otsu splits nucleus vs rest.
    sample = g[~ndi.binary_dilation(purple, iterations=2)] if purple.any() else g.ravel()
    if sample.size < 0.2 * g.size:
        return None, 0, 1.0, "image is mostly nucleus-stained"
    thr = _otsu(sample)
    dark, light = sample[sample < thr], sample[sample >= thr]
    if dark.size == 0 or light.size == 0 or float(light.mean() - dark.mean()) < 15:
        return None, 0, 1.0, "no red cells distinct from the background"
    fg = (g < thr) & ~purple
    frac = float(fg.mean())
    if frac < 0.02 or frac > 0.95:
        return None, 0, 1.0, f"cells cover {frac:.0%} of the image: cannot separate them from background"
    fg = ndi.binary_fill_holes(ndi.binary_opening(fg, iterations=1))
    dt = ndi.distance_transform_edt(fg).astype(np.float32)
    mx = ndi.maximum_filter(dt, size=5)
    peaks = (dt == mx) & (dt >= 2.0)
    ys, xs = np.nonzero(peaks)
    r = dt[ys, xs]
    # The transform treats outside the image as foreground, so a cell whose centre is inside keeps
    # its true radius; a cell whose centre lies outside peaks on the border line: drop those.
    m = 2
    inside = (ys >= m) & (xs >= m) & (ys < h - m) & (xs < w - m)
    ys, xs, r = ys[inside], xs[inside], r[inside]
    if purple.any() and len(r):
        # Drop maxima whose disc reaches purple pixels (WBC, platelets on a red cell).
        # the distance to the nearest purple pixel, at the maxima only (a k-d tree: the same exact
        # Euclidean distance as a distance transform of the whole image, at a fraction of its cost)
        from scipy.spatial import cKDTree

        pd, _ = cKDTree(np.argwhere(purple)).query(np.stack([ys, xs], 1))
        keep = pd > r * 1.05
        ys, xs, r = ys[keep], xs[keep], r[keep]
    r, n_sup = _suppress(ys, xs, r)
    if len(r) < _MIN_PEAKS:
        return None, int(len(r)), 1.0, f"only {len(r)} red-cell measurements"
    # Weight each disc by its area: specks and fragments are many but cover little.
    q1, rad, q3 = _weighted_quantiles(r, r * r, (0.25, 0.5, 0.75))
    spread = float((q3 - q1) / max(rad, 1e-6))
    if rad < 4.0:
        return None, int(len(r)), 1.0, "only specks found (red cells under 8 px or absent)"
    typical = (r >= 0.7 * rad) & (r <= 1.4 * rad)
    cover = float(np.pi * np.sum(r[typical] ** 2) / (h * w))
    if cover < 0.02:  # a few scattered specks or cytoplasm fragments, not red cells
        return None, int(typical.sum()), 1.0, f"too few red-cell-like discs (cover {cover:.1%})"
    return 2.0 * rad, int(len(r)), spread, "distance-transform maxima"


def estimate_rbc_diameter(rgb: np.ndarray) -> ScaleEstimate:
    """Estimate the median red-cell diameter (pixels of ``rgb``) from the image alone.

    Parameters
    ----------
    rgb : ndarray
        HxWx3 uint8 (grayscale HxW accepted). Large images are measured on a box-averaged copy,
        then on a finer central crop when red cells turn out small on the coarse copy.
    """
    a = as_rgb_u8(rgb)
    h, w = a.shape[:2]
    f = max(1, int(np.ceil(np.sqrt(h * w / _WORK_PIXELS))))
    d, n, spread, note = _measure(downsample(a, f))
    if d is not None and f > 1 and d < _MIN_WORK_DIAM:
        # Red cells are small on the coarse copy: re-measure a central crop at a finer step.
        f2 = max(1, int(f * d / (1.5 * _MIN_WORK_DIAM)))
        side = int(np.sqrt(_WORK_PIXELS)) * f2
        y0, x0 = max(0, (h - side) // 2), max(0, (w - side) // 2)
        d2, n2, s2, note2 = _measure(downsample(a[y0 : y0 + side, x0 : x0 + side], f2))
        if d2 is not None:
            d, n, spread, note, f = d2, n2, s2, note2 + " (central crop)", f2
    if d is None:
        return ScaleEstimate(None, n, False, 0.0, f"red-cell size not measurable: {note}")
    diam = d * f
    conf = float(np.clip(min(1.0, n / 10.0) * (1.0 - min(spread, 1.0)), 0.0, 1.0))
    ok = n >= _MIN_PEAKS and spread < _MAX_SPREAD and diam >= 4.0
    step = f" at 1/{f} resolution" if f > 1 else ""
    return ScaleEstimate(float(diam), n, ok, conf, f"{note}{step}, {n} maxima, IQR/median {spread:.2f}")


@dataclass
class ScaleChoice:
    """The resize factor used for one image and how it was found (for images.csv and the user).

    ``method`` is one of "user" (a scale factor given), "pixel-size" (metadata or a setting),
    "red-cells" (measured), "wbc-size" (from the white cell itself), "assumed" (training scale);
    ``confidence`` is 0..1: 1 for given values, the estimate's own confidence otherwise, 0 when assumed.
    """

    factor: float
    note: str
    method: str
    confidence: float


def consensus_ruler() -> bool:
    """Whether the consensus red-cell ruler (core.imaging.rbc_size) chooses the scale: off until it fits
    the one-pass budget; ``WBC_FIRST_CONTACT=1`` turns it on (with the colour standardisation)."""
    import os

    return os.environ.get("WBC_FIRST_CONTACT", "") == "1"


def choose_scale(
    rgb: np.ndarray,
    target_rbc_px: float,
    pixel_size_um: Optional[float] = None,
    model_pixel_size_um: Optional[float] = None,
    override: Optional[float] = None,
    fallback: float = 1.0,
) -> ScaleChoice:
    """Resize factor (model pixels per input pixel), its source and confidence.

    Priority: a user ``override`` > the pixel size (file metadata or setting) with the model's pixel
    size > the red-cell estimate against ``target_rbc_px`` > ``fallback`` when all else fails. The factor is
    clamped to [MIN_FACTOR, MAX_FACTOR], and the note says so.
    """

    def clamp(fac: float, note: str, method: str, conf: float) -> ScaleChoice:
        c = float(np.clip(fac, MIN_FACTOR, MAX_FACTOR))
        if c != fac:
            note += f"; clamped from {fac:.3g} to {c:.3g}"
        return ScaleChoice(c, note, method, conf)

    if override is not None and np.isfinite(override) and override > 0:
        return clamp(float(override), f"scale factor {override:.3g} set by the user", "user", 1.0)
    if pixel_size_um and model_pixel_size_um and pixel_size_um > 0 and model_pixel_size_um > 0:
        fac = pixel_size_um / model_pixel_size_um
        return clamp(fac, f"scale {fac:.3g} from pixel size {pixel_size_um:.3g} um (model {model_pixel_size_um:.3g} um)",
                     "pixel-size", 1.0)
    # first contact (issue 23): the consensus ruler, whose confidence is high only when its methods agree
    from wbc_desktop.core.imaging.rbc_size import INSCRIBED_TO_CONSENSUS, estimate_rbc_size

    size = estimate_rbc_size(rgb) if consensus_ruler() else None
    if size is not None and size.ok and size.diameter_px:
        target = target_rbc_px * INSCRIBED_TO_CONSENSUS  # the model's anchor in the consensus ruler's units
        fac = target / size.diameter_px
        return clamp(fac, f"scale {fac:.3g} from {size.note}; model {target:.0f} px",
                     "red-cells", round(max(0.05, size.confidence), 3))
    est = estimate_rbc_diameter(rgb)
    if est.ok and est.diameter_px and size is None:  # the consensus ruler off: the plain ruler, as before
        fac = target_rbc_px / est.diameter_px
        return clamp(fac, f"scale {fac:.3g} from red cells measured {est.diameter_px:.1f} px across ({est.n_measured} cells; model {target_rbc_px:.0f} px)",
                     "red-cells", round(max(0.05, est.confidence), 3))
    if est.ok and est.diameter_px and size is not None:  # the methods disagree: the plain ruler, with a low confidence
        fac = target_rbc_px / est.diameter_px
        return clamp(fac, f"scale {fac:.3g} from red cells measured {est.diameter_px:.1f} px across ({est.n_measured} cells; model {target_rbc_px:.0f} px; "
                     f"size methods disagree: {size.note})", "red-cells", round(min(0.3, max(0.05, est.confidence)), 3))
    return ScaleChoice(fallback, f"scale {fallback:.3g} (training scale) assumed: {est.method}; set the pixel size to be sure",
                       "assumed", 0.0)


def scale_factor(
    rgb: np.ndarray,
    target_rbc_px: float,
    pixel_size_um: Optional[float] = None,
    model_pixel_size_um: Optional[float] = None,
    override: Optional[float] = None,
    fallback: float = 1.0,
) -> tuple[float, str]:
    """Resize factor and a note (see :func:`choose_scale`, which also says the method and confidence)."""
    c = choose_scale(rgb, target_rbc_px, pixel_size_um, model_pixel_size_um, override, fallback)
    return c.factor, c.note
