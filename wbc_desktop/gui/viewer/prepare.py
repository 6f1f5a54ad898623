"""Everything the viewer and gallery draw, made in the worker thread so the GUI never waits.

QImage and QPainterPath are reentrant value types, safe to build off the GUI thread; the GUI
thread then only wraps them (QPixmap.fromImage, setPath). Rerun it on an edited class map.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage, QPainterPath, QPolygonF

from wbc_desktop.gui.viewer.contours import cell_outlines_by_cell

THUMB = 112  # gallery thumbnail side in pixels


@dataclass
class DisplayData:
    """Drawable forms of one image and its analysis."""

    image: QImage  # RGB32, the picture itself
    classes: Optional[QImage] = None  # Indexed8 class map: the overlay layer sets the colour table
    cell_paths: dict[int, QPainterPath] = field(default_factory=dict)
    nucleus_paths: dict[int, QPainterPath] = field(default_factory=dict)
    thumbs: dict[int, QImage] = field(default_factory=dict)
    fill: Optional[QImage] = None  # ARGB32 premultiplied fill coloured with ``fill_lut`` (made here, not on the GUI thread)
    fill_lut: Optional[np.ndarray] = None


#: The fill colours the overlay shows now (set by the overlay layer on each style change): the worker
#: colours the masks with them, so a 4000x3000 result reaches the screen without a 100+ ms recolour
#: on the GUI thread. A style changed meanwhile is recoloured there, as before.
FILL_LUT: Optional[np.ndarray] = None


def coloured(class_map: np.ndarray, lut: np.ndarray) -> QImage:
    """The class map through a premultiplied-ARGB lookup table, as an image the fill layer adopts."""
    h, w = class_map.shape
    img = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    from wbc_desktop.gui.viewer.fill import image_array

    image_array(img, np.uint32)[...] = lut[class_map]
    return img


def rgb32(pixels: np.ndarray) -> QImage:
    """HxWx3 uint8 -> an owning QImage in the format the raster engine paints fastest."""
    a = np.ascontiguousarray(pixels)
    h, w = a.shape[:2]
    return QImage(a.data, w, h, a.strides[0], QImage.Format.Format_RGB888).convertToFormat(
        QImage.Format.Format_RGB32)


def indexed(class_map: np.ndarray) -> QImage:
    """A class map as an 8-bit indexed image; recolouring is then a 3-entry colour table."""
    a = np.ascontiguousarray(class_map.astype(np.uint8, copy=False))
    h, w = a.shape
    img = QImage(a.data, w, h, a.strides[0], QImage.Format.Format_Indexed8).copy()
    img.setColorTable([0] * 256)
    return img


def _path(polys: list[np.ndarray]) -> QPainterPath:
    path = QPainterPath()
    for xy in polys:
        path.addPolygon(QPolygonF([QPointF(float(x), float(y)) for x, y in xy]))
        path.closeSubpath()
    return path


def thumbnail(pixels: np.ndarray, bbox: tuple[int, int, int, int], size: int = THUMB) -> QImage:
    """A square crop around the cell with some context, scaled to ``size``."""
    from wbc_desktop.gui.panels.thumbnails import crop_box

    x0, y0, x1, y1 = crop_box(bbox, pixels.shape[:2])
    return _scaled(rgb32(pixels[y0:y1, x0:x1]), size)


def _scaled(img: QImage, size: int = THUMB) -> QImage:
    return img.scaled(size - 6, size - 6, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)


def prepare(pixels: np.ndarray, analysis=None, image: Optional[QImage] = None,
            crops: Optional[dict[int, np.ndarray]] = None) -> DisplayData:
    """Build the drawable data (runs in the worker, right after the analysis).

    ``image``: the preview's picture of the same pixels; reusing it lets the view keep the
    pixmap it already shows instead of converting a large image again on the GUI thread.
    ``crops``: full-resolution pictures of the cells by id (a whole slide's, ``core.slide_view``,
    where a cell is a few overview pixels wide); the thumbnails are made from them.
    """
    data = DisplayData(image if image is not None else rgb32(pixels))
    if analysis is None:
        return data
    data.classes = indexed(analysis.class_map)
    lut = FILL_LUT
    if lut is not None:
        data.fill, data.fill_lut = coloured(analysis.class_map, lut), lut
    for cid, parts in cell_outlines_by_cell(analysis.class_map, analysis.instances, analysis.cells).items():
        data.cell_paths[cid] = _path(parts["cell"])
        data.nucleus_paths[cid] = _path(parts["nucleus"])
    for c in analysis.cells:
        if crops is None:
            data.thumbs[c.cell_id] = thumbnail(pixels, focus_box(analysis, c))
        elif c.cell_id in crops:
            data.thumbs[c.cell_id] = _scaled(rgb32(crops[c.cell_id]))
    return data


def focus_box(analysis, cell) -> tuple[int, int, int, int]:
    """The part of a cell a reviewer looks at: its nucleus with a cell's worth of margin.

    Centred on the nucleus and at most ~2.4x its size, so a thumbnail shows the WBC itself even
    where the cytoplasm mask runs wide; the whole cell box when there is no nucleus.
    """
    x0, y0, x1, y1 = cell.bbox
    nuc = (analysis.instances[y0:y1, x0:x1] == cell.cell_id) & (analysis.class_map[y0:y1, x0:x1] == 2)
    ys, xs = np.nonzero(nuc)
    if len(xs) == 0:
        return cell.bbox
    nx0, nx1, ny0, ny1 = xs.min() + x0, xs.max() + x0 + 1, ys.min() + y0, ys.max() + y0 + 1
    side = max(nx1 - nx0, ny1 - ny0) * 1.6  # crop_box adds 25% each side: ~2.4x the nucleus
    cell_side = max(x1 - x0, y1 - y0)
    side = min(max(side, 0.6 * cell_side), cell_side)  # a nucleus fragment must not zoom in too far
    cx, cy = (nx0 + nx1) / 2, (ny0 + ny1) / 2
    return int(cx - side / 2), int(cy - side / 2), int(cx + side / 2), int(cy + side / 2)
