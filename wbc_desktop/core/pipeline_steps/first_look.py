"""Step 1, the first look: scale, colour and familiarity, decided once, before the one segmentation.

From image statistics (red cells, background colour, the lab's signature) and, on images small
enough to be segmented whole, a glance at half the model's scale (:mod:`.glance`). A big field is
not glanced at: its scale comes from its many red cells, and its candidate regions are found here
once. Nothing here runs the segmenter at full resolution.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from wbc_desktop.core.pipeline_steps.colour import Colour, Standardise, decide_colour, self_calibration
from wbc_desktop.core.pipeline_steps.glance import Glance, take_glance
from wbc_desktop.core.pipeline_steps.scale_policy import ScaleDecision, decide_scale


@dataclass
class Look:
    """What the one segmentation needs, and what the later steps may want to know."""

    scale: ScaleDecision
    colour: Colour
    familiarity: Optional[float] = None  # the glance's estimate (no classifier figures); None: not measured
    glance: Optional[Glance] = None
    boxes: Optional[list[tuple[int, int, int, int]]] = None  # a big field's candidate regions
    notes: list[str] = field(default_factory=list)

    @property
    def transform(self) -> Optional[Any]:
        return self.colour.transform


def glance_familiarity(model, glance: Glance, method: str) -> Optional[float]:
    """Familiarity of the glance: the analysed-image statistics on the reduced copy, without the
    classifier's confidence (left out of the distance, as for an image analysed without one)."""
    from types import SimpleNamespace

    from wbc_desktop.core.imaging.familiarity import image_features

    if model is None:
        return None
    cells = [SimpleNamespace(area_px=c.area_px, top3=[], confidence=0.0) for c in glance.cells]
    view = SimpleNamespace(class_map=glance.class_map, scale=glance.model_scale, cells=cells, scale_method=method)
    return round(model.score(image_features(glance.raw, view)), 3)


def first_look(pipeline, rgb: np.ndarray, pixel_size_um: Optional[float], scale: Optional[float],
               timings: dict[str, float], standardise: Optional[Standardise] = None) -> Look:
    """Decide the scale, the colour and the familiarity estimate of ``rgb`` (see the module doc)."""
    from wbc_desktop.core.imaging.familiarity import FLAG_BELOW

    seg = pipeline.segmenter
    t0 = time.perf_counter()
    choice = seg.scale_choice(rgb, pixel_size_um, scale)
    colour = decide_colour(seg, rgb, standardise)
    timings["look_statistics"] = (time.perf_counter() - t0) * 1e3
    if seg.is_field(rgb.shape[:2], choice.factor):
        t = time.perf_counter()
        boxes = seg.candidate_boxes(rgb, choice.factor)
        timings["candidates"] = (time.perf_counter() - t) * 1e3
        return Look(decide_scale(choice, None, rgb.shape[:2]), colour, boxes=boxes)
    t = time.perf_counter()
    glance = take_glance(seg, rgb, choice.factor, colour.gain, colour.transform)
    timings["glances"] = 1.0  # a count, as segment_passes

    def look_again(f: float) -> Glance:
        timings["glances"] += 1
        return take_glance(seg, rgb, f, colour.gain, colour.transform)

    decision = decide_scale(choice, glance, rgb.shape[:2], pipeline.classifier, look_again=look_again)
    look = Look(decision, colour, glance=glance)
    look.familiarity = glance_familiarity(pipeline.familiarity, glance, decision.method)
    unfamiliar = look.familiarity is not None and look.familiarity < FLAG_BELOW
    if colour.transform is None and (pipeline.self_calibrate == "always" or (unfamiliar and pipeline.self_calibrate)):
        cal = self_calibration(seg, glance)
        ref = getattr(seg, "stain_reference", None)
        if ref is not None:
            shift = ref.shift(glance.rgb)
            if cal is None:
                colour.notes.append(f"stain unlike the training data's (shift {shift:.0f}) but too few sure "
                                    "pixels to calibrate")
            else:
                colour.transform, colour.kind = cal, "self-calibrated"
                colour.notes.append(f"stain unlike the training data's (shift {shift:.0f}): calibrated on its "
                                    "own first look")
    timings["glance"] = (time.perf_counter() - t) * 1e3
    return look
