"""A small stand-in for core.pipeline.Pipeline: synthetic cells, no torch, deterministic."""

from __future__ import annotations

import threading
import time
from typing import Optional

import numpy as np

from wbc_desktop.core.analysis import UNIDENTIFIED, Analysis, Cell
from wbc_desktop.core.errors import Cancelled
from wbc_desktop.core.io.images import ImageData, read_image

TYPES = ["neutrophil", "lymphocyte", "neutrophil", "monocyte", "eosinophil"]
CONFS = [0.95, 0.88, 0.42, 0.75, 0.91]  # the 0.42 one is shown as unidentified


def synthetic_analysis(name: str, shape: tuple[int, int], n: int = 5) -> Analysis:
    """``n`` round cells on a row, nucleus in the middle; the last one touches the right border."""
    h, w = shape
    class_map = np.zeros((h, w), np.uint8)
    instances = np.zeros((h, w), np.int32)
    yy, xx = np.mgrid[0:h, 0:w]
    r = max(4, min(h, w * 0.8 / n) // 5)
    cells = []
    for k in range(n):
        cx = (k + 0.5) * w / n if k < n - 1 else w - r / 2
        cy = h / 2
        d2 = (xx - cx) ** 2 + (yy - cy) ** 2
        cell = d2 <= r * r
        nuc = d2 <= (r * 0.55) ** 2
        class_map[cell] = 1
        class_map[nuc] = 2
        instances[cell] = k + 1
        ys, xs = np.nonzero(cell)
        t, conf = TYPES[k % len(TYPES)], CONFS[k % len(CONFS)]
        cells.append(Cell(
            cell_id=k + 1, bbox=(int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1),
            centroid=(float(xs.mean()), float(ys.mean())), nucleus_area_px=int(nuc.sum()),
            cytoplasm_area_px=int((cell & ~nuc).sum()), touches_border=bool(xs.max() >= w - 1),
            cell_type=t if conf >= 0.5 else UNIDENTIFIED, confidence=conf,
            top3=[(t, conf), ("monocyte", (1 - conf) / 2)], predicted_type=t,
        ))
    return Analysis(name, (h, w), class_map, instances, cells,
                    models={"segmenter": {"name": "fake", "version": 1}})


class FakePipeline:
    """Pretends to be a loaded Pipeline; ``steps``/``step_s`` make it slow enough to cancel."""

    device = "cpu"

    def __init__(self, steps: int = 3, step_s: float = 0.0) -> None:
        self.steps, self.step_s = steps, step_s
        self.calls = 0

    def models_info(self) -> dict:
        return {"segmenter": {"name": "fake", "version": 1}}

    def analyze(self, image, progress=lambda *a: None, cancel: Optional[threading.Event] = None, **_) -> Analysis:
        self.calls += 1
        img = image if isinstance(image, ImageData) else read_image(image)
        for i in range(self.steps):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            progress(i, self.steps, "segmenting")
            if self.step_s:
                time.sleep(self.step_s)
        name = img.path.name if img.path is not None else "image"
        return synthetic_analysis(name, img.shape)
