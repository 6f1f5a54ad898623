"""Every cell of every analysed image as one flat, sorted list model for a virtualised gallery.

Rows are (entry index, cell); the view asks only for the rows it paints, and each thumbnail is
framed on first request and cached (an LRU keyed by image, analysis and cell), so opening a batch
of thousands of cells costs one sort, not thousands of pixmaps.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Optional

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, QSize, Qt
from PySide6.QtGui import QIcon

from wbc_desktop.core.analysis import UNIDENTIFIED
from wbc_desktop.core.review.store import CELL_TYPES

from wbc_desktop.gui.palette import cell_summary, display_name, type_color
from wbc_desktop.gui.panels.thumbnails import blank_icon, framed_icon
from wbc_desktop.gui.viewer.prepare import THUMB, focus_box, thumbnail

BATCH_MIME = "application/x-wbc-batch-cells"  # "entry:cell,entry:cell"
GROUP_ORDER = (UNIDENTIFIED,) + CELL_TYPES
ALL = "__all__"
SIMILAR = "__similar__"  # find similar: the cells nearest to one cell, most similar first (gui.panels.find_similar)
CACHE = 3000  # framed thumbnails kept; a screenful is ~60


def group_of(cell) -> str:
    t = cell.final_type
    return t if t in GROUP_ORDER else UNIDENTIFIED


class BatchCellModel(QAbstractListModel):
    """Cells of the Document's analysed images, grouped by type, least sure first within a group."""

    EntryRole = Qt.ItemDataRole.UserRole + 1
    CellRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, document: Any, parent: Optional[Any] = None) -> None:
        super().__init__(parent)
        self.doc = document
        self.rows: list[tuple[int, Any]] = []
        self.group = ALL
        self.counts: dict[str, int] = {}
        self.excluded = 0
        self.similar: list[tuple[int, int, float]] = []  # (entry, cell id, similarity) for the SIMILAR group
        self._sim: dict[tuple[int, int], float] = {}
        self._icons: OrderedDict[tuple, QIcon] = OrderedDict()
        self._blank = blank_icon(THUMB)

    # ---- filling
    def refresh(self, group: Optional[str] = None) -> None:
        """Gather and sort every cell again (one pass; no thumbnails are made here)."""
        if group is not None:
            self.group = group
        rank = {t: k for k, t in enumerate(GROUP_ORDER)}
        cells = []
        counts = {t: 0 for t in GROUP_ORDER}
        self.excluded = 0  # cells on the border, shown but not counted (the differential's rule)
        for i, e in enumerate(self.doc.entries):
            if e.analysis is None:
                continue
            for c in e.analysis.cells:
                g = group_of(c)
                if self.doc.is_counted(c):
                    counts[g] += 1
                else:
                    self.excluded += 1
                if self.group in (ALL, g):
                    cells.append((rank[g], c.confidence, i, c.cell_id, c))
        cells.sort(key=lambda r: r[:4])
        rows = [(i, c) for _, _, i, _, c in cells]
        if self.group == SIMILAR:  # in similarity order; cells removed since are left out
            by_key = {(i, c.cell_id): c for i, e in enumerate(self.doc.entries) if e.analysis is not None
                      for c in e.analysis.cells}
            rows = [(i, by_key[(i, cid)]) for i, cid, _ in self.similar if (i, cid) in by_key]
            self._sim = {(i, cid): sim for i, cid, sim in self.similar}
        self.beginResetModel()
        self.rows = rows
        self.counts = counts
        self.endResetModel()

    # ---- Qt model
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        i, c = self.rows[index.row()]
        if role == Qt.ItemDataRole.DecorationRole:
            return self.icon(i, c)
        if role == Qt.ItemDataRole.DisplayRole:
            e = self.doc.entries[i]
            mark = (" ✎" if c.reviewed_type else "") + ("" if self.doc.is_counted(c) else " ⊘ border")
            conf = f" {c.confidence:.2f}" if c.confidence > 0 else ""
            if self.group == SIMILAR:  # how alike, in place of the confidence
                conf = f" ≈{self._sim.get((i, c.cell_id), 0.0):.2f}"
            return f"{display_name(group_of(c))}{conf}{mark}\n{e.path.stem[:14]} #{c.cell_id}"
        if role == Qt.ItemDataRole.ToolTipRole:
            title, details, border = cell_summary(c, self.doc.include_border)
            return "\n".join([f"{self.doc.entries[i].name}: {title}", *details] + ([border] if border else []))
        if role == self.EntryRole:
            return i
        if role == self.CellRole:
            return c.cell_id
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(THUMB + 14, THUMB + 36)
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        f = super().flags(index)
        return f | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else f

    def mimeTypes(self) -> list[str]:
        return [BATCH_MIME]

    def mimeData(self, indexes) -> QMimeData:
        md = QMimeData()
        md.setData(BATCH_MIME, ",".join(f"{i}:{cid}" for i, cid in self.picks(indexes)).encode())
        return md

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    # ---- helpers
    def picks(self, indexes) -> list[tuple[int, int]]:
        out = []
        for ix in indexes:
            if ix.isValid() and ix.row() < len(self.rows):
                i, c = self.rows[ix.row()]
                out.append((i, c.cell_id))
        return out

    def row_of(self, entry: int, cell_id: int) -> int:
        for r, (i, c) in enumerate(self.rows):
            if i == entry and c.cell_id == cell_id:
                return r
        return -1

    def icon(self, i: int, c) -> QIcon:
        """The framed thumbnail, cut on first request (from the worker's crop, else from the pixels)."""
        e = self.doc.entries[i]
        thumb = e.display.thumbs.get(c.cell_id) if e.display is not None else None
        # the worker's crop is replaced when a mask edit reshapes the cell: its cacheKey changes with it
        key = (str(e.path), id(e.analysis), c.cell_id, group_of(c), c.touches_border,
               thumb.cacheKey() if thumb is not None else tuple(c.bbox))
        icon = self._icons.get(key)
        if icon is not None:
            self._icons.move_to_end(key)
            return icon
        if thumb is None and e.image is not None:
            thumb = thumbnail(e.image.pixels, focus_box(e.analysis, c))
        if thumb is None:
            return self._blank
        icon = framed_icon(thumb, THUMB, type_color(group_of(c)), c.touches_border)
        self._icons[key] = icon
        if len(self._icons) > CACHE:
            self._icons.popitem(last=False)
        return icon
