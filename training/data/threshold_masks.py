"""Colour-threshold nucleus/cytoplasm masks for PBC crops: the fallback when no segmenter exists.

Documented stand-in, not the product's segmentation: after white balance, nuclei are dark and
blue-purple (low green, blue well above red) and WBC cytoplasm is lilac/blue (blue above red)
while red cells are pink (red above blue) and the plasma is near white. Good enough to find the
cell's extent and centre on CellaVision-style crops; poor on other stains.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi
from skimage.morphology import disk

from wbc_desktop.core.cells.crops import white_balance

PBC_SCALE = 0.7  # a PBC WBC is ~100 px across in a 360-px-wide crop; ~70 px at model scale
PBC_WIDTH = 360


def threshold_class_map(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """rgb -> (class map 0/1/2, scale) like ``Segmenter.segment`` gives.

    Scale assumes PBC framing (a 360-px-wide crop, possibly downsampled); morphology radii
    are in pixels and suit 180-360 px wide crops.
    """
    scale = PBC_SCALE * PBC_WIDTH / rgb.shape[1]
    a = white_balance(rgb).astype(np.int16)
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    nuc = (g < 125) & (b - r > 25)
    nuc = ndi.binary_opening(nuc, disk(1))
    cyto = (b - r > 6) & (g < 232)
    cell = ndi.binary_closing(nuc | cyto, disk(3))
    cell = ndi.binary_fill_holes(cell)
    cell = ndi.binary_opening(cell, disk(2))
    lab, n = ndi.label(cell)
    cm = np.zeros(rgb.shape[:2], np.uint8)
    if n == 0:
        return cm, scale
    has_nuc = np.bincount(lab[nuc], minlength=n + 1) > 0
    has_nuc[0] = False
    cell = has_nuc[lab]
    nuc = ndi.binary_fill_holes(nuc & cell) & cell
    cm[cell] = 1
    cm[nuc] = 2
    return cm, scale
