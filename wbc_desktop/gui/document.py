"""The open images, their cached analyses and reviews, the current image and selected cells.

The one model every panel reads; panels change it only through its methods and redraw on
its signals (napari's layer model / Qt-bindings split). Review logic itself lives in the
Qt-free :mod:`wbc_desktop.core.review.store`, the shown type and the model's masks for "revert" in
:mod:`~wbc_desktop.core.review.shown`, the revisions that tell stale answers in
:mod:`~wbc_desktop.core.review.session` and what needs no write in :mod:`~wbc_desktop.core.review.save_book`;
this class only routes them to the current image and says what changed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import QObject, Signal

from wbc_desktop.core.review.caveats import caveats, is_counted
from wbc_desktop.core.review.caveats import counts as counted

from wbc_desktop.core.review.history import History, Reclassify, ReviewLocked, Sign
from wbc_desktop.core.review.save_book import ReviewWrites
from wbc_desktop.core.review.session import Revisions
from wbc_desktop.core.review.shown import masks_before, masks_copy, model_types, show_types
from wbc_desktop.core.editing.mask_edit import MaskEdit
from wbc_desktop.core.project.loose_masks import LooseMasks

from wbc_desktop.core.review.store import ImageReview, ReviewStore
from wbc_desktop.gui.units import um_per_px

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, NO_MODEL, FAILED, CANCELLED = "queued", "analysing", "done", "no model", "error", "cancelled"


@dataclass
class ImageEntry:
    """One opened image and everything the app learned about it (the per-image cache)."""

    path: Path
    status: str = QUEUED
    image: Any = None  # core.io.ImageData
    analysis: Any = None  # core.analysis.Analysis
    message: str = ""  # error or note for the user
    history: Optional[History] = None
    stamp: tuple[float, int] = (0.0, 0)  # mtime, size when analysed: the cache key
    notes: list[str] = field(default_factory=list)
    display: Any = None  # viewer.prepare.DisplayData: images, outlines, thumbnails made in the worker
    model_types: dict[int, str] = field(default_factory=dict)  # classifier's own decision, to restore
    model_masks: Any = None  # (class map, instances) as the model made them, kept at the first edit
    um: Optional[float] = None  # µm per pixel when the analysis used a known pixel size (sizes in µm)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def signed(self) -> bool:
        return self.history is not None and self.history.review.signed

    @property
    def review(self) -> Optional[ImageReview]:
        return self.history.review if self.history is not None else None


@lru_cache(maxsize=8192)
def _resolved(path: Path) -> Path:
    return path.resolve()


def file_stamp(path: Path) -> tuple[float, int]:
    try:
        st = path.stat()
        return st.st_mtime, st.st_size
    except OSError:
        return 0.0, 0


class Document(QObject):
    """Open images + current image + selection, with change signals for the panels."""

    entriesChanged = Signal()  # images added or removed
    entryChanged = Signal(int)  # status/analysis of one image changed
    currentChanged = Signal(int)
    reviewChanged = Signal(int)  # a cell type or the signature changed
    selectionChanged = Signal(list)  # selected cell ids of the current image
    countsChanged = Signal()
    maskEdited = Signal(int, object)  # entry index, the MaskEdit applied, undone or redone
    masksRestored = Signal(int, list, str)  # entry index, cells to type again, message: strokes of an earlier session
    typesChanged = Signal(list)  # entry indices the model retyped in one go (set_types_many: lab learning)
    pathsAdded = Signal(list)  # every add(): the paths asked for (an open project takes them in)

    def __init__(self, store: ReviewStore, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.store = store
        self.loose = LooseMasks(store)  # mask strokes of images outside a project, journalled like a project's
        self.model_masks_for: Optional[Any] = None  # entry -> (class map, instances or None) or None
        self.retyping = False  # reviewChanged is emitted for the model's retype, not a person's step
        self._saved = ReviewWrites()  # the review state last written per image
        self.entries: list[ImageEntry] = []
        self.current: int = -1
        self.selected: list[int] = []
        self.threshold = 0.0  # 0: the classifier's own decision
        self.include_border = False
        self.pixel_size_um: Optional[float] = None  # the setting (Analysis ▸ Pixel size), kept by the controller
        self.history_for: Optional[Any] = None  # entry -> History or None: an open project's own history
        self.revisions = Revisions()  # which analysis and cells a late answer was computed for (keyed str(path))

    # images
    def index_of(self, path: Path) -> int:
        for i, e in enumerate(self.entries):  # the same path object or spelling: no file system call
            if e.path == path:
                return i
        rp = Path(path).resolve()
        for i, e in enumerate(self.entries):
            if _resolved(e.path) == rp:  # memoised: adding 200 images was 20,000 realpath calls
                return i
        return -1

    def add(self, paths: list[Path]) -> list[Path]:
        """Add images; returns those needing analysis (new, or changed on disk since)."""
        todo: list[Path] = []
        for p in map(Path, paths):
            i = self.index_of(p)
            if i < 0:
                self.entries.append(ImageEntry(p))
                todo.append(p)
            elif self.entries[i].stamp != file_stamp(p) or self.entries[i].status in (FAILED, CANCELLED):
                self.entries[i].status = QUEUED
                todo.append(p)
        if todo:
            self.entriesChanged.emit()
        self.pathsAdded.emit(list(paths))
        return todo

    def entry(self, i: int) -> Optional[ImageEntry]:
        return self.entries[i] if 0 <= i < len(self.entries) else None

    @property
    def current_entry(self) -> Optional[ImageEntry]:
        return self.entry(self.current)

    def set_current(self, i: int) -> None:
        if i == self.current or not (0 <= i < len(self.entries)):
            return
        self.current = i
        self.selected = []
        self.currentChanged.emit(i)
        self.selectionChanged.emit([])

    def remove(self, i: int) -> None:
        if not (0 <= i < len(self.entries)):
            return
        del self.entries[i]
        if self.current > i:
            self.current -= 1
        self.current = min(self.current, len(self.entries) - 1)
        self.entriesChanged.emit()
        self.currentChanged.emit(self.current)
        self.countsChanged.emit()

    # results from the runner
    def set_status(self, path: Path, status: str, message: str = "") -> None:
        i = self.index_of(path)
        if i >= 0:
            self.entries[i].status = status
            self.entries[i].message = message
            self.entryChanged.emit(i)

    def set_preview(self, path: Path, image: Any, display: Any) -> None:
        """The image, read but not yet analysed: shown at once, the overlay follows."""
        i = self.index_of(path)
        if i >= 0 and self.entries[i].analysis is None:
            self.entries[i].image, self.entries[i].display = image, display
            self.entryChanged.emit(i)

    def set_result(
        self, path: Path, image: Any, analysis: Any, message: str = "", display: Any = None
    ) -> None:
        i = self.index_of(path)
        if i < 0:
            return
        e = self.entries[i]
        if analysis is not e.analysis or not self.revisions.analysis(str(e.path)):
            self.revisions.new_analysis(str(e.path))  # answers about the previous analysis are stale now
        e.image, e.analysis, e.message = image, analysis, message
        e.um = um_per_px(analysis, image, self.pixel_size_um)  # the pixel size this analysis was made with
        if display is None:  # results made elsewhere (tests, benchmarks): draw them here
            from wbc_desktop.gui.viewer.prepare import prepare

            display = prepare(image.pixels, analysis)
        e.display = display
        e.stamp = file_stamp(e.path)
        e.notes = list(getattr(analysis, "notes", None) or getattr(image, "notes", []) or [])
        e.status = DONE if analysis is not None else NO_MODEL
        restored: tuple[list[int], str] = ([], "")
        if analysis is not None:
            restored = self._attach_review(e)
        self.entryChanged.emit(i)
        self.countsChanged.emit()
        if i == self.current:
            self.currentChanged.emit(i)
        if restored[0] or restored[1]:
            self.masksRestored.emit(i, restored[0], restored[1])

    def _attach_review(self, e: ImageEntry) -> tuple[list[int], str]:
        """The review (and, outside a project, the journalled mask strokes) of a fresh analysis;
        returns the restored cells to type again and a message for the person."""
        h = self.history_for(e) if self.history_for is not None else None
        restored: tuple[list[int], str] = ([], "")
        if h is None:  # outside a project: strokes of an earlier session (or before Ctrl+R) are put back
            base = masks_copy(e.analysis) if self.loose.has_edits(e.path) else None
            restored = self.loose.restore(e.path, e.analysis) if base is not None else restored
            e.model_masks = base if not restored[1] else None  # this analysis' own masks, for "revert"
        review = h.review if h is not None else e.history.review if e.history is not None else self.store.load(e.path)
        # a new analysis starts a new undo history (the old steps hold the old masks); the review stays
        e.history = h or History(review, save=lambda r, e=e: self._autosave(r, e))
        e.model_types = model_types(e.analysis)
        show_types(e.analysis, e.model_types, self.threshold, review)
        return restored

    def _show_types(self, e: ImageEntry) -> None:
        """The threshold's (or the model's) type on each cell, the person's on top (core.review.shown)."""
        show_types(e.analysis, e.model_types, self.threshold, e.history.review if e.history is not None else None)

    def _autosave(self, review: ImageReview, e: Optional[ImageEntry] = None) -> None:
        # outside a project the strokes are journalled here, before the types that may name their cells
        if e is not None and review.pending_patches:
            patches, review.pending_patches = list(review.pending_patches), []
            base = self.model_masks(e)
            try:
                self.loose.record(e.path, patches, base[0] if base is not None else e.analysis.class_map)
            except OSError:
                review.pending_patches[:0] = patches  # tried again at the next step (replaying twice is harmless)
                raise
        # a mask edit that removed no reviewed cell leaves the review as it was: no write (and no fsync)
        if self._saved.unchanged(review):
            return
        try:
            self.store.save(review)
            self._saved.written(review)
        except OSError as err:  # the action still applies; the user must know it is not on disk
            log.error("autosave failed: %s", err)
            raise

    # review
    def select(self, cell_ids: list[int]) -> None:
        if list(cell_ids) != self.selected:
            self.selected = list(cell_ids)
            self.selectionChanged.emit(self.selected)

    def reclassify(self, cell_ids: list[int], cell_type: Optional[str]) -> str:
        """Give cells a type; returns '' on success or a message to show the user."""
        e = self.current_entry
        if e is None or e.history is None or e.analysis is None:
            return "No analysed image to review."
        ids = [i for i in cell_ids if any(c.cell_id == i for c in e.analysis.cells)]
        if not ids:
            return "Select one or more cells first (click a cell or a thumbnail)."
        return self._do(Reclassify(tuple(ids), cell_type))

    def toggle_signed(self, who: str) -> str:
        e = self.current_entry
        if e is None or e.history is None:
            return "No analysed image to sign."
        return self._do(Sign(None if e.signed else who))

    def undo(self) -> str:
        e = self.current_entry
        if e is None or e.history is None or not e.history.can_undo:
            return "Nothing to undo."
        return self._step(e, e.history.undo, lambda: e.history._undone[-1])

    def redo(self) -> str:
        e = self.current_entry
        if e is None or e.history is None or not e.history.can_redo:
            return "Nothing to redo."
        return self._step(e, e.history.redo, lambda: e.history._done[-1])

    def _do(self, action) -> str:
        e = self.current_entry
        return self._guard(lambda: e.history.do(action))

    def _guard(self, fn) -> str:
        e = self.current_entry
        msg = ""
        try:
            fn()
        except ReviewLocked as err:
            return f"This image is signed: {err}."
        except OSError as err:
            msg = f"Saved in memory, but autosave failed: {err}"
        e.history.review.apply_to(e.analysis)
        self.reviewChanged.emit(self.current)
        self.countsChanged.emit()
        return msg

    def model_masks(self, e: ImageEntry) -> Any:
        """(class map, instances or None) as the model made them; None while the masks are the model's.

        An owner that keeps the model's output elsewhere (a project: its ``model/`` PNGs, where the
        masks shown may already be corrected) answers through ``model_masks_for``."""
        if e.model_masks is None and self.model_masks_for is not None:
            e.model_masks = self.model_masks_for(e)
        return e.model_masks

    def _step(self, e: ImageEntry, fn, last) -> str:
        """Run a history step; a mask edit among them is announced (``maskEdited``) even when the
        autosave after it failed, before the review signals so the display is redrawn first."""
        version = e.history.review.mask_version

        def go() -> None:
            try:
                fn()
            finally:
                if e.history.review.mask_version != version:
                    step = last()
                    if isinstance(step, MaskEdit) and step.change is not None:
                        self.revisions.touch(str(e.path), [*step.change.changed_ids, *step.change.removed_ids])
                    else:  # a step that does not say which cells it reshaped
                        self.revisions.touch_all(str(e.path))
                    if isinstance(step, MaskEdit):
                        self.maskEdited.emit(self.current, step)
        return self._guard(go)

    # masks
    def edit_mask(self, patch: Any) -> str:
        """Apply a finished stroke (a core ``MaskPatch``, possibly painted live already) as one undo step.

        Returns '' or a message for the user; on a refusal the live paint is taken back (the
        caller redraws the patch's box)."""
        e = self.current_entry
        if e is None or e.history is None or e.analysis is None:
            return "No analysed image to edit."
        if e.signed:
            patch.revert(e.analysis.class_map)
            return "This image is signed: remove the signature (Ctrl+Return) to edit its masks."
        if self.model_masks(e) is None:  # the model's output, for "revert to the model" (the stroke may be live)
            e.model_masks = masks_before(e.analysis, patch)
        edit = MaskEdit(e.analysis, patch)
        return self._step(e, lambda: e.history.do(edit), lambda: e.history._done[-1])

    def set_types(self, i: int, results: dict) -> list[int]:
        """Retype results from the model process; a person's own type stays on top of them."""
        from wbc_desktop.core.cells.retype import apply_types

        e = self.entry(i)
        if e is None or e.analysis is None or e.history is None or not results:
            return []
        done = apply_types(e.analysis, results)
        e.model_types.update(model_types(e.analysis, results))
        self._show_types(e)
        self.retyping = True  # not a person's step: the gallery keeps its selection where it is
        try:
            self.reviewChanged.emit(i)
        finally:
            self.retyping = False
        self.countsChanged.emit()
        return done

    def set_types_many(self, results: dict[int, dict]) -> int:
        """Retype results for many images at once (typing by the lab's examples): one countsChanged,
        ``reviewChanged`` for the current image only (what is on screen) and ``typesChanged`` with
        every image touched, so a batch of 40 images is not 40 refreshes of every panel."""
        from wbc_desktop.core.cells.retype import apply_types

        touched, n = [], 0
        for i, rows in results.items():
            e = self.entry(i)
            if e is None or e.analysis is None or e.history is None or not rows:
                continue
            n += len(apply_types(e.analysis, rows))
            e.model_types.update(model_types(e.analysis, rows))
            self._show_types(e)
            touched.append(i)
        if not touched:
            return 0
        self.retyping = True
        try:
            if self.current in touched:
                self.reviewChanged.emit(self.current)
            self.typesChanged.emit(touched)
        finally:
            self.retyping = False
        self.countsChanged.emit()
        return n

    # counts
    def set_threshold(self, value: float) -> None:
        """Re-derive types from the stored predictions; reviews are kept on top."""
        self.threshold = value
        for e in self.entries:
            if e.analysis is not None and e.history is not None:
                self._show_types(e)
        self.reviewChanged.emit(self.current)
        self.countsChanged.emit()

    def set_include_border(self, value: bool) -> None:
        self.include_border = value
        self.countsChanged.emit()

    def analyses(self) -> list[Any]:
        return [e.analysis for e in self.entries if e.analysis is not None]

    def image_counts(self) -> dict[str, int]:
        e = self.current_entry
        if e is None or e.analysis is None:
            return {}
        return counted(e.analysis, self.include_border)

    def batch_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for a in self.analyses():
            for t, n in counted(a, self.include_border).items():
                out[t] = out.get(t, 0) + n
        return out

    def is_counted(self, cell: Any) -> bool:
        """The one rule the differential, the gallery and the report share (core.review.caveats)."""
        return is_counted(cell, self.include_border)

    def caveats(self, batch: bool = False) -> Any:
        """What the current image's (or the batch's) count rests on: core.review.caveats.Caveats."""
        entries = [x for x in (self.entries if batch else [self.current_entry]) if x is not None and x.analysis is not None]
        return caveats([x.analysis for x in entries], self.include_border, signed=sum(x.signed for x in entries))
