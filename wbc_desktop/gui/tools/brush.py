"""Brush and eraser: paint a class (or background) with a round brush, live, one undo step a stroke.

Each mouse move paints only the segment since the last point and redraws only its rectangle of
the overlay (:class:`~wbc_desktop.core.editing.edits.StrokeRecorder` keeps what was under it), so
a move costs the same on a 4000x3000 field as on a crop. The cells are recomputed once, when the
stroke ends.
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QMouseEvent

from wbc_desktop.core.editing.edits import StrokeRecorder

from wbc_desktop.gui.tools.base import CLASS_NAMES, EditContext, StrokeTool, paint_button, value_for
from wbc_desktop.gui.tools.cursor import BrushCursor


class BrushTool(StrokeTool):
    key = "brush"
    short = "Brush"
    text = "&Brush"
    shortcut = "B"
    tip = ("Paint the chosen class (1 nucleus, 2 cytoplasm, 3 background), right button: background; "
           "size [ ] or Ctrl+wheel")
    uses_class = True
    uses_size = True
    fixed_value: Optional[int] = None  # the eraser always paints background

    def __init__(self, ctx: EditContext) -> None:
        super().__init__(ctx)
        self.recorder: Optional[StrokeRecorder] = None
        self._button = Qt.MouseButton.LeftButton
        self.circle = BrushCursor(ctx.view.scene())
        ctx.settings.changed.connect(self._sync)
        self._sync()

    @property
    def value(self) -> int:
        return self.fixed_value if self.fixed_value is not None else self.ctx.settings.value

    @property
    def cursor(self) -> Qt.CursorShape:
        return Qt.CursorShape.CrossCursor  # with the circle: the point stays visible when the brush is tiny

    @property
    def busy(self) -> bool:
        return self.recorder is not None

    def _sync(self) -> None:
        self.circle.set_radius(self.ctx.settings.radius)
        self.circle.set_class(self.value)

    def activate(self) -> None:
        self._sync()

    def deactivate(self) -> None:
        super().deactivate()
        self.circle.show(False)

    def leave(self) -> None:
        self.circle.show(False)

    def hover(self, p: QPointF) -> None:
        self.circle.move_to(p)

    def press(self, p: QPointF, event: QMouseEvent) -> bool:
        if not paint_button(event) or self.recorder is not None:
            return False
        if self.ctx.can_edit():
            a = self.ctx.analysis
            value = value_for(event, self.value)
            self._button = event.button()
            text = "erase" if value == 0 else f"brush {CLASS_NAMES[value]}"
            self.recorder = StrokeRecorder(a.class_map, self.ctx.settings.radius, value, text=text)
            self.ctx.show_region(self.recorder.add([(p.x(), p.y())]))
        return True

    def move(self, p: QPointF, event: QMouseEvent) -> bool:
        self.circle.move_to(p)
        if self.recorder is None or not event.buttons() & self._button:
            return False
        self.ctx.show_region(self.recorder.add([(p.x(), p.y())]))
        return True


class EraserTool(BrushTool):
    key = "eraser"
    short = "Eraser"
    text = "&Eraser"
    shortcut = "E"
    tip = "Paint background (remove nucleus and cytoplasm); size [ ] or Ctrl+wheel"
    uses_class = False
    fixed_value = 0
