"""Tidy a predicted class map with what is known of WBCs: a cell has a nucleus and no holes.

Pale gaps between red cells sometimes look like cytoplasm to the network; such islands carry no
nucleus and are dropped. Thresholds are in model pixels (``scale`` converts), so they mean the
same at every magnification, and match core.cells' rules.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

MIN_NUCLEUS = 25.0  # model px^2: a nucleus fragment smaller than this does not anchor a cell
KEEP_BLOB = 2500.0  # model px^2: nucleus-free foreground this big is kept (a hidden nucleus)
MAX_HOLE = 400.0  # model px^2: background enclosed by a cell and smaller than this is filled


def clean_class_map(cls: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Drop foreground islands without a nucleus and fill small holes inside cells."""
    px = 1.0 / max(scale, 1e-6) ** 2  # input pixels per model pixel^2
    fg = cls > 0
    lab, n = ndi.label(fg)
    if n == 0:
        return cls
    nuc = cls == 2
    nuc_px = ndi.sum(nuc, lab, index=np.arange(1, n + 1))
    size = ndi.sum(fg, lab, index=np.arange(1, n + 1))
    keep = (nuc_px >= MIN_NUCLEUS * px) | (size >= KEEP_BLOB * px)
    out = cls.copy()
    out[~np.concatenate([[False], keep])[lab]] = 0
    holes = ndi.binary_fill_holes(out > 0) & (out == 0)
    hl, hn = ndi.label(holes)
    if hn:
        hsize = ndi.sum(holes, hl, index=np.arange(1, hn + 1))
        idx = np.arange(1, hn + 1)
        # each hole takes the class most of its rim has (nucleus inside a nucleus, else cytoplasm);
        # the rims lie within one pixel of the holes: work in the holes' bounding box only
        ys, xs = np.flatnonzero(holes.any(1)), np.flatnonzero(holes.any(0))
        box = (slice(max(0, ys[0] - 1), ys[-1] + 2), slice(max(0, xs[0] - 1), xs[-1] + 2))
        grown = ndi.grey_dilation(hl[box], size=(3, 3))
        rim = np.where(holes[box], 0, grown)
        nuc_rim = ndi.mean(out[box] == 2, rim, index=idx)
        fill = np.concatenate([[0], np.where(np.nan_to_num(nuc_rim) > 0.5, 2, 1)]).astype(np.uint8)
        small = np.concatenate([[False], hsize <= MAX_HOLE * px])[hl]
        out[small] = fill[hl[small]]
    return out
