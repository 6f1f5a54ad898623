"""The segmenter's doubt drawn over the image: a heat map of its per-pixel entropy (toggle: U).

The 8-bit map (``Analysis.uncertainty``) becomes an indexed image whose colour table does the
colouring: sure pixels stay fully transparent, doubtful ones go from a faint yellow to an opaque
magenta, so a reviewer sees at a glance where the masks are likely wrong (pale cytoplasm, edges).
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, qRgba
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene

FLOOR = 90  # below this (35% of ln 3, e.g. p = 0.9/0.05/0.05) a pixel is shown as sure: keeps the map readable


def heat_table() -> list[int]:
    """256 ARGB entries: transparent up to FLOOR, then yellow -> magenta with rising opacity."""
    table = []
    for v in range(256):
        if v < FLOOR:
            table.append(qRgba(0, 0, 0, 0))
            continue
        t = (v - FLOOR) / (255 - FLOOR)
        table.append(qRgba(255, int(230 * (1 - t)), int(40 + 180 * t), int(70 + 150 * t)))
    return table


class UncertaintyLayer:
    """One pixmap item above the masks; ``set_map(None)`` clears it."""

    Z = 5

    def __init__(self, scene: QGraphicsScene) -> None:
        self.item = QGraphicsPixmapItem()
        self.item.setZValue(self.Z)
        self.item.setTransformationMode(Qt.TransformationMode.FastTransformation)
        self.item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        scene.addItem(self.item)
        self.visible = False
        self.item.setVisible(False)
        self._table = heat_table()
        self._shown: Optional[int] = None  # id() of the map on screen

    def set_map(self, u: Optional[np.ndarray]) -> None:
        if u is None:
            self.item.setPixmap(QPixmap())
            self._shown = None
            return
        if id(u) == self._shown:
            return
        a = np.ascontiguousarray(u, dtype=np.uint8)
        h, w = a.shape
        img = QImage(a.data, w, h, a.strides[0], QImage.Format.Format_Indexed8).copy()
        img.setColorTable(self._table)
        self.item.setPixmap(QPixmap.fromImage(img))
        self._shown = id(u)

    def set_visible(self, on: bool) -> None:
        self.visible = on
        self.item.setVisible(on)
