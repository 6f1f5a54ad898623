"""Superpixel snap: a click (or drag) sets the class of the segmenter's own superpixels under it.

The superpixels are the segmenter's SLIC over-segmentation, recomputed on demand in a small
window around each point (:func:`~wbc_desktop.core.editing.snap.snap_superpixels`), so one click
fixes a whole region along the image's real edges in milliseconds on any image size. A drag is
one undo step. The superpixels are as wide as the brush (``[`` ``]``): small ones for a thin wrong
band along a border, large ones for a whole missed cytoplasm (``training/eval/eval_effort.py`` measured
fewer actions per image with sized superpixels than with the segmenter's fixed S = 16).
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QMouseEvent

from wbc_desktop.core.editing.edits import StrokeRecorder
from wbc_desktop.core.editing.snap import snap_area_for, snap_superpixels

from wbc_desktop.gui.tools.base import CLASS_NAMES, StrokeTool, paint_button, value_for

MIN_STEP_PX = 2.0  # model px between snapped points while dragging (a superpixel is ~4 px wide)


class SnapTool(StrokeTool):
    key = "snap"
    short = "Snap"
    text = "&Superpixel snap"
    shortcut = "S"
    tip = ("Click or drag over the superpixels to give them the chosen class (1/2/3); they are as wide as "
           "the brush ([ ]); right button: background")
    uses_class = True
    uses_size = True

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.recorder: Optional[StrokeRecorder] = None
        self._last: Optional[QPointF] = None
        self._button = Qt.MouseButton.LeftButton

    @property
    def busy(self) -> bool:
        return self.recorder is not None

    def _snap(self, p: QPointF) -> None:
        e = self.ctx.entry
        a = e.analysis
        scale = a.scale or 1.0
        patch = snap_superpixels(a.class_map, e.image.pixels, [(p.x(), p.y())], self.recorder.value,
                                 scale=scale, mean_area=snap_area_for(self.ctx.settings.radius, scale))
        self.ctx.show_region(self.recorder.add_patch(patch))
        self._last = QPointF(p)

    def press(self, p: QPointF, event: QMouseEvent) -> bool:
        if not paint_button(event) or self.recorder is not None:
            return False
        if self.ctx.can_edit():
            a = self.ctx.analysis
            value = value_for(event, self.ctx.settings.value)
            self._button = event.button()
            self.recorder = StrokeRecorder(a.class_map, 1.0, value, text=f"snap {CLASS_NAMES[value]}")
            self._snap(p)
        return True

    def move(self, p: QPointF, event: QMouseEvent) -> bool:
        if self.recorder is None or not event.buttons() & self._button:
            return False
        s = self.ctx.analysis.scale or 1.0
        if self._last is None or (p - self._last).manhattanLength() * s >= MIN_STEP_PX:
            self._snap(p)
        return True
