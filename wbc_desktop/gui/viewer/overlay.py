"""Nucleus/cytoplasm overlay layers: a filled class-map raster and vector outlines.

The fill is a nearest-neighbour pixmap (class edges stay sharp when zoomed in); the outlines
are paths drawn with cosmetic pens (one screen pixel whatever the zoom). ``set_maps`` takes
any class map, so an edited map from a future brush tool drops in unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsPixmapItem, QGraphicsScene

from .image_view import to_qimage


@dataclass
class OverlayStyle:
    """How the masks look; persisted by the settings."""

    nucleus: str = "#3b1fd1"
    cytoplasm: str = "#19c3a6"
    opacity: float = 0.35
    fill: bool = True
    outline: bool = True
    boxes: bool = True


def fill_rgba(class_map: np.ndarray, style: OverlayStyle) -> np.ndarray:
    """Class map (0/1/2) -> premultiplication-free RGBA with the style's colours and opacity."""
    lut = np.zeros((256, 4), np.uint8)
    a = int(round(255 * max(0.0, min(1.0, style.opacity))))
    for value, colour in ((1, style.cytoplasm), (2, style.nucleus)):
        c = QColor(colour)
        lut[value] = (c.red(), c.green(), c.blue(), a)
    return lut[class_map]


def _path(polys: list[np.ndarray]) -> QPainterPath:
    path = QPainterPath()
    for xy in polys:
        path.addPolygon(QPolygonF([QPointF(float(x), float(y)) for x, y in xy]))
        path.closeSubpath()
    return path


class MaskLayer:
    """Filled masks plus outlines on one scene; shown, hidden and restyled as a unit."""

    def __init__(self, scene: QGraphicsScene, style: Optional[OverlayStyle] = None) -> None:
        self.style = style or OverlayStyle()
        self.fill_item = QGraphicsPixmapItem()
        self.fill_item.setTransformationMode(Qt.TransformationMode.FastTransformation)  # nearest neighbour
        self.fill_item.setZValue(1)
        self.cell_item = QGraphicsPathItem()
        self.nucleus_item = QGraphicsPathItem()
        for z, item in ((2, self.cell_item), (3, self.nucleus_item)):
            item.setZValue(z)
            scene.addItem(item)
        scene.addItem(self.fill_item)
        self._class_map: Optional[np.ndarray] = None
        self.visible = True
        self._apply_pens()

    def set_maps(self, class_map: Optional[np.ndarray], outlines: Optional[dict] = None) -> None:
        """New masks (or none); ``outlines`` from :func:`contours.cell_outlines`."""
        self._class_map = class_map
        self._render_fill()
        self.cell_item.setPath(_path((outlines or {}).get("cell", [])))
        self.nucleus_item.setPath(_path((outlines or {}).get("nucleus", [])))
        self._update_visibility()

    def set_style(self, style: OverlayStyle) -> None:
        refill = (style.nucleus, style.cytoplasm, style.opacity) != (
            self.style.nucleus, self.style.cytoplasm, self.style.opacity)
        self.style = style
        if refill:
            self._render_fill()
        self._apply_pens()
        self._update_visibility()

    def set_visible(self, visible: bool) -> None:
        self.visible = visible
        self._update_visibility()

    def _render_fill(self) -> None:
        if self._class_map is None:
            self.fill_item.setPixmap(QPixmap())
            return
        self.fill_item.setPixmap(QPixmap.fromImage(to_qimage(fill_rgba(self._class_map, self.style))))

    def _apply_pens(self) -> None:
        for item, colour in ((self.cell_item, self.style.cytoplasm), (self.nucleus_item, self.style.nucleus)):
            pen = QPen(QColor(colour), 1.6)
            pen.setCosmetic(True)  # constant on-screen width at every zoom
            item.setPen(pen)

    def _update_visibility(self) -> None:
        self.fill_item.setVisible(self.visible and self.style.fill)
        self.cell_item.setVisible(self.visible and self.style.outline)
        self.nucleus_item.setVisible(self.visible and self.style.outline)
