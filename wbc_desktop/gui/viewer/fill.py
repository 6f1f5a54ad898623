"""The filled class-map layer as an editable raster: a brush stroke rewrites only its rectangle.

A ``QGraphicsPixmapItem`` would need a new 4000x3000 pixmap per mouse move (~50 ms); this item
keeps one premultiplied ARGB image whose pixels numpy writes in place through a colour lookup
table, then asks the scene to repaint just that rectangle. Painting draws only the exposed part,
nearest-neighbour, so class edges stay sharp when zoomed in.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem


def image_array(img: QImage, dtype=np.uint8) -> np.ndarray:
    """A writable numpy view (rows x width) of a QImage's pixels (4-byte pixels for uint32)."""
    item = np.dtype(dtype).itemsize
    h, w = img.height(), img.width()
    buf = img.bits()  # detaches a shared image: the view is this image's own memory
    return np.frombuffer(buf, dtype).reshape(h, img.bytesPerLine() // item)[:, :w]


def colour_table(nucleus: str, cytoplasm: str, opacity: float) -> np.ndarray:
    """Premultiplied ARGB32 per class value (0 clear, 1 cytoplasm, 2 nucleus), 256 entries."""
    a = max(0.0, min(1.0, opacity))
    lut = np.zeros(256, np.uint32)
    for value, colour in ((1, cytoplasm), (2, nucleus)):
        c = QColor(colour)
        r, g, b = (int(round(v * a)) for v in (c.red(), c.green(), c.blue()))
        lut[value] = (int(round(255 * a)) << 24) | (r << 16) | (g << 8) | b
    return lut


class FillItem(QGraphicsItem):
    """Draws an ARGB image kept in step with a class map (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self._img: Optional[QImage] = None
        self._px: Optional[np.ndarray] = None
        self._lut = np.zeros(256, np.uint32)

    def set_classes(self, classes: Optional[np.ndarray], lut: np.ndarray) -> None:
        """Render the whole class map (a new image, or a restyle)."""
        self.prepareGeometryChange()
        self._lut = lut
        if classes is None:
            self._img, self._px = None, None
            return
        h, w = classes.shape
        self._img = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
        self._px = image_array(self._img, np.uint32)
        np.take(lut, classes, out=self._px)
        self.update()

    def adopt(self, img: QImage, lut: np.ndarray) -> None:
        """Show a fill coloured elsewhere (the worker) with ``lut``: no per-pixel work here."""
        self.prepareGeometryChange()
        self._lut = lut
        self._img = img
        self._px = image_array(self._img, np.uint32)
        self.update()

    def update_region(self, classes: np.ndarray, box: tuple[int, int, int, int]) -> None:
        """Re-colour the rectangle ``box`` (y0, y1, x0, x1) from ``classes`` and repaint only it."""
        if self._px is None:
            return
        y0, y1, x0, x1 = box
        self._px[y0:y1, x0:x1] = self._lut[classes[y0:y1, x0:x1]]
        self.update(QRectF(x0, y0, x1 - x0, y1 - y0))

    def pixmap(self) -> QPixmap:
        """The fill as a pixmap (tests and the report; not used for drawing)."""
        return QPixmap.fromImage(self._img) if self._img is not None else QPixmap()

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self._img.width(), self._img.height()) if self._img is not None else QRectF()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        if self._img is None:
            return
        r = option.exposedRect.toAlignedRect().intersected(self._img.rect())
        if r.isEmpty():
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(QRectF(r), self._img, QRectF(r))
