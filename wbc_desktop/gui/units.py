"""Sizes as a reviewer reads them: µm and µm² when the image's pixel size is known, pixels otherwise.

The pixel size is known when the analysis' scale came from it (``scale_method`` "pixel-size": the
setting, or the file's own resolution); the red-cell estimate or an assumed scale give the model's
resize factor, not a measurement, so those images stay in pixels.
"""

from __future__ import annotations

from typing import Any, Optional

KNOWN = ("pixel-size", "tiff-resolution")


def um_per_px(analysis: Any, image: Any = None, setting: Optional[float] = None) -> Optional[float]:
    """µm per input pixel of this image, or None when it is not known (the setting wins, as in analysis)."""
    if analysis is None or getattr(analysis, "scale_method", "") not in KNOWN:
        return None
    um = setting or getattr(image, "pixel_size_um", None)
    return float(um) if um and um > 0 else None


def area_text(px: int, um: Optional[float]) -> str:
    """'52 µm²' or '1234 px'."""
    if um:
        return f"{px * um * um:.0f} µm²" if px * um * um >= 10 else f"{px * um * um:.1f} µm²"
    return f"{px} px"


def length_text(px: float, um: Optional[float]) -> str:
    """'12.4 µm' or '31 px'."""
    return f"{px * um:.1f} µm" if um else f"{px:.0f} px"


def scale_note(analysis: Any, um: Optional[float]) -> str:
    """What the sizes and the size-based checks of this image rest on, in one line ('' when unknown)."""
    if analysis is None:
        return ""
    method = getattr(analysis, "scale_method", "") or ""
    if um:
        return f"pixel size {um:.3g} µm"
    if method in ("assumed", ""):
        return "scale assumed (the training scale): set the pixel size to be sure (Analysis ▸ Pixel size)"
    conf = float(getattr(analysis, "scale_confidence", 0.0) or 0.0)
    how = {"red-cells": "estimated from the red cells", "wbc-size": "estimated from the white cells' size",
           "framing": "guessed from the framing", "user": "set by hand", "fixed": "fixed"}.get(method, method)
    return f"scale {how} (confidence {conf:.2f}); sizes in pixels: set the pixel size for µm"
