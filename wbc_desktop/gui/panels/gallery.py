"""The cell gallery: thumbnails grouped by type, like a CellaVision review screen.

Reclassify by digit key (window actions), context menu, or by dragging thumbnails onto another
group. Every group is always shown, empty ones too, so any type is a drop target.
"""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QMimeData, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from wbc_desktop.core.analysis import UNIDENTIFIED
from wbc_desktop.core.review.store import CELL_TYPES, REVIEW_TYPES

from wbc_desktop.gui.document import Document
from wbc_desktop.gui.palette import cell_summary, display_name, shortcut_key, type_color
from wbc_desktop.gui.viewer.prepare import THUMB
from wbc_desktop.gui.panels.thumbnails import blank_icon, framed_icon

MIME = "application/x-wbc-cell-ids"
GROUP_ORDER = (UNIDENTIFIED,) + CELL_TYPES  # the doubtful cells first: they are the reviewer's work
SORTS = {"Confidence, lowest first": "conf_asc", "Confidence, highest first": "conf_desc", "Cell number": "id"}


class CellList(QListWidget):
    """Thumbnails of one type; accepts cells dropped from other groups."""

    dropped = Signal(list, str)  # cell ids, this list's type

    def __init__(self, cell_type: str, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.cell_type = cell_type
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setWrapping(True)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 14, THUMB + 26))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QListWidget.Shape.NoFrame)

    def ids(self, items: Optional[list] = None) -> list[int]:
        return [int(i.data(Qt.ItemDataRole.UserRole)) for i in (items if items is not None else self.selectedItems())]

    def mimeTypes(self) -> list[str]:
        return [MIME]

    def mimeData(self, items) -> QMimeData:
        md = QMimeData()
        md.setData(MIME, ",".join(map(str, self.ids(list(items)))).encode())
        return md

    def dragEnterEvent(self, e) -> None:
        e.acceptProposedAction() if e.mimeData().hasFormat(MIME) else e.ignore()

    def dragMoveEvent(self, e) -> None:
        e.acceptProposedAction() if e.mimeData().hasFormat(MIME) else e.ignore()

    def dropEvent(self, e) -> None:
        if not e.mimeData().hasFormat(MIME):
            return e.ignore()
        ids = [int(x) for x in bytes(e.mimeData().data(MIME)).decode().split(",") if x]
        e.setDropAction(Qt.DropAction.CopyAction)  # the source must not delete its items; we rebuild
        e.accept()
        QTimer.singleShot(0, lambda: self.dropped.emit(ids, self.cell_type))  # after the drag loop ends

    def fit_height(self) -> None:
        """Grow to show every thumbnail: the outer scroll area scrolls, not each group."""
        per_row = max(1, self.viewport().width() // self.gridSize().width())
        rows = max(1, -(-self.count() // per_row))
        self.setFixedHeight(rows * self.gridSize().height() + 6 if self.count() else 34)


class GalleryPanel(QWidget):
    """All cells of the current image, grouped by final type; selection is shared with the viewer."""

    reclassifyRequested = Signal(list, object)  # cell ids, type (None = back to the model's)
    showInImage = Signal(int)
    thresholdChanged = Signal(float)

    def __init__(self, document: Document, threshold: float = 0.0, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.menu_extras: list[tuple[str, Any]] = []  # (label, fn(cell ids)) added to the context menu (find similar)
        self.doc = document
        self._icons: dict[tuple[str, int, int], QIcon] = {}
        self._syncing = False
        self._dirty = True
        self.sort = QComboBox()
        self.sort.addItems(list(SORTS))
        self.threshold = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=0.99, singleStep=0.05)
        self.threshold.setSpecialValueText("model's")
        self.threshold.setValue(threshold)
        self.threshold.setToolTip("Cells the classifier is less sure of than this go to Unidentified")
        self.summary = QLabel("")
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 3, 6, 3)
        for w in (QLabel("Sort"), self.sort, QLabel("Confidence threshold"), self.threshold):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.summary)
        self.groups: dict[str, CellList] = {}
        self.headers: dict[str, QLabel] = {}
        body = QWidget()
        col = QVBoxLayout(body)
        col.setContentsMargins(6, 6, 6, 6)
        for t in GROUP_ORDER:
            header = QLabel()
            header.setStyleSheet(f"border-left: 6px solid {type_color(t).name()}; padding: 3px 6px; font-weight: 600;")
            lst = CellList(t)
            lst.dropped.connect(lambda ids, t: self.reclassifyRequested.emit(ids, t))
            lst.itemSelectionChanged.connect(self._on_selection)
            lst.itemDoubleClicked.connect(lambda item, lst=lst: self.showInImage.emit(lst.ids([item])[0]))
            lst.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            lst.customContextMenuRequested.connect(lambda pos, lst=lst: self._menu(lst, pos))
            col.addWidget(header)
            col.addWidget(lst)
            self.groups[t], self.headers[t] = lst, header
        col.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(body)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addWidget(self.scroll, 1)
        self.sort.currentIndexChanged.connect(lambda _i: self.rebuild())
        self.threshold.valueChanged.connect(self.thresholdChanged.emit)
        document.currentChanged.connect(lambda _i: self.rebuild())
        document.entryChanged.connect(lambda i: self.rebuild() if i == document.current else None)
        document.reviewChanged.connect(lambda _i: self.rebuild(advance=not document.retyping))
        document.selectionChanged.connect(self._select)
        self._border = document.include_border  # the counting rule the thumbnails were marked with
        document.countsChanged.connect(lambda: self.rebuild() if self._border != document.include_border else None)

    def rebuild(self, advance: bool = False) -> None:
        """Refill every group from the current analysis; deferred while the tab is hidden.

        ``advance``: after a reclassification moved the one selected cell out of its group,
        select the cell that took its place, so a reviewer can type 1, 1, 3, 1... down a group
        without touching the mouse (as on a CellaVision station).
        """
        if not self.isVisible():
            self._dirty = True
            return
        self._dirty = False
        self._border = self.doc.include_border
        before = self._single_selection() if advance else None
        e = self.doc.current_entry
        cells = e.analysis.cells if e is not None and e.analysis is not None else []
        key = SORTS[self.sort.currentText()]
        order = {"conf_asc": lambda c: (not getattr(c, "doubt", ""), c.confidence, c.cell_id),  # doubtful first "conf_desc": lambda c: (-c.confidence, c.cell_id),
                 "id": lambda c: c.cell_id}[key]
        by_type: dict[str, list] = {t: [] for t in GROUP_ORDER}
        for c in sorted(cells, key=order):
            by_type.setdefault(c.final_type if c.final_type in by_type else "unidentified", []).append(c)
        self._syncing = True
        scroll = self.scroll.verticalScrollBar().value()
        for t, lst in self.groups.items():
            lst.clear()
            for c in by_type[t]:
                item = QListWidgetItem(self._icon(e, c), self._caption(c, self.doc.is_counted(c)))
                item.setData(Qt.ItemDataRole.UserRole, c.cell_id)
                item.setToolTip(self._tooltip(c, self.doc.include_border))
                lst.addItem(item)
                item.setSelected(c.cell_id in self.doc.selected)
            key_hint = shortcut_key(t)
            n_in = sum(1 for c in by_type[t] if self.doc.is_counted(c))  # the differential's own rule
            left = len(by_type[t]) - n_in
            out = (f"   <span style='color:#b8860b;font-weight:normal'>+ {left} on the border, not counted</span>"
                   if left else "")
            self.headers[t].setText(f"{display_name(t)}  ·  {n_in}{out}"
                                    + (f"   <span style='color:gray;font-weight:normal'>key {key_hint}</span>"
                                       if key_hint else ""))
            lst.fit_height()
        self._syncing = False
        self.scroll.verticalScrollBar().setValue(scroll)
        if before is not None:
            self._advance_from(*before)
        n_in = sum(1 for c in cells if self.doc.is_counted(c))
        self.summary.setText(f"{n_in} of {len(cells)} cells counted" if n_in != len(cells) else
                             f"{len(cells)} cell{'s' if len(cells) != 1 else ''}")
        if e is not None and e.signed:
            self.summary.setText(self.summary.text() + "  ·  ✔ signed")

    def _single_selection(self) -> Optional[tuple[str, int, int]]:
        """(group, row, cell id) of the only selected thumbnail, if exactly one is selected."""
        found = [(t, lst.row(item), lst.ids([item])[0]) for t, lst in self.groups.items()
                 for item in lst.selectedItems()]
        return found[0] if len(found) == 1 else None

    def _advance_from(self, group: str, row: int, cell_id: int) -> None:
        lst = self.groups[group]
        if cell_id in lst.ids([lst.item(r) for r in range(lst.count())]) or lst.count() == 0:
            return  # the cell stayed (e.g. an undo, or the same type again): nothing to advance
        item = lst.item(min(row, lst.count() - 1))
        self.doc.select(lst.ids([item]))
        lst.setCurrentItem(item)
        self.scroll.ensureWidgetVisible(lst, 0, 0)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.rebuild()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, lambda: [lst.fit_height() for lst in self.groups.values()])

    def selected_ids(self) -> list[int]:
        return [i for lst in self.groups.values() for i in lst.ids()]

    # internals
    def _icon(self, e, c) -> QIcon:
        thumb = e.display.thumbs.get(c.cell_id) if e.display is not None else None
        if thumb is None:
            return blank_icon(THUMB)
        k = (str(e.path), id(e.display), c.cell_id, thumb.cacheKey(), c.cell_type)  # a mask edit redraws thumbs
        if k not in self._icons:
            if len(self._icons) > 5000:
                self._icons.clear()
            self._icons[k] = framed_icon(thumb, THUMB, type_color(c.cell_type), c.touches_border)
        return self._icons[k]

    @staticmethod
    def _caption(c, counted: bool = True) -> str:
        mark = (" ✎" if c.reviewed_type else (" ?" if getattr(c, "doubt", "") else "")) + ("" if counted else " ⊘ border")
        return f"#{c.cell_id} {c.confidence:.2f}{mark}" if c.confidence > 0 else f"#{c.cell_id}{mark}"

    @staticmethod
    def _tooltip(c, include_border: bool = False) -> str:
        title, details, border = cell_summary(c, include_border)
        return "\n".join([title, *details] + ([border] if border else []))

    def _on_selection(self) -> None:
        if not self._syncing:
            self.doc.select(self.selected_ids())

    def _select(self, ids: list) -> None:
        if self._syncing:
            return
        self._syncing = True
        wanted = set(ids)
        for lst in self.groups.values():
            for r in range(lst.count()):
                item = lst.item(r)
                item.setSelected(int(item.data(Qt.ItemDataRole.UserRole)) in wanted)
        self._syncing = False

    def _menu(self, lst: CellList, pos) -> None:
        item = lst.itemAt(pos)
        if item is None:
            return
        if not item.isSelected():
            lst.clearSelection()
            item.setSelected(True)
        ids = self.selected_ids()
        menu = QMenu(self)
        sub = menu.addMenu("Reclassify as")
        for t in REVIEW_TYPES:
            a = QAction(f"{display_name(t)}\t{shortcut_key(t)}", sub)
            a.triggered.connect(lambda _=False, t=t: self.reclassifyRequested.emit(ids, t))
            sub.addAction(a)
        menu.addAction("Restore the model's type", lambda: self.reclassifyRequested.emit(ids, None))
        menu.addSeparator()
        menu.addAction("Show in image", lambda: self.showInImage.emit(ids[0]))
        for label, fn in self.menu_extras:  # e.g. find similar (gui.panels.find_similar)
            menu.addAction(label, lambda fn=fn: fn(ids))
        menu.exec(lst.viewport().mapToGlobal(pos))
