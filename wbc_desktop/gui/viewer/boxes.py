"""Cell boxes with a type/confidence tag; boxes use cosmetic pens, tags ignore the zoom."""

from __future__ import annotations

from typing import Iterable, Optional

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsScene, QGraphicsSimpleTextItem

from wbc_desktop.gui.palette import type_color


def cell_label(cell) -> str:
    """'neutrophil 0.93', a pencil mark when a person set the type, 'unidentified' unchanged."""
    t = cell.final_type
    if cell.reviewed_type:
        return f"{t} ✎"
    if getattr(cell, "doubt", ""):  # typed but doubtful (core.cells.type_doubt): the reviewer's first look
        return f"{t}? {cell.confidence:.2f}"
    if cell.confidence > 0:
        return f"{t} {cell.confidence:.2f}"
    return t


class _Tag(QGraphicsRectItem):
    """A small coloured label of constant screen size anchored at a box corner.

    Built from native items only: a Python ``paint`` override is called with a null widget
    pointer that PySide 6.12 mis-counts (it crashes after a few thousand repaints).
    """

    FONT_PT = 8.5

    def __init__(self, text: str, colour: QColor) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.label = QGraphicsSimpleTextItem(self)
        font = QFont()
        font.setPointSizeF(self.FONT_PT)
        self.label.setFont(font)
        self.label.setBrush(QColor("white"))
        self.text = ""
        self.set(text, colour)

    def set(self, text: str, colour: QColor) -> None:
        self.text = text
        self.label.setText(text)
        m = QFontMetricsF(self.label.font())
        h = m.height() + 2
        self.setRect(QRectF(0, -h, m.horizontalAdvance(text) + 8, h))
        self.label.setPos(4, -h + 1)
        self.setBrush(colour)


class BoxLayer:
    """One rectangle and tag per cell; restyled in place when a cell is reclassified."""

    def __init__(self, scene: QGraphicsScene) -> None:
        self.scene = scene
        self.boxes: dict[int, tuple[QGraphicsRectItem, _Tag]] = {}
        self._drawn: dict[int, tuple] = {}  # cell id -> what its box shows now
        self.visible = True
        self.selected: set[int] = set()
        self.zoom = 1.0

    def set_cells(self, cells: Optional[Iterable]) -> None:
        self.clear()
        self.add_cells(list(cells or []))

    def clear(self) -> None:
        for rect, tag in self.boxes.values():
            self.scene.removeItem(rect)
            self.scene.removeItem(tag)
        self.boxes = {}
        self._drawn: dict[int, tuple] = {}

    def add_cells(self, cells: list) -> None:
        """Boxes for these cells, added to those shown (a large result arrives in a few parts)."""
        for c in cells:
            self._add(c)
        self.refresh(cells)

    def update_cells(self, cells: Iterable, ids: Iterable[int]) -> None:
        """Rebuild only the boxes of ``ids`` (cells a mask edit touched; gone ones are removed)."""
        by_id = {c.cell_id: c for c in cells}
        for cid in ids:
            old = self.boxes.pop(cid, None)
            self._drawn.pop(cid, None)
            if old is not None:
                self.scene.removeItem(old[0])
                self.scene.removeItem(old[1])
            if cid in by_id:
                self._add(by_id[cid])
        self.refresh([by_id[i] for i in ids if i in by_id])

    def _add(self, c) -> None:
        x0, y0, x1, y1 = c.bbox
        rect = QGraphicsRectItem(QRectF(x0, y0, x1 - x0, y1 - y0))
        rect.setZValue(4)
        tag = _Tag("", QColor())
        tag.setPos(x0, y0)
        tag.setZValue(5)
        self.scene.addItem(rect)
        self.scene.addItem(tag)
        self.boxes[c.cell_id] = (rect, tag)

    def refresh(self, cells: Iterable) -> None:
        """Re-read types and labels (after a reclassification) without rebuilding items.

        Boxes whose look did not change are skipped, so a retype costs its cells, not the image's."""
        drawn = self._drawn
        for c in cells:
            if c.cell_id not in self.boxes:
                continue
            look = (c.final_type, cell_label(c), c.cell_id in self.selected, c.touches_border, self.visible, self.zoom,
                    bool(getattr(c, "doubt", "")))
            if drawn.get(c.cell_id) == look:
                continue
            drawn[c.cell_id] = look
            rect, tag = self.boxes[c.cell_id]
            colour = type_color(c.final_type)
            sel = c.cell_id in self.selected
            pen = QPen(QColor("#ffd400") if sel else colour, 3.0 if sel else 1.0)
            pen.setCosmetic(True)
            if c.touches_border:
                pen.setStyle(Qt.PenStyle.DashLine)  # cut by the border: not counted by default
            elif getattr(c, "doubt", "") and not c.reviewed_type:
                pen.setStyle(Qt.PenStyle.DotLine)  # typed but doubtful
            rect.setPen(pen)
            tag.set(cell_label(c), colour)
            rect.setVisible(self.visible)
            tag.setVisible(self.visible and self._tag_fits(rect))

    MIN_TAG_BOX_PX = 28  # below this on-screen box width tags would pile up unreadably

    def _tag_fits(self, rect: QGraphicsRectItem) -> bool:
        return rect.rect().width() * self.zoom >= self.MIN_TAG_BOX_PX

    def set_zoom(self, zoom: float) -> None:
        """Level of detail: hide tags of cells too small on screen to carry one (the hover still tells)."""
        self.zoom = zoom
        for rect, tag in self.boxes.values():
            tag.setVisible(self.visible and self._tag_fits(rect))

    def set_visible(self, visible: bool, cells: Iterable) -> None:
        self.visible = visible
        self.refresh(cells)

    def set_selected(self, ids: Iterable[int], cells: Iterable) -> None:
        self.selected = set(ids)
        self.refresh(cells)

    def rect_of(self, cell_id: int) -> Optional[QRectF]:
        item = self.boxes.get(cell_id)
        return item[0].rect() if item else None
