"""analyze(image) -> Analysis: the single entry point shared by the CLI, the GUI and batch runs."""

from __future__ import annotations

import copy
import threading
import time
from pathlib import Path
from typing import Optional, Union

import numpy as np

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.io.images import ImageData, read_image
from wbc_desktop.core.progress import ProgressFn, check_cancel, no_progress


class Pipeline:
    """Loaded models plus the walk image -> segmentation -> cells -> types.

    Load once (model loading is the slow part), then call :meth:`analyze` per image from any
    thread; the GUI runs it in a worker, the CLI in a loop.
    """

    def __init__(self, segmenter, classifier=None) -> None:
        self.segmenter = segmenter
        self.classifier = classifier

    @classmethod
    def load(cls, seg_model: str = "default", cls_model: Optional[str] = "default", device: str = "auto",
             views: int = 0) -> "Pipeline":
        """``views``: rotated views per cell for the classifier (1, 2 or 4; 0 keeps its card's)."""
        from wbc_desktop.core.segmentation.segmenter import Segmenter

        seg = Segmenter.load(seg_model, device=device)
        clf = None
        if cls_model:
            from wbc_desktop.core.cells.classifier import CellClassifier
            from wbc_desktop.core.errors import ModelError

            try:
                clf = CellClassifier.load(cls_model, device=device)
            except ModelError:
                if cls_model != "default":
                    raise
        if clf is not None and views:
            clf.set_views(views)
        return cls(seg, clf)

    @property
    def device(self) -> str:
        return self.segmenter.device_name

    def retype(self, image: Union[ImageData, np.ndarray], analysis: Analysis,
               cell_ids: list[int]) -> dict[int, dict]:
        """Type ``cell_ids`` again after their masks were edited; ``{cell_id: type fields}``.

        The analysis is left unchanged (copies of the cells are typed); the caller decides how
        to apply the result (a person's own type always wins over it). Empty without a classifier.
        """
        from wbc_desktop.core.review.retype import type_fields

        want = set(int(i) for i in cell_ids)
        cells = [copy.copy(c) for c in analysis.cells if c.cell_id in want]
        if self.classifier is None or not cells:
            return {}
        pixels = image.pixels if isinstance(image, ImageData) else image
        self.classifier.classify(pixels, analysis.class_map, analysis.instances, cells, scale=analysis.scale)
        return {c.cell_id: type_fields(c) for c in cells}

    def models_info(self) -> dict[str, dict]:
        info = {"segmenter": self.segmenter.info()}
        if self.classifier is not None:
            info["classifier"] = self.classifier.info()
        return info

    def analyze(
        self,
        image: Union[ImageData, str, Path],
        progress: ProgressFn = no_progress,
        cancel: Optional[threading.Event] = None,
        pixel_size_um: Optional[float] = None,
        scale: Optional[float] = None,
    ) -> Analysis:
        """Segment, find cells and type them. Raises InputError/Cancelled, never hangs."""
        from wbc_desktop.core.cells.instances import find_cells

        img = image if isinstance(image, ImageData) else read_image(image)
        name = img.path.name if img.path is not None else "image"
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        progress(0, 3, "segmenting")
        seg = self.segmenter.segment(
            img.pixels, pixel_size_um=pixel_size_um or img.pixel_size_um, scale=scale, progress=progress, cancel=cancel
        )
        timings["segment"] = (time.perf_counter() - t0) * 1e3
        check_cancel(cancel)
        progress(1, 3, "finding cells")
        t1 = time.perf_counter()
        instances, cells = find_cells(seg.class_map, scale=seg.scale)
        timings["cells"] = (time.perf_counter() - t1) * 1e3
        check_cancel(cancel)
        progress(2, 3, "typing cells")
        t2 = time.perf_counter()
        if self.classifier is not None and cells:
            self.classifier.classify(img.pixels, seg.class_map, instances, cells, scale=seg.scale)
        timings["classify"] = (time.perf_counter() - t2) * 1e3
        timings["total"] = (time.perf_counter() - t0) * 1e3
        progress(3, 3, "done")
        return Analysis(
            image_name=name,
            shape=img.shape,
            class_map=seg.class_map,
            instances=instances,
            cells=cells,
            scale=seg.scale,
            device=self.device,
            models=self.models_info(),
            notes=list(img.notes) + list(seg.notes),
            timings_ms=timings,
            uncertainty=seg.uncertainty,
        )
