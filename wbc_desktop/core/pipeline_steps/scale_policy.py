"""The scale policy: model pixels per input pixel, and how it was found, before any segmentation.

Order of trust: a factor the user set > the pixel size (file or setting) > the red cells > the
white cell's size > the crop's framing > the training scale. The red cells and the pixel size come
from image statistics (``core.imaging.scale``). The white cell's size and the framing come from the
glance (:mod:`.glance`): a tight crop that the white cell fills gives red cells cut by its border,
which measure too small, so a white cell sized by that ruler comes out implausibly large
(``core.cells.size_scale``); then the white cell itself is the ruler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional

from wbc_desktop.core.cells.size_scale import CONFIDENCE, framing_scale, implausible_size, main_cell, scale_from_cell
from wbc_desktop.core.imaging.scale import ScaleChoice

if TYPE_CHECKING:
    from wbc_desktop.core.pipeline_steps.glance import Glance

SAME = 0.08  # a white-cell factor within 8% of the red cells' keeps the red cells' (as before)
LOOK_AGAIN = 0.25  # a white-cell factor this far from the glance's: glance again at it (a cell seen at a
# wrong scale is segmented too small or too large; the old pipeline segmented twice more for this)


@dataclass
class ScaleDecision:
    factor: float
    note: str
    method: str
    confidence: float
    doubtful: bool = False  # the white cell was the ruler (coarse: its type's size spread is ~18%)


def needs_glance(choice: ScaleChoice) -> bool:
    """Only measured or assumed scales are checked against the white cell."""
    return choice.method in ("red-cells", "assumed")


def decide_scale(choice: ScaleChoice, glance, shape: tuple[int, int], classifier=None,
                 look_again: Optional[Callable[[float], "Glance"]] = None) -> ScaleDecision:
    """The factor the one segmentation uses (``glance``: None when there was none to look at;
    ``look_again(f)``: a new glance at factor ``f``, when the white cell's size calls for one)."""
    d = ScaleDecision(choice.factor, choice.note, choice.method, choice.confidence)
    if glance is None or not needs_glance(choice):
        return d
    h, w = shape
    cells = glance.cells_in_input_px()
    if choice.method == "red-cells" and not implausible_size(cells, choice.factor, h * w):
        return d
    framed = framing_scale(cells, choice.factor, shape)
    if framed is not None:  # too small to hold a white cell at this scale: a crop around one
        return ScaleDecision(framed[0], framed[1], "framing", round(CONFIDENCE / 2, 3), True)
    _type_main_cell(glance, classifier)
    found = scale_from_cell(glance.cells_in_input_px(), choice.factor, h * w)
    if found is None:
        return d
    f, note = found
    if look_again is not None and abs(f / choice.factor - 1.0) >= LOOK_AGAIN:
        second = look_again(f)
        _type_main_cell(second, classifier)
        again = scale_from_cell(second.cells_in_input_px(), f, h * w)
        if again is not None:
            f, note = again
    if abs(f / choice.factor - 1.0) < SAME:
        if choice.method == "assumed":  # the white cell agrees with the assumed scale: keep it
            return ScaleDecision(choice.factor, f"scale {choice.factor:.3g} (training scale) agrees with the "
                                 "white cell's size", "wbc-size", CONFIDENCE, True)
        return d
    first = choice.note.split(": ", 1)[-1].split(";")[0]
    return ScaleDecision(f, note + f" (red cells: {first})", "wbc-size", CONFIDENCE, True)


def _type_main_cell(glance, classifier) -> Optional[str]:
    """The glance's main cell typed (its type's typical size is the ruler); the others are not."""
    c = main_cell(glance.cells, glance.class_map.size)
    if c is None or classifier is None:
        return None
    classifier.classify(glance.raw, glance.class_map, glance.instances, [c], scale=glance.model_scale, quick=True)
    return c.predicted_type
