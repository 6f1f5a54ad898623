"""Nucleus/cytoplasm overlay layers: a filled class-map raster and vector outlines.

The fill is an indexed image shown as a nearest-neighbour pixmap (class edges stay sharp when
zoomed in; restyling only swaps a 3-colour table). Outlines are one path item per cell, drawn
with cosmetic pens (one screen pixel wide at any zoom) and culled by the scene index when off
screen. ``set_data`` takes any :class:`prepare.DisplayData`; the editing tools change one
rectangle of the fill (``update_region``) and the outlines of the cells they touched
(``set_outlines``) without redrawing the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from PySide6.QtGui import QColor, QImage, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene

from wbc_desktop.gui.viewer.fill import FillItem, colour_table, image_array
import numpy as np

from wbc_desktop.gui.viewer import prepare as prepare_mod
from wbc_desktop.gui.viewer.prepare import DisplayData


@dataclass
class OverlayStyle:
    """How the masks look; persisted by the settings."""

    nucleus: str = "#3b1fd1"
    cytoplasm: str = "#19c3a6"
    opacity: float = 0.35
    fill: bool = True
    outline: bool = True
    boxes: bool = True


def styled_classes(classes: QImage, style: OverlayStyle) -> QImage:
    """The indexed class map with the style's colours and opacity in its colour table."""
    a = int(round(255 * max(0.0, min(1.0, style.opacity))))
    table = [0] * 256
    for value, colour in ((1, style.cytoplasm), (2, style.nucleus)):
        c = QColor(colour)
        c.setAlpha(a)
        table[value] = c.rgba()
    img = QImage(classes)  # shallow copy; setColorTable detaches only the table
    img.setColorTable(table)
    return img


class MaskLayer:
    """Filled masks plus outlines on one scene; shown, hidden and restyled as a unit."""

    def __init__(self, scene: QGraphicsScene, style: Optional[OverlayStyle] = None) -> None:
        self.style = style or OverlayStyle()
        self.scene = scene
        self.fill_item = FillItem()  # nearest neighbour, editable in place
        self.fill_item.setZValue(1)
        scene.addItem(self.fill_item)
        # Empty parents: hiding one hides all its cells' outlines in one call.
        self.cell_group, self.nucleus_group = QGraphicsPathItem(), QGraphicsPathItem()
        for z, group in ((2, self.cell_group), (3, self.nucleus_group)):
            group.setZValue(z)
            scene.addItem(group)
        self.cell_items: dict[int, QGraphicsPathItem] = {}
        self.nucleus_items: dict[int, QGraphicsPathItem] = {}
        self._classes: Optional[QImage] = None
        self._data: Optional[DisplayData] = None
        self.visible = True
        prepare_mod.FILL_LUT = colour_table(self.style.nucleus, self.style.cytoplasm, self.style.opacity)

    def set_data(self, data: Optional[DisplayData]) -> None:
        """New masks (or none)."""
        for item in list(self.cell_items.values()) + list(self.nucleus_items.values()):
            self.scene.removeItem(item)
        self.cell_items, self.nucleus_items = {}, {}
        self._classes = data.classes if data is not None else None
        self._data = data  # its fill is the one shown (edits write into both), kept for the next showing
        lut = colour_table(self.style.nucleus, self.style.cytoplasm, self.style.opacity)
        if data is not None and data.fill is not None and data.fill_lut is not None \
                and np.array_equal(data.fill_lut, lut):
            self.fill_item.adopt(data.fill, lut)  # coloured in the worker with these colours
        else:
            self._render_fill()
        if data is not None:
            for items, paths, group in ((self.cell_items, data.cell_paths, self.cell_group),
                                        (self.nucleus_items, data.nucleus_paths, self.nucleus_group)):
                for cid, path in paths.items():
                    items[cid] = QGraphicsPathItem(path, group)
        self._apply_pens()
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

    def outline_path(self, part: str = "nucleus") -> QPainterPath:
        """All outlines of one part merged (for tests and the report)."""
        out = QPainterPath()
        for item in (self.nucleus_items if part == "nucleus" else self.cell_items).values():
            out.addPath(item.path())
        return out

    def _render_fill(self) -> None:
        lut = colour_table(self.style.nucleus, self.style.cytoplasm, self.style.opacity)
        prepare_mod.FILL_LUT = lut  # the worker colours the next results the same way
        self.fill_item.set_classes(image_array(self._classes) if self._classes is not None else None, lut)
        if self._data is not None and self._classes is not None:
            self._data.fill, self._data.fill_lut = self.fill_item._img, lut

    def update_region(self, class_map, box: tuple[int, int, int, int]) -> None:
        """An edit changed ``box`` (y0, y1, x0, x1) of ``class_map``: copy it into the shown masks."""
        if self._classes is None:
            return
        y0, y1, x0, x1 = box
        view = image_array(self._classes)
        view[y0:y1, x0:x1] = class_map[y0:y1, x0:x1]
        self.fill_item.update_region(view, box)

    def set_outlines(self, paths: dict[int, tuple[QPainterPath, QPainterPath]], removed=()) -> None:
        """New outlines (cell, nucleus) for some cells; ``removed`` cells lose theirs."""
        for cid in list(removed) + list(paths):
            for items in (self.cell_items, self.nucleus_items):
                item = items.pop(cid, None)
                if item is not None:
                    self.scene.removeItem(item)
        for cid, (cell, nucleus) in paths.items():
            self.cell_items[cid] = QGraphicsPathItem(cell, self.cell_group)
            self.nucleus_items[cid] = QGraphicsPathItem(nucleus, self.nucleus_group)
        self._apply_pens()

    def _apply_pens(self) -> None:
        for items, colour in ((self.cell_items, self.style.cytoplasm), (self.nucleus_items, self.style.nucleus)):
            pen = QPen(QColor(colour), 0)
            # Cosmetic: one screen pixel at every zoom. Width 1 takes Qt's fast line path;
            # wider cosmetic pens go through the stroker and cost 3x per frame.
            pen.setCosmetic(True)
            for item in items.values():
                item.setPen(pen)

    def _update_visibility(self) -> None:
        self.fill_item.setVisible(self.visible and self.style.fill and self._classes is not None)
        self.cell_group.setVisible(self.visible and self.style.outline)
        self.nucleus_group.setVisible(self.visible and self.style.outline)
