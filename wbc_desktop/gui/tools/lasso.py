"""Lasso fill: draw a closed outline by dragging; its inside gets the chosen class."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QMouseEvent

from wbc_desktop.core.review.edits import fill_polygon

from wbc_desktop.gui.tools.base import Tool, left, left_held
from wbc_desktop.gui.tools.outline import DrawnLine


class LassoTool(Tool):
    key = "lasso"
    text = "&Lasso fill"
    shortcut = "L"
    tip = "Drag around a region: its inside gets the chosen class (1/2/3); Esc cancels"
    uses_class = True

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.line = DrawnLine(ctx.view.scene(), closed=True)

    @property
    def busy(self) -> bool:
        return self.line.active

    def press(self, p: QPointF, event: QMouseEvent) -> bool:
        if not left(event):
            return False
        if self.ctx.can_edit():
            self.line.start(p)
        return True

    def move(self, p: QPointF, event: QMouseEvent) -> bool:
        if not self.line.active or not left_held(event):
            return False
        self.line.add(p)
        return True

    def release(self, p: QPointF, event: QMouseEvent) -> bool:
        if not left(event) or not self.line.active:
            return left(event)
        self.line.add(p)
        pts = self.line.finish()
        if len(pts) >= 3:
            self.ctx.commit(fill_polygon(self.ctx.analysis.class_map, pts, self.ctx.settings.value))
        return True

    def cancel(self) -> bool:
        was = self.line.active
        self.line.clear()
        return was
