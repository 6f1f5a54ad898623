"""Step 2: the one segmentation, at the first look's scale and through its colour map."""

from __future__ import annotations

import threading
import time
from typing import Optional

import numpy as np

from wbc_desktop.core.progress import ProgressFn, no_progress
from wbc_desktop.core.segmentation.segmenter import SegResult


def segment_once(segmenter, rgb: np.ndarray, look, timings: dict[str, float], progress: ProgressFn = no_progress,
                 cancel: Optional[threading.Event] = None) -> SegResult:
    """Class map, uncertainty and notes of ``rgb`` (the first look's notes first)."""
    t0 = time.perf_counter()
    d = look.scale
    notes = [d.note, *look.colour.notes]
    seg_t: dict[str, float] = {}
    res = segmenter.segment_at(rgb, d.factor, look.colour.gain, look.transform, notes, progress, cancel,
                               boxes=look.boxes, timings=seg_t)
    res.scale_method, res.scale_confidence = d.method, d.confidence
    for k in ("superpixels", "graph", "model"):
        if k in seg_t:
            timings[k] = timings.get(k, 0.0) + seg_t[k]
    timings["segment"] = timings.get("segment", 0.0) + (time.perf_counter() - t0) * 1e3
    timings["segment_passes"] = timings.get("segment_passes", 0.0) + 1  # a count: the benchmark reports it
    return res
