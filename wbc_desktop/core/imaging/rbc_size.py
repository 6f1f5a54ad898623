"""Red-cell size by consensus: a ruler that says how sure it is, and means it.

Why: the single distance-transform estimate (core.imaging.scale) trusted itself on fields it
misread (a low-cost camera's soft, vignetted, pink-violet fields gave a scale of 0.10 "with
confidence 1.00"). Here the red-cell mask is made on a flattened image (vignetting divided out,
the threshold half-way between plasma and red cell so a soft edge sits where a sharp one would),
and three independent size spectra of that mask are read:

* ``dt``: area-weighted distance-transform maxima (inscribed discs; robust to touching cells);
* ``granulometry``: the peak of the opening spectrum (discs of growing radius; robust to pallor
  holes and noise specks);
* ``autocorr``: the first dip of the mask's autocovariance, about one cell-to-cell spacing (needs
  no single cell to be separated at all: works on crowded fields).

Each is turned into a box-like diameter (the size a person draws a box around) by a factor set
on two sets of red-cell boxes (see TO_BOX); the answer is their median, and
the confidence comes from how well they agree and how many cells were seen. It is never high
when the methods disagree, which is what happens on fields they misread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from scipy import ndimage as ndi

from wbc_desktop.core.imaging.pixels import _otsu, _purple, _suppress, _weighted_quantiles, as_rgb_u8, downsample

# the consensus diameter over the plain distance-transform one (core.imaging.scale), median on 41
# images (BCCD every 6th field, PBC crops): converts the segmenter's stored anchor to this ruler
INSCRIBED_TO_CONSENSUS = 1.155
_WORK_PIXELS = 250_000
_MIN_WORK_DIAM = 14.0
# method reading -> box diameter: geometric mean of the median box/reading on BCCD (odd fields) and
# fields-rbc-wbc (even images), whose boxes are drawn 13% tighter (python -m training.eval.eval_rbc_size --calibrate)
TO_BOX = {"dt": 1.171, "granulometry": 1.136, "autocorr": 1.098}


@dataclass
class SizeEstimate:
    """The consensus red-cell diameter of one image (box-like pixels) and its support.

    ``readings`` maps each method to its box-like diameter (None when it could not read);
    ``confidence`` is 0..1 and reaches 0.9 only when at least two methods agree within ~6%
    over enough red cells; ``note`` says in words how the estimate was reached.
    """

    diameter_px: Optional[float]
    confidence: float
    n_cells: int
    readings: dict[str, Optional[float]] = field(default_factory=dict)
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.diameter_px is not None and self.confidence >= 0.25


def flatten(g: np.ndarray) -> np.ndarray:
    """Divide out slow illumination changes (vignetting): brightness over its local plasma level.

    The plasma level is the 90th percentile of blocks of ~1/8 of the image, smoothed; red cells
    and white cells are darker than plasma so they barely move it.
    """
    h, w = g.shape
    nb = 8
    bh, bw = max(1, h // nb), max(1, w // nb)
    gy, gx = h // bh, w // bw
    blocks = g[: gy * bh, : gx * bw].reshape(gy, bh, gx, bw).transpose(0, 2, 1, 3).reshape(gy, gx, -1)
    level = np.percentile(blocks, 90, axis=2)
    level = ndi.median_filter(level, size=3, mode="nearest")
    zoom = (h / gy, w / gx)
    bg = ndi.zoom(level, zoom, order=1, mode="nearest", grid_mode=True)[:h, :w]
    if bg.shape != g.shape:
        bg = np.pad(bg, ((0, h - bg.shape[0]), (0, w - bg.shape[1])), mode="edge")
    return g / np.maximum(bg, 1.0)


def outside_field(g: np.ndarray) -> np.ndarray:
    """The dark surround of a round field of view (a phone or eyepiece camera): very dark pixels
    connected to the image border. Neither cells nor plasma."""
    dark = g < 0.3 * float(np.percentile(g, 95))
    if not dark.any():
        return dark
    lab, n = ndi.label(dark)
    edge = np.unique(np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]]))
    out = np.isin(lab, edge[edge > 0])
    return ndi.binary_dilation(out, iterations=3) if out.any() else out


def red_cell_mask(rgb: np.ndarray) -> tuple[Optional[np.ndarray], np.ndarray, str]:
    """Red cells (pallor filled) on a flattened image; (mask or None, purple mask, note)."""
    g = ndi.uniform_filter(rgb[..., 1].astype(np.float32), 3)
    lo, hi = np.percentile(g, [1, 99])
    if hi - lo < 20:
        return None, np.zeros(g.shape, bool), "no contrast (blank or uniform image)"
    outside = outside_field(g)
    if outside.any():  # read as plasma, then dropped from every mask below
        g = np.where(outside, float(np.percentile(g[~outside], 90)) if (~outside).any() else float(hi), g)
    f = flatten(g)
    purple = _purple(rgb) & ~outside
    near = (ndi.binary_dilation(purple, iterations=2) if purple.any() else purple) | outside
    sample = f[~near]
    if sample.size < 0.2 * f.size:
        return None, purple, "image is mostly nucleus-stained"
    s8 = np.clip(sample * 200.0, 0, 255)
    thr = _otsu(s8) / 200.0
    dark, light = sample[sample < thr], sample[sample >= thr]
    if dark.size == 0 or light.size == 0 or float(np.median(light) - np.median(dark)) < 0.06:
        return None, purple, "no red cells distinct from the background"
    # half-way between plasma and the red cells' body: a blurred edge crosses it where the edge is
    half = 0.5 * (float(np.median(light)) + float(np.percentile(dark, 30)))
    fg = (f < half) & ~purple & ~outside
    frac = float(fg.mean())
    if frac < 0.02 or frac > 0.95:
        return None, purple, f"cells cover {frac:.0%} of the image"
    fg = ndi.binary_opening(fg, iterations=1)
    fg = ndi.binary_fill_holes(ndi.binary_closing(fg, iterations=1)) | ndi.binary_fill_holes(fg)
    return fg, purple, "ok"


def read_dt(fg: np.ndarray, purple: np.ndarray) -> tuple[Optional[float], int]:
    """Area-weighted median inscribed diameter of distance-transform maxima (and their number)."""
    h, w = fg.shape
    dt = ndi.distance_transform_edt(fg).astype(np.float32)
    peaks = (dt == ndi.maximum_filter(dt, size=5)) & (dt >= 2.0)
    ys, xs = np.nonzero(peaks)
    r = dt[ys, xs]
    inside = (ys >= 2) & (xs >= 2) & (ys < h - 2) & (xs < w - 2)
    ys, xs, r = ys[inside], xs[inside], r[inside]
    if purple.any() and len(r):
        pd = ndi.distance_transform_edt(~purple)
        keep = pd[ys, xs] > r * 1.05
        ys, xs, r = ys[keep], xs[keep], r[keep]
    r, _ = _suppress(ys, xs, r)
    if len(r) < 3:
        return None, int(len(r))
    rad = _weighted_quantiles(r, r * r, (0.5,))[0]
    if rad < 3.0:
        return None, int(len(r))
    typical = (r >= 0.7 * rad) & (r <= 1.4 * rad)
    return 2.0 * rad, int(typical.sum())


def read_granulometry(fg: np.ndarray) -> Optional[float]:
    """Diameter at the peak of the opening spectrum (area lost per radius step), sub-step refined.

    The opening by a disc of radius r is computed from distance transforms (dilate {dt >= r} by r),
    so it costs two transforms per radius whatever r is.
    """
    dt = ndi.distance_transform_edt(fg)
    rmax = float(dt.max())
    if rmax < 3:
        return None
    radii = np.geomspace(max(1.5, 0.2 * rmax), rmax + 1, 26)
    kept = []
    for r in radii:
        core = dt >= r
        kept.append(float((ndi.distance_transform_edt(~core) < r).sum()) if core.any() else 0.0)
    areas = np.asarray(kept)
    lr = np.log(radii)
    loss = -np.diff(areas) / np.diff(lr)  # area lost per log-radius: a scale-free spectrum
    loss[0] = 0.0  # specks and noise
    if loss.max() <= 0:
        return None
    sm = ndi.uniform_filter1d(loss, 3)
    k = int(np.argmax(sm))
    mid = 0.5 * (lr[:-1] + lr[1:])
    x = mid[k]
    if 0 < k < len(sm) - 1:  # parabola through the peak and its neighbours, in log-radius
        a, b, c = sm[k - 1], sm[k], sm[k + 1]
        den = a - 2 * b + c
        if den < 0:
            x = mid[k] + 0.5 * (a - c) / den * (mid[k + 1] - mid[k])
    return 2.0 * float(np.exp(x))


def read_autocorr(fg: np.ndarray) -> Optional[float]:
    """Lag of the first minimum of the mask's radial autocovariance (overlap-normalised).

    Neighbouring red cells sit about one diameter apart, so the covariance dips there; no cell
    has to be separated from its neighbours for this reading.
    """
    m = fg.astype(np.float32)
    m -= m.mean()
    h, w = m.shape
    s = (2 * h, 2 * w)
    ac = np.fft.fftshift(np.fft.irfft2(np.abs(np.fft.rfft2(m, s=s)) ** 2, s=s))
    ones = np.zeros(s, np.float32)
    ones[:h, :w] = 1
    cnt = np.fft.fftshift(np.fft.irfft2(np.abs(np.fft.rfft2(ones)) ** 2, s=s))
    win = min(h, w) // 2
    sl = (slice(h - win, h + win), slice(w - win, w + win))
    sub = ac[sl] / np.maximum(cnt[sl], 1.0)
    yy, xx = np.indices(sub.shape)
    rr = np.hypot(yy - win, xx - win).astype(np.int32).ravel()
    prof = (np.bincount(rr, sub.ravel()) / np.maximum(np.bincount(rr), 1))[:win]
    if len(prof) < 8 or prof[0] <= 0:
        return None
    prof = ndi.uniform_filter1d(prof / prof[0], 3)
    mins = [k for k in range(3, len(prof) - 1) if prof[k] < prof[k - 1] and prof[k] <= prof[k + 1] and prof[k] < 0.3]
    return float(mins[0]) if mins else None


def _read_all(rgb: np.ndarray) -> tuple[dict[str, Optional[float]], int, str]:
    fg, purple, note = red_cell_mask(rgb)
    if fg is None:
        return {k: None for k in TO_BOX}, 0, note
    d, n = read_dt(fg, purple)
    out = {"dt": d, "granulometry": read_granulometry(fg), "autocorr": read_autocorr(fg)}
    return {k: (v * TO_BOX[k] if v else None) for k, v in out.items()}, n, note


def red_cells_present(fg: np.ndarray, purple: np.ndarray) -> bool:
    """A quick check that a red-cell mask holds red cells (not one white cell's pink cytoplasm):
    8+ distance maxima of a typical size, or 4+ whose diameter the autocovariance dip confirms
    within 25%. For a caller that needs no size (core.imaging.standardise): cheaper than the ruler."""
    d, n = read_dt(fg, purple)
    if d is None or n < 4:
        return False
    if n >= 8:
        return True
    ac = read_autocorr(fg)
    return ac is not None and abs(d * TO_BOX["dt"] / (ac * TO_BOX["autocorr"]) - 1.0) <= 0.25


def agreement_confidence(values: list[float], n_cells: int) -> float:
    """0..1 from how well the methods agree and how many red cells were seen.

    All three within 8% of each other: up to 1; only the closest two within 8% (one method
    misread): up to 0.7, less as the pair drifts apart; one method alone: 0.3. Times
    ``min(1, n_cells / 8)``. So ``>= 0.9`` needs three agreeing methods over 8+ cells.
    """
    if not values:
        return 0.0
    v = sorted(values)
    count = float(np.clip(n_cells / 8.0, 0.0, 1.0))
    if len(v) == 1:
        return round(0.3 * count, 3)
    pairs = [abs(v[i + 1] / v[i] - 1.0) for i in range(len(v) - 1)]
    best = min(pairs)
    if len(v) == 3 and v[2] / v[0] - 1.0 <= 0.08:
        agree = 1.0
    else:
        agree = 0.7 * float(np.clip(1.0 - max(best - 0.08, 0.0) / 0.2, 0.0, 1.0))
    return round(agree * count, 3)


def consensus(values: list[float]) -> float:
    """The median of three readings, or the mean of the closest pair when the third strays."""
    v = sorted(values)
    if len(v) < 3:
        return float(np.mean(v))
    lo, hi = v[1] / v[0] - 1.0, v[2] / v[1] - 1.0
    if max(lo, hi) > 0.08:
        return float(np.mean(v[:2]) if lo <= hi else np.mean(v[1:]))
    return float(v[1])


def estimate_rbc_size(rgb: np.ndarray) -> SizeEstimate:
    """Consensus red-cell box diameter (pixels of ``rgb``) with an honest confidence.

    Large images are read on a box-averaged copy about 250k pixels big, and again finer on a
    central crop when red cells come out small there.
    """
    a = as_rgb_u8(rgb)
    h, w = a.shape[:2]
    f = max(1, int(np.ceil(np.sqrt(h * w / _WORK_PIXELS))))
    readings, n, note = _read_all(downsample(a, f))
    vals = [v for v in readings.values() if v]
    if vals and f > 1 and np.median(vals) < _MIN_WORK_DIAM * 1.2:
        d = float(np.median(vals))
        f2 = max(1, int(f * d / (1.8 * _MIN_WORK_DIAM)))
        if f2 < f:
            side = int(np.sqrt(_WORK_PIXELS)) * f2
            y0, x0 = max(0, (h - side) // 2), max(0, (w - side) // 2)
            r2, n2, note2 = _read_all(downsample(a[y0 : y0 + side, x0 : x0 + side], f2))
            if any(r2.values()):
                readings, n, note, f = r2, n2, note2 + " (central crop)", f2
    readings = {k: (v * f if v else None) for k, v in readings.items()}
    vals = [v for v in readings.values() if v]
    if not vals:
        return SizeEstimate(None, 0.0, n, readings, f"red-cell size not measurable: {note}")
    d = consensus(vals)
    conf = agreement_confidence(vals, n)
    txt = ", ".join(f"{k} {v:.1f}" for k, v in readings.items() if v)
    step = f" at 1/{f} resolution" if f > 1 else ""
    return SizeEstimate(d, conf, n, readings, f"red cells {d:.1f} px across ({txt}; {n} cells{step})")
