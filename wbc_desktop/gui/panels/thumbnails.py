"""Gallery thumbnails: where to crop a cell, and a framed icon in its type colour."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPen, QPixmap

PAD = 0.25  # context around the cell, as a fraction of its size


def crop_box(bbox: tuple[int, int, int, int], shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """A square around the cell with some context, clipped to the image."""
    x0, y0, x1, y1 = bbox
    side = int(max(x1 - x0, y1 - y0) * (1 + 2 * PAD)) + 2
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    h, w = shape
    ax, ay = max(0, cx - side // 2), max(0, cy - side // 2)
    return ax, ay, min(w, ax + side), min(h, ay + side)


def framed_icon(thumb: QImage, size: int, border: QColor, dashed: bool = False) -> QIcon:
    """The thumbnail centred on a square canvas with a coloured frame (dashed: cut by the border)."""
    canvas = QPixmap(size, size)
    canvas.fill(QColor("#f4f4f4"))
    p = QPainter(canvas)
    p.drawImage((size - thumb.width()) // 2, (size - thumb.height()) // 2, thumb)
    pen = QPen(border, 3)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    p.setPen(pen)
    p.drawRect(1, 1, size - 3, size - 3)
    p.end()
    return QIcon(canvas)


def blank_icon(size: int) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(QColor("#dddddd"))
    return QIcon(pix)
