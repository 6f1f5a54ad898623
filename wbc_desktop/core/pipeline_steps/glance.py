"""A glance: the image segmented at half the model's scale, a quarter of its pixels.

Why: the scale policy needs the white cell's size when the red cells cannot be trusted (tight
crops), and the self-calibration and the familiarity estimate need a rough class map. A full
segmentation per question cost two or three passes per image; the glance costs about a quarter of
one. Measured on the 79 cellavision train images (red-cell scale), the main cell's diameter in the
full pass over its diameter in the glance has median 0.988 (IQR 0.955-1.002): no correction is
applied (``GLANCE_BIAS`` = 1).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

import numpy as np

from wbc_desktop.core.analysis import Cell
from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.segmentation.augment import resize
from wbc_desktop.core.segmentation.postprocess import clean_class_map
from wbc_desktop.core.segmentation.segmenter import class_of, prepare

GLANCE = 0.5  # glance pixels per model pixel
MIN_SIDE = 64  # glance pixels: a smaller image is glanced at up to the model's own scale
GLANCE_BIAS = 1.0  # full-pass cell diameter / glance diameter (measured 0.988: see the module docstring)


@dataclass
class Glance:
    """What a glance saw, in its own pixels (``factor`` of them per input pixel)."""

    rgb: np.ndarray  # the reduced image after gain (and colour map, when one was applied)
    raw: np.ndarray  # the reduced image before any colour change (for statistics)
    class_map: np.ndarray
    instances: np.ndarray
    cells: list[Cell]
    factor: float  # glance px per input px
    model_scale: float  # model px per glance px (1 / GLANCE, less for tiny images)

    def cells_in_input_px(self) -> list[Cell]:
        """The cells with their areas in input pixels (what the scale rules measure)."""
        k = (GLANCE_BIAS / self.factor) ** 2
        return [replace(c, nucleus_area_px=int(round(c.nucleus_area_px * k)),
                        cytoplasm_area_px=int(round(c.cytoplasm_area_px * k))) for c in self.cells]


def take_glance(segmenter, rgb: np.ndarray, f: float, gain: Optional[np.ndarray], colour=None,
                timings: Optional[dict] = None) -> Glance:
    """Segment ``rgb`` at ``GLANCE`` x its model scale ``f`` (no resize back to the input); a tiny
    image at up to ``f`` itself, so that the glance's shorter side keeps ``MIN_SIDE`` pixels."""
    h, w = rgb.shape[:2]
    g = f * GLANCE
    if min(h, w) * g < MIN_SIDE:
        g = min(f, MIN_SIDE / min(h, w))
    size = (max(16, round(w * g)), max(16, round(h * g)))
    raw = resize(rgb, size)
    small = prepare(raw, gain, colour)
    notes: list[str] = []
    t = {} if timings is None else timings
    logits = segmenter._logits(small, t, notes)
    model_scale = f / g
    cm = clean_class_map(class_of(logits), model_scale)
    instances, cells = find_cells(cm, scale=model_scale)
    return Glance(small, raw, cm, instances, cells, size[0] / w, model_scale)
