"""analyze(image) -> Analysis: the single entry point shared by the CLI, the GUI and batch runs."""

from __future__ import annotations

import copy
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

import numpy as np

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.io.images import ImageData, read_image
from wbc_desktop.core.progress import ProgressFn, check_cancel, no_progress

if TYPE_CHECKING:
    from wbc_desktop.core.cells.classifier import CellClassifier  # torch: loaded only when used


UNFAMILIAR_CLASSIFIER = "other-labs"  # the shipped stain-robust classifier (GroupNorm, wide stain augmentation)


class Pipeline:
    """Loaded models plus the walk image -> segmentation -> cells -> types.

    Load once (model loading is the slow part), then call :meth:`analyze` per image from any
    thread; the GUI runs it in a worker, the CLI in a loop.
    """

    def __init__(self, segmenter, classifier=None) -> None:
        from wbc_desktop.core.imaging.familiarity import FamiliarityModel

        self.segmenter = segmenter
        self.classifier = classifier
        src = getattr(segmenter, "source", "")
        # Training-set statistics beside the segmenter (absent for user-trained models: not measured)
        self.familiarity = FamiliarityModel.load(Path(src) / "familiarity.json") if src else None
        self.self_calibrate = True  # unfamiliar images take a second, self-calibrated pass (core.imaging.self_calibration)
        # the shipped default classifier hands unfamiliar images to this one (set by load; None: never)
        self.unfamiliar_classifier_name: Optional[str] = None
        self._unfamiliar_classifier: Optional[CellClassifier] = None

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
        pipe = cls(seg, clf)
        if cls_model == "default" and clf is not None:
            pipe.unfamiliar_classifier_name = UNFAMILIAR_CLASSIFIER
        return pipe

    def classifier_for(self, familiarity: Optional[float]):
        """The classifier that types an image: the stain-robust one for an image flagged as
        unfamiliar when the shipped default is active (chosen on BCCD's even half, see
        training/reports/classifier/classifier.md), else the active one."""
        from wbc_desktop.core.imaging.familiarity import FLAG_BELOW

        if familiarity is None or familiarity >= FLAG_BELOW or not self.unfamiliar_classifier_name:
            return self.classifier
        if self._unfamiliar_classifier is None:
            from wbc_desktop.core.cells.classifier import CellClassifier
            from wbc_desktop.core.errors import ModelError

            try:
                self._unfamiliar_classifier = CellClassifier.load(self.unfamiliar_classifier_name,
                                                                  device=str(self.segmenter.device))
            except ModelError:
                self.unfamiliar_classifier_name = None
                return self.classifier
        return self._unfamiliar_classifier

    @property
    def device(self) -> str:
        return self.segmenter.device_name

    def retype(self, image: Union[ImageData, np.ndarray], analysis: Analysis,
               cell_ids: list[int]) -> dict[int, dict]:
        """Type ``cell_ids`` again after their masks were edited; ``{cell_id: type fields}``.

        The analysis is left unchanged (copies of the cells are typed); the caller decides how
        to apply the result (a person's own type always wins over it). Empty without a classifier.
        """
        from wbc_desktop.core.cells.retype import type_fields

        want = set(int(i) for i in cell_ids)
        cells = [copy.copy(c) for c in analysis.cells if c.cell_id in want]
        clf = self.classifier_for(getattr(analysis, "familiarity", None))
        if clf is None or not cells:
            return {}
        pixels = image.pixels if isinstance(image, ImageData) else image
        clf.classify(pixels, analysis.class_map, analysis.instances, cells, scale=analysis.scale)
        fam = getattr(analysis, "familiarity", None)
        if self.familiarity is not None and fam is not None:  # the same "right or unsure" rule as analyze
            from wbc_desktop.core.imaging.familiarity import apply_unsure

            apply_unsure(cells, fam, self.familiarity.unsure_below)
        return {c.cell_id: type_fields(c) for c in cells}

    def analyze_slide(self, path, shape: tuple[int, int], factor: float, progress: ProgressFn = no_progress,
                      cancel: Optional[threading.Event] = None, partial=None, **options):
        """A whole slide in tiles, as one analysis on its overview (:mod:`core.slide_view`)."""
        from wbc_desktop.core.slide_view import analyze_slide

        return analyze_slide(self, path, shape, factor, progress, cancel, partial=partial, **options)

    def models_info(self) -> dict[str, dict]:
        info = {"segmenter": self.segmenter.info()}
        if self.classifier is not None:
            info["classifier"] = self.classifier.info()
        return info

    def _run(self, pixels, pixel_size_um, scale, progress, cancel, timings, self_calibrate: bool = False,
             classify: bool = True):
        """Segment, find cells, type them (unless ``classify`` is False): (SegResult, instances, cells)."""
        from wbc_desktop.core.cells.instances import find_cells

        t0 = time.perf_counter()
        progress(0, 3, "segmenting")
        seg = self.segmenter.segment(pixels, pixel_size_um=pixel_size_um, scale=scale, progress=progress, cancel=cancel,
                                     self_calibrate=self_calibrate)
        timings["segment"] = timings.get("segment", 0.0) + (time.perf_counter() - t0) * 1e3
        check_cancel(cancel)
        progress(1, 3, "finding cells")
        t1 = time.perf_counter()
        instances, cells = find_cells(seg.class_map, scale=seg.scale)
        timings["cells"] = timings.get("cells", 0.0) + (time.perf_counter() - t1) * 1e3
        check_cancel(cancel)
        progress(2, 3, "typing cells")
        t2 = time.perf_counter()
        if classify and self.classifier is not None and cells:
            self.classifier.classify(pixels, seg.class_map, instances, cells, scale=seg.scale)
        timings["classify"] = timings.get("classify", 0.0) + (time.perf_counter() - t2) * 1e3
        return seg, instances, cells

    def _recalibrated(self, pixels, a: Analysis, progress, cancel, timings) -> bool:
        """An unfamiliar image segmented again through its own stain calibration, at the scale
        already chosen (core.imaging.self_calibration); ``a`` takes the new masks and its cells,
        untyped (the caller types them once, with the classifier the image calls for)."""
        t0 = time.perf_counter()
        seg, instances, cells = self._run(pixels, None, a.scale, progress, cancel, timings, self_calibrate=True,
                                          classify=False)
        timings["self_calibration_pass"] = (time.perf_counter() - t0) * 1e3
        if not seg.self_calibrated:
            return False
        a.class_map, a.instances, a.cells, a.uncertainty = seg.class_map, instances, cells, seg.uncertainty
        a.nodes = seg.nodes
        a.notes.append(seg.notes[-1])
        return True

    def _type_cells(self, pixels, a: Analysis, clf, timings) -> None:
        """Type every cell of ``a`` with ``clf``, then the platelet size rule."""
        from wbc_desktop.core.cells.size_scale import apply_size_prior

        t = time.perf_counter()
        clf.classify(pixels, a.class_map, a.instances, a.cells, scale=a.scale)
        timings["classify_again"] = (time.perf_counter() - t) * 1e3
        apply_size_prior(a.cells, a.scale, a.scale_method, clf.threshold)

    @staticmethod
    def _red_cells_doubtful(seg, cells, shape) -> bool:
        """A crop that the white cell fills, where red cells give it an implausible size.

        Red cells cut by a tight crop's border measure too small (0.35-0.75x their size on
        cellavision crops), so the white cell, sized by that ruler, comes out far too large.
        """
        from wbc_desktop.core.cells.size_scale import implausible_size

        return seg.scale_method == "red-cells" and implausible_size(cells, seg.scale, shape[0] * shape[1])

    def _rescale_by_cell(self, pixels, seg, instances, cells, progress, cancel, timings):
        """No red cell to measure and no pixel size: take the scale from the white cell (core.cells.size_scale)."""
        from wbc_desktop.core.cells.size_scale import CONFIDENCE, framing_scale, scale_from_cell

        h, w = pixels.shape[:2]
        first_note = seg.notes[0] if seg.notes else ""
        framed = framing_scale(cells, seg.scale, (h, w))
        if framed is not None:  # too small to hold a white cell at this scale: a crop around one
            seg, instances, cells = self._run(pixels, None, framed[0], progress, cancel, timings)
            seg.notes[0] = framed[1]
            seg.scale_method, seg.scale_confidence = "framing", round(CONFIDENCE / 2, 3)
        for _ in range(2):  # the first pass at a wrong scale biases the size: measure again once
            found = scale_from_cell(cells, seg.scale, h * w)
            if found is None:
                break
            f, note = found
            if abs(f / seg.scale - 1.0) < 0.08:
                if seg.scale_method == "assumed":  # the white cell agrees with the assumed scale: keep it
                    seg.notes[0] = f"scale {seg.scale:.3g} (training scale) agrees with the white cell's size"
                    seg.scale_method, seg.scale_confidence = "wbc-size", CONFIDENCE
                break
            seg, instances, cells = self._run(pixels, None, f, progress, cancel, timings)
            seg.notes[0] = note + f" (red cells: {first_note.split(': ', 1)[-1].split(';')[0]})"
            seg.scale_method, seg.scale_confidence = "wbc-size", CONFIDENCE
        return seg, instances, cells

    def analyze(
        self,
        image: Union[ImageData, str, Path],
        progress: ProgressFn = no_progress,
        cancel: Optional[threading.Event] = None,
        pixel_size_um: Optional[float] = None,
        scale: Optional[float] = None,
    ) -> Analysis:
        """Segment, find cells and type them. Raises InputError/Cancelled, never hangs."""
        img = image if isinstance(image, ImageData) else read_image(image)
        name = img.path.name if img.path is not None else "image"
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        px = pixel_size_um or img.pixel_size_um
        seg, instances, cells = self._run(img.pixels, px, scale, progress, cancel, timings)
        if seg.scale_method == "assumed" or self._red_cells_doubtful(seg, cells, img.pixels.shape):
            seg, instances, cells = self._rescale_by_cell(img.pixels, seg, instances, cells, progress, cancel, timings)
        timings["total"] = (time.perf_counter() - t0) * 1e3
        progress(3, 3, "done")
        method = seg.scale_method
        if method == "pixel-size" and not pixel_size_um and img.pixel_size_um:
            method = "tiff-resolution"
        a = Analysis(
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
            scale_method=method,
            scale_confidence=seg.scale_confidence,
            nodes=seg.nodes,
        )
        if self.classifier is not None:
            from wbc_desktop.core.cells.size_scale import apply_size_prior

            n = apply_size_prior(a.cells, a.scale, a.scale_method, self.classifier.threshold)
            if n:
                a.notes.append(f"{n} cell(s) typed platelet but wider than any platelet the model learned: re-typed")
        if self.familiarity is not None:
            from wbc_desktop.core.imaging.familiarity import FLAG_BELOW, apply_unsure, image_features, image_warning

            a.familiarity = round(self.familiarity.score(image_features(img.pixels, a)), 3)
            a.warning = image_warning(a.familiarity)
            recalibrated = (a.familiarity < FLAG_BELOW and self.self_calibrate
                            and getattr(self.segmenter, "stain_reference", None) is not None
                            and self._recalibrated(img.pixels, a, progress, cancel, timings))
            clf = self.classifier_for(a.familiarity)
            if clf is not None and a.cells and (recalibrated or clf is not self.classifier):
                self._type_cells(img.pixels, a, clf, timings)
                if clf is not self.classifier:
                    a.models["classifier"] = clf.info()
                    a.notes.append(f"unfamiliar image: cells typed by the {clf.info()['name']} cell-type model "
                                   f"(v{clf.info()['version']}, made for stains unlike the training labs')")
            n = apply_unsure(a.cells, a.familiarity, self.familiarity.unsure_below)
            if n:
                a.notes.append(f"unfamiliar image: {n} cell(s) typed below {self.familiarity.unsure_below:g} left unidentified")
        return a
