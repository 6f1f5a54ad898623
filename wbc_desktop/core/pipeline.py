"""analyze(image) -> Analysis: the single entry point shared by the CLI, the GUI and batch runs.

The walk itself is a short sequence of named steps in :mod:`core.pipeline_steps` (first look, one
segmentation, cells, typing policy); here are the loaded models, the choice of classifier for an
unfamiliar image, retyping and whole slides.
"""

from __future__ import annotations

import os

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
    from wbc_desktop.core.cells.doubt_marks import DoubtMarker
    from wbc_desktop.core.cells.classifier import CellClassifier  # torch: loaded only when used


UNFAMILIAR_CLASSIFIER = "other-labs"  # the shipped stain-robust classifier (GroupNorm, wide stain augmentation)


# First contact (issue 23): colour standardisation and the consensus red-cell ruler are built and tested
# but off in analyze until their cost fits the one-pass budget (they made a 300x300 image 3.3x slower:
# training/reports/first-contact/first-contact.md). WBC_FIRST_CONTACT=1 turns both on.
FIRST_CONTACT = os.environ.get("WBC_FIRST_CONTACT", "") == "1"

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
        # an image the first look finds unfamiliar is segmented through its own stain calibration
        # (False: never; "always": every image, for evaluation)
        self.self_calibrate: Union[bool, str] = True
        # a colour standardisation plugged into the first look (core.pipeline_steps.colour.Standardise); None: none
        self.standardise = None
        # first contact (issue 23): the colour standardisation plugged in when its references are installed
        from wbc_desktop.core.imaging.standardise import load_references, plug

        if FIRST_CONTACT and load_references():
            self.standardise = plug
        self.mark_doubt = True  # first contact (issue 23): Cell.doubt for types far from their training cells
        self._doubt: Optional["DoubtMarker"] = None  # made on first use
        # the shipped default classifier hands unfamiliar images to this one (set by load; None: never)
        self.unfamiliar_classifier_name: Optional[str] = None
        self._unfamiliar_classifier: Optional[CellClassifier] = None

    @classmethod
    def load(cls, seg_model: str = "default", cls_model: Optional[str] = "default", device: str = "auto",
             views: int = 0) -> "Pipeline":
        """``views``: rotated views per cell for the classifier (1, 2 or 4; 0 keeps its card's)."""
        from wbc_desktop.core.memory import bound_native_caches
        from wbc_desktop.core.segmentation.segmenter import Segmenter

        bound_native_caches()  # before the first convolution: memory flat over varying image sizes

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
        if getattr(analysis, "standardisation", "") and self.standardise is not None:  # first contact (issue 23)
            from wbc_desktop.core.imaging.standardise import standardise

            pixels = standardise(pixels).pixels  # the colours the cell was first typed in
        clf.classify(pixels, analysis.class_map, analysis.instances, cells, scale=analysis.scale)
        fam = getattr(analysis, "familiarity", None)
        if self.familiarity is not None and fam is not None:  # the same "right or unsure" rule as analyze
            from wbc_desktop.core.imaging.familiarity import apply_unsure

            apply_unsure(cells, fam, self.familiarity.unsure_below)
        self._mark_doubt(clf, pixels, analysis, cells)
        return {c.cell_id: type_fields(c) for c in cells}

    # --- lab learning (issue 24): kept apart so the pipeline rewrite can move it as one piece
    def type_by_examples(self, request) -> dict:
        """The batch's cells typed again by the lab's examples (core.lab.by_example)."""
        from wbc_desktop.core.lab.by_example import answer, pick_classifier

        return answer(pick_classifier([self.classifier, self._unfamiliar_classifier], request.space), request)
    # --- end lab learning

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

    def _mark_doubt(self, clf, pixels, a: Analysis, cells) -> int:
        """first contact (issue 23): core.cells.doubt_marks on ``cells`` typed by ``clf``; the number marked."""
        if not self.mark_doubt or clf is None or not cells:
            return 0
        from wbc_desktop.core.cells.doubt_marks import DoubtMarker
        from wbc_desktop.core.imaging.familiarity import FLAG_BELOW

        if self._doubt is None:
            self._doubt = DoubtMarker()
        fam = getattr(a, "familiarity", None)
        return self._doubt.mark(clf, pixels, a.class_map, a.instances, cells, a.scale,
                                unfamiliar=fam is not None and fam < FLAG_BELOW)

    def analyze(
        self,
        image: Union[ImageData, str, Path],
        progress: ProgressFn = no_progress,
        cancel: Optional[threading.Event] = None,
        pixel_size_um: Optional[float] = None,
        scale: Optional[float] = None,
    ) -> Analysis:
        """First look, one segmentation, cells, types (:mod:`core.pipeline_steps`). Raises
        InputError/Cancelled, never hangs."""
        from wbc_desktop.core.pipeline_steps.find_cells import find
        from wbc_desktop.core.pipeline_steps.first_look import first_look
        from wbc_desktop.core.pipeline_steps.segment import segment_once
        from wbc_desktop.core.pipeline_steps.typing_policy import type_cells

        img = image if isinstance(image, ImageData) else read_image(image)
        name = img.path.name if img.path is not None else "image"
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        px = pixel_size_um or img.pixel_size_um
        progress(0, 4, "first look")
        look = first_look(self, img.pixels, px, scale, timings, self.standardise)
        check_cancel(cancel)
        progress(1, 4, "segmenting")
        seg = segment_once(self.segmenter, img.pixels, look, timings, progress, cancel)
        check_cancel(cancel)
        progress(2, 4, "finding cells")
        instances, cells = find(seg.class_map, seg.scale, timings)
        check_cancel(cancel)
        progress(3, 4, "typing cells")
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
            standardisation=look.colour.standardisation,
            nodes=seg.nodes,
        )
        # first contact (issue 23): the classifier sees the standardised colours too, then doubt is marked
        cls_px = img.pixels
        if look.colour.kind == "standardised" and look.colour.transform is not None:
            from wbc_desktop.core.imaging.illumination import apply_gain

            cls_px = look.colour.transform.apply(apply_gain(img.pixels, look.colour.gain))
        type_cells(self, cls_px, a, timings)
        n = self._mark_doubt(self.classifier_for(a.familiarity), cls_px, a, a.cells)
        if n:
            a.notes.append(f"{n} typed cell(s) doubtful: far from their type's training cells or a close call")
        timings["total"] = (time.perf_counter() - t0) * 1e3
        progress(4, 4, "done")
        return a
