"""The brush's outline on the image: a circle of the brush's true size at any zoom."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsScene

CLASS_COLOURS = {2: "#3b1fd1", 1: "#19c3a6", 0: "#ffffff"}


class BrushCursor:
    """Two concentric cosmetic circles (dark and light) so the outline shows on any stain."""

    def __init__(self, scene: QGraphicsScene) -> None:
        self.items = [QGraphicsEllipseItem(), QGraphicsEllipseItem()]
        styles = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine)
        for item, colour, style in zip(self.items, ("#000000", "#ffffff"), styles):
            pen = QPen(QColor(colour), 1, style)
            pen.setCosmetic(True)
            item.setPen(pen)
            item.setZValue(20)
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            item.setVisible(False)
            scene.addItem(item)
        self.radius = 1.0
        self.centre = QPointF()

    def set_radius(self, radius: float) -> None:
        self.radius = radius
        self._place()

    def set_class(self, value: int) -> None:
        pen = self.items[1].pen()
        pen.setColor(QColor(CLASS_COLOURS.get(value, "#ffffff")))
        self.items[1].setPen(pen)

    def move_to(self, p: QPointF) -> None:
        self.centre = QPointF(p)
        self._place()
        self.show(True)

    def show(self, on: bool) -> None:
        for item in self.items:
            item.setVisible(on)

    def _place(self) -> None:
        r = self.radius
        for item in self.items:
            item.setRect(QRectF(self.centre.x() - r, self.centre.y() - r, 2 * r, 2 * r))
