"""The colour step: what the segmenter's input looks like, decided once per image.

In order: the background gain (``core.imaging.illumination``); the lab's stain calibration when the
image looks like its lab's (a retrained version's card); else a colour standardisation when one is
plugged in (``Pipeline.standardise``: a callable taking the gained RGB image and returning None or an
object with ``apply(rgb) -> rgb`` and a ``name``); else, on an image the first look finds
unfamiliar, the stain self-calibration fitted to the glance (:func:`self_calibration`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from wbc_desktop.core.imaging.illumination import apply_gain, background_gain
from wbc_desktop.core.segmentation.segmenter import gain_note

# A standardisation: gained RGB (H x W x 3 uint8) -> None (leave it) or an object with
# ``apply(rgb) -> rgb`` and ``name`` (what Analysis.standardisation records).
Standardise = Callable[[np.ndarray], Optional[Any]]

GLANCE_ERODE_PX = 1  # glance pixels (~4 input pixels on cellavision crops) left out at class borders
GLANCE_MIN_PX = 20  # a class with fewer sure glance pixels: no self-calibration


@dataclass
class Colour:
    gain: Optional[np.ndarray] = None
    transform: Optional[Any] = None  # anything with apply(rgb) -> rgb
    kind: str = ""  # "", "lab-calibration", "standardised", "self-calibrated"
    standardisation: str = ""  # Analysis.standardisation
    notes: list[str] = field(default_factory=list)


def decide_colour(segmenter, rgb: np.ndarray, standardise: Optional[Standardise] = None) -> Colour:
    """Gain, then the lab's calibration or a standardisation (the self-calibration comes later,
    once the glance has said whether the image looks unfamiliar)."""
    gain = background_gain(rgb, segmenter.background)
    c = Colour(gain=gain, notes=[gain_note(gain)] if gain is not None else [])
    cal = segmenter.calibration_for(rgb, gain)
    if cal is not None:
        c.transform, c.kind = cal, "lab-calibration"
        c.notes.append("this lab's stain calibration applied")
        return c
    if standardise is not None:
        s = standardise(apply_gain(rgb, gain))
        if s is not None:
            c.transform, c.kind = s, "standardised"
            c.standardisation = str(getattr(s, "name", "standardised"))
            c.notes.append(f"colours standardised ({c.standardisation})")
    return c


def self_calibration(segmenter, glance) -> Optional[Any]:
    """The stain calibration fitted to the glance's classes (None: no reference or too few sure pixels)."""
    from wbc_desktop.core.imaging.self_calibration import self_calibrate

    ref = getattr(segmenter, "stain_reference", None)
    if ref is None:
        return None
    return self_calibrate(glance.rgb, glance.class_map, ref, erode_px=GLANCE_ERODE_PX, min_px=GLANCE_MIN_PX)
