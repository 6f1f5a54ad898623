"""Lasso / polygon fill: drag around a region, or click its corners (double-click or Enter closes);
the inside gets the chosen class."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent

from wbc_desktop.core.editing.edits import fill_polygon

from wbc_desktop.gui.tools.base import Tool, left, left_held
from wbc_desktop.gui.tools.outline import DrawnLine

CLICK_PX = 3.0  # a press and release closer than this (image px) is a click: a polygon corner


class LassoTool(Tool):
    key = "lasso"
    short = "Lasso"
    text = "&Lasso fill"
    shortcut = "L"
    tip = "Drag around a region, or click its corners and double-click: the inside gets the chosen class"
    uses_class = True

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.line = DrawnLine(ctx.view.scene(), closed=True)
        self.polygon = False  # clicking corners rather than dragging
        self._down = QPointF()

    @property
    def busy(self) -> bool:
        return self.line.active

    def press(self, p: QPointF, event: QMouseEvent) -> bool:
        if not left(event):
            return False
        self._down = QPointF(p)
        if self.polygon:
            return True
        if self.ctx.can_edit():
            self.line.start(p)
        return True

    def move(self, p: QPointF, event: QMouseEvent) -> bool:
        if not self.line.active or not left_held(event) or self.polygon:
            return False
        self.line.add(p)
        return True

    def release(self, p: QPointF, event: QMouseEvent) -> bool:
        if not left(event) or not self.line.active:
            return left(event)
        is_click = abs(p.x() - self._down.x()) + abs(p.y() - self._down.y()) < CLICK_PX
        if self.polygon or (is_click and len(self.line.points) < 3):
            if self.polygon:
                self.line.add(p)
            self.polygon = True  # first click: corners follow
            return True
        self.line.add(p)
        self._fill()
        return True

    def double_click(self, p: QPointF, event: QMouseEvent) -> bool:
        if self.polygon and self.line.active:
            self._fill()
            return True
        return False

    def wants_key(self, event: QKeyEvent) -> bool:
        return (self.polygon and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)) or super().wants_key(event)

    def key_press(self, event: QKeyEvent) -> bool:
        if self.polygon and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._fill()
            return True
        return super().key_press(event)

    def _fill(self) -> None:
        self.polygon = False
        pts = self.line.finish()
        if len(pts) >= 3:
            self.ctx.commit(fill_polygon(self.ctx.analysis.class_map, pts, self.ctx.settings.value))

    def cancel(self) -> bool:
        was = self.line.active
        self.polygon = False
        self.line.clear()
        return was
