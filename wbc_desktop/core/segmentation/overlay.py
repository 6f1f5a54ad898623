"""Overlay images for files and reports: nucleus and cytoplasm tinted, outlined, cells boxed."""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
from scipy import ndimage as ndi

NUCLEUS_RGB = (120, 40, 200)
CYTOPLASM_RGB = (40, 200, 220)


def outline(mask: np.ndarray) -> np.ndarray:
    """Inner boundary pixels of a boolean mask."""
    return mask & ~ndi.binary_erosion(mask, border_value=0)


def render_overlay(
    rgb: np.ndarray,
    class_map: np.ndarray,
    alpha: float = 0.35,
    boxes: Optional[Sequence[tuple[int, int, int, int, str]]] = None,
) -> np.ndarray:
    """RGB uint8 image with translucent classes, crisp outlines and optional labelled boxes."""
    out = rgb.astype(np.float32).copy()
    for cls, colour in ((1, CYTOPLASM_RGB), (2, NUCLEUS_RGB)):
        m = class_map == cls
        out[m] = out[m] * (1 - alpha) + np.array(colour, np.float32) * alpha
    out = out.astype(np.uint8)
    out[outline(class_map > 0)] = CYTOPLASM_RGB
    out[outline(class_map == 2)] = NUCLEUS_RGB
    if boxes:
        from PIL import Image, ImageDraw

        im = Image.fromarray(out)
        draw = ImageDraw.Draw(im)
        for x0, y0, x1, y1, label in boxes:
            draw.rectangle([x0, y0, x1 - 1, y1 - 1], outline=(255, 200, 0), width=2)
            if label:
                tw = 6 * len(label) + 4
                ty = max(0, y0 - 12)
                draw.rectangle([x0, ty, x0 + tw, ty + 11], fill=(255, 200, 0))
                draw.text((x0 + 2, ty), label, fill=(0, 0, 0))
        out = np.asarray(im)
    return out
