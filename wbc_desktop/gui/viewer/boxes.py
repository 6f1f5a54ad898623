"""Cell boxes with a type/confidence tag; boxes use cosmetic pens, tags ignore the zoom."""

from __future__ import annotations

from typing import Iterable, Optional

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsScene

from ..palette import type_color


def cell_label(cell) -> str:
    """'neutrophil 0.93', a pencil mark when a person set the type, 'unidentified' unchanged."""
    t = cell.final_type
    if cell.reviewed_type:
        return f"{t} ✎"
    if cell.confidence > 0:
        return f"{t} {cell.confidence:.2f}"
    return t


class _Tag(QGraphicsItem):
    """A small coloured label of constant screen size anchored at a box corner."""

    def __init__(self, text: str, colour: QColor) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.font = QFont()
        self.font.setPointSizeF(8.5)
        self.set(text, colour)

    def set(self, text: str, colour: QColor) -> None:
        self.prepareGeometryChange()
        self.text, self.colour = text, colour
        m = QFontMetricsF(self.font)
        self._rect = QRectF(0, -m.height() - 2, m.horizontalAdvance(text) + 8, m.height() + 2)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.fillRect(self._rect, self.colour)
        painter.setPen(QColor("white"))
        painter.setFont(self.font)
        painter.drawText(self._rect.adjusted(4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, self.text)


class BoxLayer:
    """One rectangle and tag per cell; restyled in place when a cell is reclassified."""

    def __init__(self, scene: QGraphicsScene) -> None:
        self.scene = scene
        self.boxes: dict[int, tuple[QGraphicsRectItem, _Tag]] = {}
        self.visible = True
        self.selected: set[int] = set()

    def set_cells(self, cells: Optional[Iterable]) -> None:
        for rect, tag in self.boxes.values():
            self.scene.removeItem(rect)
            self.scene.removeItem(tag)
        self.boxes = {}
        for c in cells or []:
            x0, y0, x1, y1 = c.bbox
            rect = QGraphicsRectItem(QRectF(x0, y0, x1 - x0, y1 - y0))
            rect.setZValue(4)
            tag = _Tag("", QColor())
            tag.setPos(x0, y0)
            tag.setZValue(5)
            self.scene.addItem(rect)
            self.scene.addItem(tag)
            self.boxes[c.cell_id] = (rect, tag)
        self.refresh(cells or [])

    def refresh(self, cells: Iterable) -> None:
        """Re-read types and labels (after a reclassification) without rebuilding items."""
        for c in cells:
            if c.cell_id not in self.boxes:
                continue
            rect, tag = self.boxes[c.cell_id]
            colour = type_color(c.final_type)
            sel = c.cell_id in self.selected
            pen = QPen(QColor("#ffd400") if sel else colour, 3.0 if sel else 1.5)
            pen.setCosmetic(True)
            if c.touches_border:
                pen.setStyle(Qt.PenStyle.DashLine)  # cut by the border: not counted by default
            rect.setPen(pen)
            tag.set(cell_label(c), colour)
            rect.setVisible(self.visible)
            tag.setVisible(self.visible)

    def set_visible(self, visible: bool, cells: Iterable) -> None:
        self.visible = visible
        self.refresh(cells)

    def set_selected(self, ids: Iterable[int], cells: Iterable) -> None:
        self.selected = set(ids)
        self.refresh(cells)

    def rect_of(self, cell_id: int) -> Optional[QRectF]:
        item = self.boxes.get(cell_id)
        return item[0].rect() if item else None
