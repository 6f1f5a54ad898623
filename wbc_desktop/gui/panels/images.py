"""The list of open images with their state (queued, analysing, done, error, signed)."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from wbc_desktop.gui.document import CANCELLED, DONE, FAILED, NO_MODEL, RUNNING, Document

_MARK = {DONE: "●", RUNNING: "◌", FAILED: "✕", CANCELLED: "–", NO_MODEL: "○"}
_COLOUR = {DONE: "#2ca02c", RUNNING: "#1f77b4", FAILED: "#d62728", CANCELLED: "#7f7f7f", NO_MODEL: "#ff7f0e"}


def unfamiliar(analysis) -> str:
    """The image's flag sentence when it is unlike the training data ('' when familiar or not measured)."""
    from wbc_desktop.core.imaging.familiarity import image_warning

    if analysis is None:
        return ""
    return getattr(analysis, "warning", "") or image_warning(getattr(analysis, "familiarity", None))


class ImageListPanel(QWidget):
    """Click to show an image; the marks say how far each one is."""

    def __init__(self, document: Document, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.doc = document
        self.list = QListWidget(self)
        self.list.setAlternatingRowColors(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.list)
        self.list.currentRowChanged.connect(self._on_row)
        document.entriesChanged.connect(self.rebuild)
        document.entryChanged.connect(self._update_row)
        document.reviewChanged.connect(self._update_row)
        document.currentChanged.connect(self._select_row)

    def rebuild(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for i, _e in enumerate(self.doc.entries):
            self.list.addItem(QListWidgetItem())
            self._update_row(i)
        self.list.setCurrentRow(self.doc.current)
        self.list.blockSignals(False)

    def _update_row(self, i: int) -> None:
        item = self.list.item(i)
        e = self.doc.entry(i)
        if item is None or e is None:
            return
        n = len(e.analysis.cells) if e.analysis is not None else 0
        cells = f"{n} cell" if n == 1 else f"{n} cells"
        detail = {DONE: cells, FAILED: "error", NO_MODEL: "image only"}.get(e.status, e.status)
        sign = "  ✔ signed" if e.signed else ""
        odd = unfamiliar(e.analysis)
        flag = "  ⚠ unfamiliar" if odd else ""
        item.setText(f"{_MARK.get(e.status, '·')} {e.name}\n    {detail}{flag}{sign}")
        colour = _COLOUR.get(e.status, "#555555") if e.status != DONE else ("#b8860b" if odd else None)
        item.setForeground(QColor(colour) if colour else QColor())
        tip = str(e.path) + (f"\n{e.message}" if e.message else "") + (f"\n⚠ {odd}" if odd else "") \
            + "".join(f"\n• {n}" for n in e.notes)
        item.setToolTip(tip)
        item.setData(Qt.ItemDataRole.UserRole, str(e.path))

    def _select_row(self, i: int) -> None:
        if self.list.currentRow() != i:
            self.list.blockSignals(True)
            self.list.setCurrentRow(i)
            self.list.blockSignals(False)

    def _on_row(self, row: int) -> None:
        self.doc.set_current(row)
