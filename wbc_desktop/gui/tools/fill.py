"""Flood fill: a click gives the chosen class to the connected region of one class under it."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QMouseEvent

from wbc_desktop.core.editing.edits import flood_fill

from wbc_desktop.gui.tools.base import Tool, left


class FillTool(Tool):
    key = "fill"
    short = "Fill"
    text = "Flood &fill"
    shortcut = "G"
    tip = "Click a region (4-connected, one class) to give it the chosen class (1/2/3)"
    uses_class = True

    def press(self, p: QPointF, event: QMouseEvent) -> bool:
        return left(event)

    def release(self, p: QPointF, event: QMouseEvent) -> bool:
        if not left(event):
            return False
        if self.ctx.can_edit():
            self.ctx.commit(flood_fill(self.ctx.analysis.class_map, int(p.x()), int(p.y()), self.ctx.settings.value))
        return True
