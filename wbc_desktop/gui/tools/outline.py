"""A freehand line drawn on the image while the mouse is held (lasso, split stroke, new nucleus)."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene


class DrawnLine:
    """The points of the drag (image px) and their preview path (closed for a lasso)."""

    def __init__(self, scene: QGraphicsScene, closed: bool, colour: str = "#ffd400") -> None:
        self.scene, self.closed = scene, closed
        self.points: list[tuple[float, float]] = []
        self.item: Optional[QGraphicsPathItem] = None
        self.pen = QPen(QColor(colour), 1.5, Qt.PenStyle.DashLine)
        self.pen.setCosmetic(True)

    @property
    def active(self) -> bool:
        return self.item is not None

    def start(self, p: QPointF) -> None:
        self.clear()
        self.points = [(p.x(), p.y())]
        self.item = QGraphicsPathItem()
        self.item.setPen(self.pen)
        self.item.setZValue(15)
        self.scene.addItem(self.item)

    def add(self, p: QPointF) -> None:
        if self.item is None:
            return
        last = self.points[-1]
        if abs(p.x() - last[0]) + abs(p.y() - last[1]) < 0.5:
            return
        self.points.append((p.x(), p.y()))
        path = QPainterPath(QPointF(*self.points[0]))
        for x, y in self.points[1:]:
            path.lineTo(x, y)
        if self.closed:
            path.closeSubpath()
        self.item.setPath(path)

    def finish(self) -> list[tuple[float, float]]:
        pts = self.points
        self.clear()
        return pts

    def clear(self) -> None:
        if self.item is not None:
            self.scene.removeItem(self.item)
        self.item, self.points = None, []
