"""Cell operations on the image: delete a false cell, add a missed one, split two, merge two parts.

Each is one undo step; the instances they decide are kept as the person drew them (see
:mod:`wbc_desktop.core.editing.cell_ops`), and the new or reshaped cells are retyped.
"""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QMouseEvent

from wbc_desktop.core.editing.cell_ops import add_cell, delete_cell, merge_cells, split_cell

from wbc_desktop.gui.tools.base import Tool, left, left_held
from wbc_desktop.gui.tools.outline import DrawnLine


class DeleteCellTool(Tool):
    key = "delete_cell"
    short = "Delete"
    text = "&Delete cell"
    shortcut = "D"
    tip = "Click a false cell to remove it (its pixels become background)"

    @property
    def cursor(self) -> Qt.CursorShape:
        return Qt.CursorShape.PointingHandCursor

    def press(self, p: QPointF, event: QMouseEvent) -> bool:
        return left(event)

    def release(self, p: QPointF, event: QMouseEvent) -> bool:
        if not left(event):
            return False
        cid = self.ctx.cell_at(p)
        if cid and self.ctx.can_edit():
            a = self.ctx.analysis
            self.ctx.commit(delete_cell(a.class_map, a.instances, cid))
        elif not cid:
            self.ctx.say("Click inside the cell to delete.")
        return True


class _LineTool(Tool):
    """Shared by the tools that draw a line while the mouse is held."""

    closed = False

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.line = DrawnLine(ctx.view.scene(), closed=self.closed, colour="#ff4040")

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
        self.done(self.line.finish())
        return True

    def cancel(self) -> bool:
        was = self.line.active
        self.line.clear()
        return was

    def done(self, points: list[tuple[float, float]]) -> None:
        raise NotImplementedError


class AddCellTool(_LineTool):
    key = "add_cell"
    short = "Add"
    text = "&Add cell"
    shortcut = "A"
    tip = "Draw around a missed cell's nucleus; a cytoplasm rim is grown over the background"
    closed = True

    def done(self, points: list[tuple[float, float]]) -> None:
        a = self.ctx.analysis
        if len(points) < 3:
            self.ctx.say("Draw around the nucleus of the missed cell (hold the button while drawing).")
            return
        self.ctx.commit(add_cell(a.class_map, points, instances=a.instances))


class SplitTool(_LineTool):
    key = "split"
    short = "Split"
    text = "Spli&t cells"
    shortcut = "K"
    tip = "Draw a line across two touching cells to cut them apart"

    def done(self, points: list[tuple[float, float]]) -> None:
        a = self.ctx.analysis
        width = max(1.0, 2.0 / max(self.ctx.view.zoom, 1e-3))  # about two screen pixels
        patch = split_cell(a.class_map, a.instances, points, width=width) if len(points) >= 2 else None
        if patch is None:
            self.ctx.say("The line must cross one cell from edge to edge to split it.")
            return
        self.ctx.commit(patch)


class MergeTool(Tool):
    key = "merge"
    short = "Merge"
    text = "&Merge cells"
    shortcut = "M"
    tip = "Click one part of a cell, then the other: they become one cell"

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.first: Optional[int] = None

    @property
    def cursor(self) -> Qt.CursorShape:
        return Qt.CursorShape.PointingHandCursor

    @property
    def busy(self) -> bool:
        return self.first is not None

    def cancel(self) -> bool:
        was, self.first = self.first is not None, None
        return was

    def press(self, p: QPointF, event: QMouseEvent) -> bool:
        return left(event)

    def release(self, p: QPointF, event: QMouseEvent) -> bool:
        if not left(event):
            return False
        cid = self.ctx.cell_at(p)
        if not cid:
            self.ctx.say("Click inside a cell.")
            return True
        if self.first is None or self.first == cid:
            self.first = cid
            self.ctx.doc.select([cid])
            self.ctx.hint(f"Merge: now click the other part of cell {cid} (Esc cancels).")
            return True
        first, self.first = self.first, None
        if self.ctx.can_edit():
            a = self.ctx.analysis
            self.ctx.commit(merge_cells(a.class_map, a.instances, first, cid))
            self.ctx.doc.select([first])
        return True
