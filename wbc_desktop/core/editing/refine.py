"""Boundary refinement: the 1-3 px band along an edited edge follows the image's colours.

Superpixels straddle the true nucleus and cell edges, so a click that sets whole superpixels leaves
(or makes) a thin wrong band along them. Here the pixels within ``band`` px of the new edge are
labelled again by a small CRF-like pass: each class's colour is a Gaussian fitted to that class's
pixels just outside the band (the image's own stain, locally), and a few rounds of iterated
conditional modes pick, per band pixel, the class with the best colour likelihood plus a Potts
smoothness term over its 8 neighbours. Only classes present within ``band`` px can be chosen, the
clicked pixel and pixels a person painted (``locked``) keep their class, and a change not joined to
the clicked region is dropped, so the refinement never undoes what the person did.
"""

from __future__ import annotations

import warnings
from typing import Optional

import numpy as np
from scipy import ndimage as ndi

from wbc_desktop.core.editing.edits import MaskPatch, values_patch

BAND = 2  # px on each side of the new edge
MARGIN = 10  # px of context around the band for the colour models
MIN_SAMPLES = 20  # pixels a class needs for a colour model
BETA = 1.2  # weight of one disagreeing neighbour against the colour's log-likelihood
ITERATIONS = 3
METHOD = "walker"  # or "icm"
ZONE = "taken"  # or "edge"
ALL_EDGES = False  # refine every class edge within reach (False: only the clicked class's edge with the new one)
WALKER_MODE = "bf"  # a direct solve: the zone is a band, small; "cg_j" above BF_MAX_PX
BF_MAX_PX = 150_000
WALKER_BETA = 2000.0  # edge sharpness (skimage scales it by the window's colour spread); val: 500 < 2000 ~ 5000
_EIGHT = np.ones((3, 3), bool)


def _gaussian_cost(px: np.ndarray, sample: np.ndarray) -> np.ndarray:
    """Negative log-likelihood (up to a constant) of ``px`` under a Gaussian fitted to ``sample``."""
    mu = sample.mean(0)
    cov = np.cov(sample, rowvar=False) + np.eye(3) * 4.0  # a floor: flat stains, JPEG banding
    inv = np.linalg.inv(cov)
    d = px - mu
    return 0.5 * np.einsum("ij,jk,ik->i", d, inv, d) + 0.5 * np.log(np.linalg.det(cov))


def refine_band(class_map: np.ndarray, rgb: np.ndarray, mask: np.ndarray, offset: tuple[int, int], value: int,
                click_yx: tuple[int, int], reach: float = 0.0, locked: Optional[np.ndarray] = None, text: str = "",
                band: Optional[int] = None, grow: int = 0) -> Optional[MaskPatch]:
    """The patch setting ``mask`` (at ``offset``) to ``value``, then refined; ``None`` if nothing changes.

    The zone labelled again: the pixels the click took and ``band`` px around them, and the ``band``
    px along every class edge within ``reach`` of the click (a click on a thin wrong band along an
    edge moves that edge onto the image's). Everything outside the zone is a seed of its class."""
    band = BAND if band is None else band
    H, W = class_map.shape
    oy, ox = offset
    cy, cx = click_yx
    r = int(np.ceil(max(0.0, reach)))
    pad = band + MARGIN
    y0, x0 = max(0, min(oy, cy - r) - pad), max(0, min(ox, cx - r) - pad)
    y1, x1 = min(H, max(oy + mask.shape[0], cy + r + 1) + pad), min(W, max(ox + mask.shape[1], cx + r + 1) + pad)
    old = class_map[y0:y1, x0:x1]
    m = np.zeros(old.shape, bool)
    m[oy - y0:oy - y0 + mask.shape[0], ox - x0:ox - x0 + mask.shape[1]] = mask
    new = old.copy()
    new[m] = value
    changed = new != old
    yy, xx = np.ogrid[y0:y1, x0:x1]
    disk = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
    if ZONE == "taken":  # the taken pixels and a superpixel's width around them (where superpixels straddle edges)
        zone = ndi.binary_dilation(changed, _EIGHT, iterations=max(band, grow)) if changed.any() else changed.copy()
    else:  # the band on both sides of the new edge (the taken pixels inside it are seeds of their new class)
        edge = ndi.binary_dilation(changed, _EIGHT) & ~ndi.binary_erosion(changed, _EIGHT, border_value=1)
        width = max(band, grow) if ZONE == "edge-sp" else band  # "edge-sp": a superpixel's width along it
        zone = ndi.binary_dilation(edge, _EIGHT, iterations=width) if changed.any() else changed.copy()
    if r > 0:
        pair = np.ones_like(zone) if ALL_EDGES else (new == value) | (new == class_map[cy, cx])
        edges = np.zeros_like(zone)
        edges[:, 1:] |= (new[:, 1:] != new[:, :-1]) & pair[:, 1:] & pair[:, :-1]
        edges[1:, :] |= (new[1:, :] != new[:-1, :]) & pair[1:, :] & pair[:-1, :]
        edges = ndi.binary_dilation(edges, _EIGHT) & pair
        zone |= ndi.binary_dilation(edges, _EIGHT, iterations=band) & disk
    fixed = np.zeros_like(zone)
    ky, kx = cy - y0, cx - x0
    if 0 <= ky < fixed.shape[0] and 0 <= kx < fixed.shape[1]:
        fixed[ky, kx] = True
        new[fixed] = value
    zone &= ~fixed
    if METHOD == "walker":
        out = _walker(new, rgb[y0:y1, x0:x1, :3], zone)
    else:
        out = _icm(new, rgb[y0:y1, x0:x1, :3], zone, band, ITERATIONS)
    if locked is not None:  # painted by a person: kept, but no seed either (it may go against the colours)
        keep = locked[y0:y1, x0:x1] & ~fixed
        out[keep] = old[keep]
    return values_patch(class_map, out != old, out, text, (y0, x0))


def _walker(new: np.ndarray, rgb: np.ndarray, zone: np.ndarray) -> np.ndarray:
    """Random walker (Grady 2006): each zone pixel takes the class whose seeds (the pixels outside
    the zone) a random walk from it reaches first, walks crossing colour edges being unlikely."""
    from skimage.segmentation import random_walker

    out = new.copy()
    if not zone.any():
        return out
    (sy, sx), = ndi.find_objects(ndi.binary_dilation(zone, _EIGHT).astype(np.uint8))  # the solve needs no more
    sy, sx = slice(max(0, sy.start - 1), sy.stop + 1), slice(max(0, sx.start - 1), sx.stop + 1)
    n, z = new[sy, sx], zone[sy, sx]
    classes = np.unique(n[~z])
    if len(classes) < 2:
        return out
    seeds = np.zeros(n.shape, np.int32)
    for i, k in enumerate(classes):
        seeds[(n == k) & ~z] = i + 1
    mode = WALKER_MODE if z.sum() <= BF_MAX_PX else "cg_j"
    with warnings.catch_warnings():  # "probability outside [0, 1] by the tolerance": harmless for an argmax
        warnings.simplefilter("ignore", UserWarning)
        got = random_walker(rgb[sy, sx].astype(np.float32) / 255.0, seeds, beta=WALKER_BETA, mode=mode, tol=1e-3,
                            channel_axis=-1)
    inside = z & (got > 0)
    out[sy, sx][inside] = classes[got[inside] - 1]
    return out


def _icm(new: np.ndarray, rgb: np.ndarray, zone: np.ndarray, band: int, iterations: int) -> np.ndarray:
    """Per-class Gaussian colour likelihood plus a Potts term, by iterated conditional modes."""
    px = rgb.astype(np.float32)
    zy, zx = np.nonzero(zone)
    classes, costs = [], []
    for k in np.unique(new):
        sample = px[(new == k) & ~zone]
        if len(sample) < MIN_SAMPLES:
            continue
        reachable = ndi.binary_dilation(new == k, _EIGHT, iterations=band)[zy, zx]
        c = _gaussian_cost(px[zy, zx], sample)
        c[~reachable] = np.inf
        classes.append(int(k))
        costs.append(c)
    out = new.copy()
    if len(classes) >= 2 and len(zy):
        cost = np.stack(costs, 1)
        for _ in range(iterations):
            agree = np.stack([ndi.convolve((out == k).astype(np.float32), _EIGHT.astype(np.float32),
                                           mode="nearest")[zy, zx] for k in classes], 1)
            total = cost + BETA * (9.0 - agree)
            pick = np.asarray(classes, np.uint8)[total.argmin(1)]
            if np.array_equal(pick, out[zy, zx]):
                break
            out[zy, zx] = pick
    return out
