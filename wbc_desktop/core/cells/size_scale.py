"""Scale from the white cell itself, when no red cell can be measured (tight single-cell crops).

Analysers and other labs' cameras export crops in which the WBC fills the frame and no whole red
cell is visible, so the red-cell ruler (core.imaging.scale) fails. A WBC's size is known too,
per type, though less tightly: on the cellavision train-split masks, the whole cell's equivalent
diameter at model scale has a median of 70 (lymphocyte, 29 cells), 78.5 (neutrophil, 27),
90 (eosinophil, 10), 90 (basophil, 2) and 98 px (monocyte, 11), with a spread (sd/mean) of 7-18%
within a type and 18% over all types. So the estimate is coarse and its confidence is low, but a 2x error becomes a ~15% one.
The pipeline segments at the assumed scale, types the largest cell, and resizes so that cell
has its type's median diameter; then it segments again (twice at most).
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

# Median whole-cell equivalent diameter at model scale, cellavision train-split masks (see above).
TYPE_DIAMETER_MODEL_PX = {
    "lymphocyte": 70.1,
    "neutrophil": 78.5,
    "eosinophil": 89.6,
    "basophil": 89.7,
    "monocyte": 97.7,
}
ANY_WBC_DIAMETER_MODEL_PX = 78.3  # all types together (types not in the table, or unidentified)
CONFIDENCE = 0.3  # honest: within 15% for a minority of cells when the type is unknown
MIN_AREA_SHARE = 0.02  # a cell smaller than this share of the image is no basis for a scale


def main_cell(cells: Sequence, image_area: int):
    """The largest cell, when it is big enough to measure; None otherwise."""
    if not cells:
        return None
    c = max(cells, key=lambda c: c.area_px)
    return c if c.area_px >= MIN_AREA_SHARE * image_area else None


def expected_diameter(cell) -> float:
    """Median model-scale diameter for the cell's type (the classifier's best guess, even if unsure)."""
    t = cell.predicted_type or cell.cell_type
    return TYPE_DIAMETER_MODEL_PX.get(t, ANY_WBC_DIAMETER_MODEL_PX)


FRAME_FILL = 1.2  # a crop's shorter side is about this many cell diameters (framing fallback)
CROP_SHARE = 0.25  # the main cell covers at least this share of the image: a tight crop
PLAUSIBLE = (0.75, 1.33)  # diameter / its type's median, at model scale (cellavision: 10-90% within)


def implausible_size(cells: Sequence, factor: float, image_area: int) -> bool:
    """True for a tight crop whose main cell is far from its type's size at ``factor``."""
    c = main_cell(cells, image_area)
    if c is None or c.area_px < CROP_SHARE * image_area:
        return False
    ratio = 2.0 * np.sqrt(c.area_px / np.pi) * factor / expected_diameter(c)
    return not (PLAUSIBLE[0] <= ratio <= PLAUSIBLE[1])


def framing_scale(cells: Sequence, factor: float, shape: tuple[int, int]) -> Optional[tuple[float, str]]:
    """A factor from the crop's framing, when no cell was found and the image is too small at
    ``factor`` to hold a typical white cell: then it is a crop around one, filling most of it."""
    h, w = shape
    if main_cell(cells, h * w) is not None or min(h, w) * factor >= ANY_WBC_DIAMETER_MODEL_PX:
        return None
    new = FRAME_FILL * ANY_WBC_DIAMETER_MODEL_PX / min(h, w)
    return new, f"scale {new:.3g} from the crop's framing ({w}x{h} px: one white cell filling it)"


def scale_from_cell(cells: Sequence, factor: float, image_area: int) -> Optional[tuple[float, str]]:
    """A new model-per-input factor from the main cell's size, with a note; None when no cell to use."""
    c = main_cell(cells, image_area)
    if c is None:
        return None
    d_in = 2.0 * np.sqrt(c.area_px / np.pi)  # input pixels
    want = expected_diameter(c)
    new = float(want / max(d_in, 1.0))
    t = c.predicted_type or "white cell"
    return new, f"scale {new:.3g} from the white cell's size ({d_in:.0f} px across; a typical {t} is {want:.0f} model px)"


# PBC train central cells typed platelet (n 836, clumps included) span 26.8-59.5 model px
# (training/eval/measure_diameters.py, training/reports/classifier/classifier.md): nothing wider is a platelet.
NOT_PLATELET_ABOVE_MODEL_PX = 60.0
TRUSTED_SCALES = ("red-cells", "pixel-size", "tiff-resolution", "user")


def apply_size_prior(cells: Sequence, factor: float, scale_method: str, threshold: float) -> int:
    """Re-type cells called platelet that are wider than any training platelet; returns how many.

    Only when the scale is trusted (a wrong scale would make the size meaningless). The cell gets
    its next most likely type, renormalised without the platelet share, or unidentified below
    ``threshold``; its top-3 keeps the classifier's own figures for the reviewer.
    """
    from wbc_desktop.core.analysis import UNIDENTIFIED

    if scale_method not in TRUSTED_SCALES:
        return 0
    n = 0
    for c in cells:
        if c.predicted_type != "platelet" or c.reviewed_type is not None:
            continue
        if 2.0 * np.sqrt(c.area_px / np.pi) * factor < NOT_PLATELET_ABOVE_MODEL_PX:
            continue
        rest = [(t, p) for t, p in c.top3 if t != "platelet"]
        p_plt = dict(c.top3).get("platelet", c.confidence)
        if rest:
            t, p = rest[0]
            p = p / max(1e-6, 1.0 - p_plt)
            c.predicted_type, c.confidence = t, float(p)
            c.cell_type = t if p >= threshold else UNIDENTIFIED
        else:
            c.predicted_type, c.confidence, c.cell_type = None, 0.0, UNIDENTIFIED
        n += 1
    return n


FIELD_PLAUSIBLE = (0.6, 1.6)  # wider than PLAUSIBLE: in a field the main cell's type is less sure


def rbc_wbc_disagreement(cells: Sequence, factor: float, image_area: int) -> Optional[float]:
    """The main white cell's diameter over its type's median at ``factor`` when the two rulers
    disagree (outside FIELD_PLAUSIBLE), else None (issue 23: say so, and take the safer one)."""
    whole = [c for c in cells if not c.touches_border]  # a cell cut by the border is no ruler
    c = main_cell(whole, image_area)
    if c is None:
        return None
    ratio = float(2.0 * np.sqrt(c.area_px / np.pi) * factor / expected_diameter(c))
    return None if FIELD_PLAUSIBLE[0] <= ratio <= FIELD_PLAUSIBLE[1] else ratio
