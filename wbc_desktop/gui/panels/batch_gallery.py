"""The batch gallery: every cell of every analysed image in one virtualised grid, grouped by type.

A type list on the left (with counts; a drop target, like the per-image gallery's groups) filters
the grid on the right, a ``QListView`` over :class:`BatchCellModel` with uniform item sizes so
only visible thumbnails are ever made. Digit keys retype the selection (wherever its cells come
from), one batch step undoes with Ctrl+Z, and a double-click opens the cell in its image.
"""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from wbc_desktop.core.review.history import Reclassify
from wbc_desktop.core.review.store import REVIEW_TYPES

from wbc_desktop.gui.palette import display_name, shortcut_key, type_color
from wbc_desktop.gui.panels.batch_model import ALL, BATCH_MIME, GROUP_ORDER, SIMILAR, BatchCellModel
from wbc_desktop.gui.viewer.prepare import THUMB


def parse_picks(data: bytes) -> list[tuple[int, int]]:
    out = []
    for part in data.decode().split(","):
        if ":" in part:
            i, c = part.split(":", 1)
            out.append((int(i), int(c)))
    return out


class TypeList(QListWidget):
    """The groups with their counts; dropping cells on one gives them its type."""

    dropped = Signal(list, str)  # [(entry, cell id)], type

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)

    def dragEnterEvent(self, e) -> None:
        e.acceptProposedAction() if e.mimeData().hasFormat(BATCH_MIME) else e.ignore()

    def dragMoveEvent(self, e) -> None:
        item = self.itemAt(e.position().toPoint())
        ok = e.mimeData().hasFormat(BATCH_MIME) and item is not None and item.data(Qt.ItemDataRole.UserRole) != ALL
        e.acceptProposedAction() if ok else e.ignore()

    def dropEvent(self, e) -> None:
        item = self.itemAt(e.position().toPoint())
        if not e.mimeData().hasFormat(BATCH_MIME) or item is None:
            return e.ignore()
        t = item.data(Qt.ItemDataRole.UserRole)
        picks = parse_picks(bytes(e.mimeData().data(BATCH_MIME)))
        e.setDropAction(Qt.DropAction.CopyAction)
        e.accept()
        if t != ALL:
            QTimer.singleShot(0, lambda: self.dropped.emit(picks, t))


class BatchGalleryPanel(QWidget):
    """All cells of the batch; ``showCell(entry, cell id)`` asks the window to open one in its image."""

    showCell = Signal(int, int)  # open it in the image tab (double-click, Enter)
    cellFocused = Signal(int, int)  # the current thumbnail: its image becomes the current one

    def __init__(self, document: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.doc = document
        self.model = BatchCellModel(document, self)
        self.undo_stack: list[list[tuple[int, Any]]] = []  # per batch step: (entry, the Reclassify done)
        self.menu_extras: list[tuple[str, Any]] = []  # (label, fn(picks)) added to the context menu (find similar)
        self.similar_label = ""  # the SIMILAR group's name in the type list ("" = no such group)
        self._dirty = True
        self.types = TypeList()
        self.types.setMaximumWidth(230)
        self.view = QListView()
        v = self.view
        v.setViewMode(QListView.ViewMode.IconMode)
        v.setResizeMode(QListView.ResizeMode.Adjust)
        v.setMovement(QListView.Movement.Static)
        v.setUniformItemSizes(True)
        v.setLayoutMode(QListView.LayoutMode.Batched)
        v.setBatchSize(200)
        v.setIconSize(QSize(THUMB, THUMB))
        v.setGridSize(QSize(THUMB + 14, THUMB + 40))
        v.setWordWrap(True)
        v.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        v.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        v.setDragEnabled(True)
        v.setModel(self.model)
        v.selectionModel().currentChanged.connect(
            lambda ix, _prev: self.cellFocused.emit(*self.model.picks([ix])[0]) if ix.isValid() else None)
        v.doubleClicked.connect(lambda ix: self.showCell.emit(*self.model.picks([ix])[0]))
        v.activated.connect(lambda ix: self.showCell.emit(*self.model.picks([ix])[0]))
        v.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        v.customContextMenuRequested.connect(self._menu)
        self.summary = QLabel("")
        self.hint = QLabel("Digit keys retype the selected cells · drag them onto a type · Ctrl+Z undoes · "
                           "double-click opens a cell in its image")
        self.hint.setStyleSheet("color: gray")
        split = QSplitter()
        split.addWidget(self.types)
        split.addWidget(v)
        split.setStretchFactor(1, 1)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 3, 6, 3)
        bar.addWidget(self.hint)
        bar.addStretch(1)
        bar.addWidget(self.summary)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addWidget(split, 1)
        self.types.currentItemChanged.connect(self._on_group)
        self.types.dropped.connect(self.reclassify)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self.refresh)
        for sig in (document.reviewChanged, document.entryChanged):
            sig.connect(lambda _i: self.schedule())
        document.entriesChanged.connect(self.schedule)
        document.typesChanged.connect(lambda _ids: self.schedule())  # typed by the lab's examples

    # ---- filling
    def schedule(self) -> None:
        """Coalesce bursts (a batch finishing, a retype of many cells) into one refresh."""
        self._dirty = True
        if self.isVisible():
            self._timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def refresh(self, keep: Optional[tuple[int, int]] = None) -> None:
        """Rebuild the rows; keep the scroll position and the selected cells (or select ``keep``)."""
        if not self.isVisible():
            self._dirty = True
            return
        self._dirty = False
        self._timer.stop()
        selected = keep and [keep] or self.selected_picks()
        scroll = self.view.verticalScrollBar().value()
        self.model.refresh()
        self._fill_types()
        sm = self.view.selectionModel()
        for pick in selected:
            r = self.model.row_of(*pick)
            if r >= 0:
                ix = self.model.index(r)
                sm.select(ix, QItemSelectionModel.SelectionFlag.Select)
                if keep:
                    sm.setCurrentIndex(ix, QItemSelectionModel.SelectionFlag.NoUpdate)
                    self.view.scrollTo(ix)
        if not keep:
            self.view.verticalScrollBar().setValue(scroll)
        n_img = sum(1 for e in self.doc.entries if e.analysis is not None)
        n = sum(self.model.counts.values())
        self.summary.setText(f"{n} cell{'s' if n != 1 else ''} counted in {n_img} image{'s' if n_img != 1 else ''}"
                             + (f" (+ {self.model.excluded} on the border, not counted)" if self.model.excluded else ""))

    def _fill_types(self) -> None:
        self.types.blockSignals(True)
        self.types.clear()
        total = sum(self.model.counts.values())
        if self.similar_label:  # find similar's result, above the types
            item = QListWidgetItem(self.similar_label)
            item.setData(Qt.ItemDataRole.UserRole, SIMILAR)
            self.types.addItem(item)
            if self.model.group == SIMILAR:
                self.types.setCurrentItem(item)
        for t in (ALL,) + GROUP_ORDER:
            n = total if t == ALL else self.model.counts.get(t, 0)
            key = shortcut_key(t) if t != ALL else ""
            name = "All types" if t == ALL else display_name(t)
            item = QListWidgetItem(f"{name}  ·  {n}" + (f"   [{key}]" if key else ""))
            item.setData(Qt.ItemDataRole.UserRole, t)
            if t != ALL:
                item.setForeground(type_color(t).darker(130))
            self.types.addItem(item)
            if t == self.model.group:
                self.types.setCurrentItem(item)
        self.types.blockSignals(False)

    def _on_group(self, item, _prev=None) -> None:
        if item is not None:
            self.model.refresh(item.data(Qt.ItemDataRole.UserRole))
            self.view.scrollToTop()

    # ---- review
    def selected_picks(self) -> list[tuple[int, int]]:
        return self.model.picks(sorted(self.view.selectionModel().selectedIndexes(), key=lambda ix: ix.row()))

    def reclassify_selected(self, cell_type: Optional[str]) -> str:
        return self.reclassify(self.selected_picks(), cell_type)

    def reclassify(self, picks: list[tuple[int, int]], cell_type: Optional[str]) -> str:
        """Retype cells of any images as one batch step; signed images are left alone and said so."""
        if not picks:
            return "Select one or more cells first."
        rows = sorted(self.model.row_of(*p) for p in picks)
        after = self.model.rows[rows[-1] + 1] if rows and rows[-1] + 1 < len(self.model.rows) else None
        by_entry: dict[int, list[int]] = {}
        for i, cid in picks:
            by_entry.setdefault(i, []).append(cid)
        step, signed = [], []
        for i, ids in by_entry.items():
            e = self.doc.entry(i)
            if e is None or e.history is None or e.analysis is None:
                continue
            if e.signed:
                signed.append(e.name)
                continue
            act = Reclassify(tuple(ids), cell_type)
            try:
                e.history.do(act)
            except OSError as err:  # applied in memory; the user must know the save failed
                signed.append(f"{e.name} (autosave failed: {err})")
            e.history.review.apply_to(e.analysis)
            step.append((i, act))
        if step:
            self.undo_stack.append(step)
        self._announce([i for i, _ in step])
        moved = len(picks) == 1 and (cell_type is None or self.model.group not in (ALL, cell_type))
        keep = (after[0], after[1].cell_id) if after is not None and (moved or self.model.group == ALL and
                                                                      len(picks) == 1) else None
        self.refresh(keep=keep)
        return f"Signed, left unchanged: {', '.join(signed)}." if signed else ""

    def undo(self) -> str:
        """Undo the last batch step (each image's history, where that step is still its last)."""
        if not self.undo_stack:
            return "Nothing to undo."
        step = self.undo_stack.pop()
        done = []
        for i, act in reversed(step):
            e = self.doc.entry(i)
            if e is None or e.history is None or not e.history._done or e.history._done[-1] is not act:
                continue  # that image was changed since; its own Ctrl+Z undoes it there
            e.history.undo()
            e.history.review.apply_to(e.analysis)
            done.append(i)
        self._announce(done)
        self.refresh()
        return "" if done else "That step was already changed in its images."

    def _announce(self, entries: list[int]) -> None:
        for i in entries:
            self.doc.reviewChanged.emit(i)
        if entries:
            self.doc.countsChanged.emit()

    def _menu(self, pos) -> None:
        ix = self.view.indexAt(pos)
        if not ix.isValid():
            return
        if not self.view.selectionModel().isSelected(ix):
            self.view.selectionModel().select(ix, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        picks = self.selected_picks()
        menu = QMenu(self)
        sub = menu.addMenu("Reclassify as")
        for t in REVIEW_TYPES:
            sub.addAction(f"{display_name(t)}\t{shortcut_key(t)}", lambda t=t: self.reclassify(picks, t))
        menu.addAction("Restore the model's type", lambda: self.reclassify(picks, None))
        menu.addSeparator()
        menu.addAction("Show in image", lambda: self.showCell.emit(*picks[0]))
        for label, fn in self.menu_extras:
            menu.addAction(label, lambda fn=fn: fn(picks))
        menu.exec(self.view.viewport().mapToGlobal(pos))
