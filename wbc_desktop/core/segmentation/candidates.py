"""White-cell candidates in large smear fields, so the segmenter runs on crops, not every pixel.

WBC nuclei are the most hematoxylin-rich objects in a smear; red cells take eosin, platelets are
hematoxylin-rich but tiny. So: measure the hematoxylin density (Ruifrok-Johnston colour
deconvolution) on a reduced copy where a red cell is ~20 px, threshold it adaptively (Otsu above
the image's typical level, with a minimum contrast so a field without WBC gives nothing), group
nearby fragments (the lobes of one neutrophil) within ~0.5 red-cell diameter, drop groups too
small or too compact to be a nucleus (platelets, even giant ones), and pad each group's box by ~0.8 red-cell diameter (more for big nuclei)
for the cytoplasm. All sizes are relative to the red-cell diameter, so the result does not depend on
magnification; memory stays bounded because only the reduced copy is processed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np
from scipy import ndimage as ndi

from wbc_desktop.core.imaging.scale import as_rgb_u8, downsample, estimate_rbc_diameter
from wbc_desktop.core.imaging.stain import rgb_to_hed

WORK_RBC_PX = 20.0  # red-cell diameter on the reduced copy
MIN_CONTRAST = 0.01  # H density over the image median: weaker is no nucleus (swept)
GROUP_GAP = 0.5  # fragments closer than this many red-cell diameters are one cell
PAD = 0.8  # box margin for the cytoplasm, in red-cell diameters
PAD_NUCLEUS = 0.5  # ... or this share of the nucleus group's long side, if more
MIN_SIDE = 1.6  # a crop is at least this many red-cell diameters wide
MIN_NUCLEUS_AREA = 0.15  # of a red cell's area: smaller purple groups are platelets
MIN_EXTENT = 0.7  # red-cell diameters (inscribed estimate): nucleus groups span more; most platelets less
_FALLBACK_FRACTION = 1 / 6  # red-cell diameter assumed as this share of the long side if unknown


@dataclass
class Candidate:
    """A place where a white cell probably is.

    Attributes
    ----------
    box : tuple of int
        (x0, y0, x1, y1), end-exclusive, in the given image's pixels, clipped to the image.
    score : float
        Higher is more WBC-like: nucleus area (in red-cell areas, capped at 1) times stain
        contrast over the threshold contrast.
    nucleus_area_px : float
        Area of the hematoxylin-rich pixels of the group, in the given image's pixels.
    """

    box: tuple[int, int, int, int]
    score: float
    nucleus_area_px: float
    extent_px: float = field(default=0.0, repr=False)  # long side of the nucleus group's box


def _otsu_float(v: np.ndarray, bins: int = 128) -> float:
    hist, edges = np.histogram(v, bins=bins)
    hist = hist.astype(np.float64)
    mids = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(hist)
    w1 = w0[-1] - w0
    m0 = np.cumsum(hist * mids)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (m0[-1] * w0 / w0[-1] - m0) ** 2 / (w0 * w1)
    between[~np.isfinite(between)] = -1
    return float(edges[int(np.argmax(between)) + 1])


def find_candidates(rgb: np.ndarray, rbc_diameter_px: Optional[float] = None) -> list[Candidate]:
    """Boxes around every probable white cell, best first.

    Parameters
    ----------
    rgb : ndarray
        HxWx3 uint8 image of any size (grayscale HxW is accepted but has no stain information:
        then only darkness is used, which is weaker).
    rbc_diameter_px : float, optional
        Red-cell diameter in this image's pixels; estimated with
        :func:`~wbc_desktop.core.imaging.scale.estimate_rbc_diameter` when None, and assumed to be 1/6 of
        the long side when that fails.
    """
    a = as_rgb_u8(rgb)
    d = rbc_diameter_px
    if d is None or not np.isfinite(d) or d <= 0:
        est = estimate_rbc_diameter(a)
        if est.ok and est.diameter_px:
            d = est.diameter_px
        else:
            # No red cells to measure (often a single-cell crop): a WBC nucleus spans about one
            # red-cell diameter, so take the largest nucleus-like group's extent as the ruler.
            d = max(a.shape[:2]) * _FALLBACK_FRACTION
            first = _find(a, d)
            if not first:
                return first
            big = max(first, key=lambda c: c.nucleus_area_px)
            if big.extent_px <= d:
                return first
            d = big.extent_px
    return _find(a, d)


def _find(a: np.ndarray, d: float) -> list[Candidate]:
    """find_candidates for a known red-cell diameter ``d`` (pixels of ``a``)."""
    h, w = a.shape[:2]
    f = max(1, int(d / WORK_RBC_PX))
    small = downsample(a, f)
    dw = d / f  # red-cell diameter on the reduced copy
    hem = rgb_to_hed(small)[..., 0]
    if np.array_equal(small[..., 0], small[..., 1]) and np.array_equal(small[..., 1], small[..., 2]):  # gray
        hem = 1.0 - small[..., 1].astype(np.float32) / 255.0
        hem *= 0.3  # rough density units so that MIN_CONTRAST means something similar
    hem = ndi.gaussian_filter(hem, max(0.5, dw / 20.0))
    base = float(np.median(hem))
    above = hem[hem > base + 0.5 * MIN_CONTRAST]
    thr = base + MIN_CONTRAST
    if above.size > 50:
        thr = max(thr, _otsu_float(above))
    mask = hem > thr
    mask = ndi.binary_opening(mask, iterations=1) if dw >= 12 else mask
    if not mask.any():
        return []
    # Group fragments closer than GROUP_GAP red-cell diameters (half the gap from each side).
    near = ndi.distance_transform_edt(~mask) <= GROUP_GAP * dw / 2
    groups, n = ndi.label(near)
    gl = groups[mask]
    idx = np.arange(1, n + 1)
    area = np.bincount(gl, minlength=n + 1)[1:].astype(np.float64)
    contrast = np.bincount(gl, weights=hem[mask] - base, minlength=n + 1)[1:] / np.maximum(area, 1)
    rbc_area = np.pi * dw * dw / 4
    slices = ndi.find_objects(np.where(mask, groups, 0), max_label=n)
    out: list[Candidate] = []
    pad = PAD * dw
    half_min = MIN_SIDE * dw / 2
    for i, sl in zip(idx, slices):
        if sl is None or area[i - 1] < MIN_NUCLEUS_AREA * rbc_area:
            continue
        y0, y1, x0, x1 = sl[0].start, sl[0].stop, sl[1].start, sl[1].stop
        if max(y1 - y0, x1 - x0) < MIN_EXTENT * dw:
            continue
        cy, cx = (y0 + y1) / 2, (x0 + x1) / 2
        # Big nuclei (monocytes, blasts, reactive lymphocytes) come with big cytoplasm.
        p = max(pad, PAD_NUCLEUS * max(y1 - y0, x1 - x0))
        hy = max((y1 - y0) / 2 + p, half_min)
        hx = max((x1 - x0) / 2 + p, half_min)
        box = (
            max(0, int(np.floor((cx - hx) * f))),
            max(0, int(np.floor((cy - hy) * f))),
            min(w, int(np.ceil((cx + hx) * f))),
            min(h, int(np.ceil((cy + hy) * f))),
        )
        score = min(1.0, area[i - 1] / rbc_area) * float(contrast[i - 1]) / MIN_CONTRAST
        c = Candidate(box, float(score), float(area[i - 1] * f * f))
        c.extent_px = float(max(y1 - y0, x1 - x0) * f)
        out.append(c)
    out = _merge_candidates(out)
    out.sort(key=lambda c: -c.score)
    return out


def _overlap(a: Sequence[int], b: Sequence[int]) -> float:
    """Intersection over the smaller box's area."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return ix * iy / small if small > 0 else 0.0


def merge_overlapping(
    boxes: Sequence[Sequence[int]], min_overlap: float = 0.5
) -> list[tuple[int, int, int, int]]:
    """Union boxes that overlap by more than ``min_overlap`` of the smaller one, until none do.

    Heavily overlapping crops would segment the same cell twice; their union is segmented once.
    Order follows the first box of each merged set.
    """
    out = [tuple(int(v) for v in b) for b in boxes]
    changed = True
    while changed:
        changed = False
        i = 0
        while i < len(out):
            j = i + 1
            while j < len(out):
                if _overlap(out[i], out[j]) > min_overlap:
                    a, b = out[i], out.pop(j)
                    out[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    changed = True
                else:
                    j += 1
            i += 1
    return out  # type: ignore[return-value]


def _merge_candidates(cands: list[Candidate]) -> list[Candidate]:
    """merge_overlapping for candidates: areas add up, the best score is kept."""
    if len(cands) < 2:
        return cands
    merged = merge_overlapping([c.box for c in cands])
    out = []
    for mb in merged:
        members = [c for c in cands if c.box[0] >= mb[0] and c.box[1] >= mb[1] and c.box[2] <= mb[2] and c.box[3] <= mb[3]]
        out.append(Candidate(mb, max(c.score for c in members), sum(c.nucleus_area_px for c in members),
                             max(c.extent_px for c in members)))
    return out
