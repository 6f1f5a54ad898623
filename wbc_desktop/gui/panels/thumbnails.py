"""Square cell thumbnails cut from the image, with the cell outlined, for the gallery."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPen, QPixmap

from ..viewer.image_view import to_qimage

PAD = 0.25  # context around the cell, as a fraction of its size


def crop_box(bbox: tuple[int, int, int, int], shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """A square around the cell with some context, clipped to the image."""
    x0, y0, x1, y1 = bbox
    side = int(max(x1 - x0, y1 - y0) * (1 + 2 * PAD)) + 2
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    h, w = shape
    ax, ay = max(0, cx - side // 2), max(0, cy - side // 2)
    return ax, ay, min(w, ax + side), min(h, ay + side)


def cell_icon(pixels: np.ndarray, cell, size: int, border: QColor) -> QIcon:
    """The cell on a square canvas of ``size`` px with a coloured frame (its type colour)."""
    x0, y0, x1, y1 = crop_box(cell.bbox, pixels.shape[:2])
    crop = to_qimage(pixels[y0:y1, x0:x1])
    scaled = crop.scaled(size - 6, size - 6, Qt.AspectRatioMode.KeepAspectRatio,
                         Qt.TransformationMode.SmoothTransformation)
    canvas = QPixmap(size, size)
    canvas.fill(QColor("#f4f4f4"))
    p = QPainter(canvas)
    p.drawImage((size - scaled.width()) // 2, (size - scaled.height()) // 2, scaled)
    pen = QPen(border, 3)
    if cell.touches_border:
        pen.setStyle(Qt.PenStyle.DashLine)
    p.setPen(pen)
    p.drawRect(1, 1, size - 3, size - 3)
    p.end()
    return QIcon(canvas)


def blank_icon(size: int) -> QIcon:
    img = QImage(size, size, QImage.Format.Format_RGB32)
    img.fill(QColor("#dddddd"))
    return QIcon(QPixmap.fromImage(img))
