"""The differential count: per type, for the current image and the whole batch, live."""

from __future__ import annotations

from html import escape
from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import QCheckBox, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from wbc_desktop.core.analysis import UNIDENTIFIED
from wbc_desktop.core.export.differential import NOT_WBC, percent_of_wbc, wbc_total
from wbc_desktop.core.review.caveats import lines as caveat_lines
from wbc_desktop.core.review.caveats import plural, scale_assumed
from wbc_desktop.core.review.store import REVIEW_TYPES

from wbc_desktop.gui.document import Document
from wbc_desktop.gui.palette import display_name, type_color
from wbc_desktop.gui.units import scale_note

COLUMNS = ["Type", "Image", "%", "Batch", "%"]


def percent_table(counts: dict[str, int]) -> dict[str, tuple[int, float]]:
    """Count and percent of the WBCs per type (platelets/erythroblasts: per 100 WBC)."""
    return percent_of_wbc(counts)


class CountPanel(QWidget):
    """Table of counts; redrawn on every Document.countsChanged (reclassify, threshold, new result)."""

    includeBorderChanged = Signal(bool)

    def __init__(self, document: Document, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.doc = document
        self.title = QLabel("No image")
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for i in range(1, len(COLUMNS)):
            hh.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        self.caveats = QLabel("")  # what the count rests on: never hidden, signed or not
        self.caveats.setWordWrap(True)
        self.caveats.setTextFormat(Qt.TextFormat.RichText)
        self.caveats.setStyleSheet("QLabel { background: #fff4d6; color: #4a3b00; border: 1px solid #e0c060; "
                                   "border-radius: 3px; padding: 4px; }")
        self.border = QCheckBox("Count cells cut by the image border")
        self.border.setChecked(document.include_border)
        self.border.toggled.connect(self.includeBorderChanged.emit)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.title)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.caveats)
        lay.addWidget(self.border)
        document.countsChanged.connect(self.refresh)
        document.currentChanged.connect(lambda _i: self.refresh())
        document.reviewChanged.connect(lambda _i: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        e = self.doc.current_entry
        review = e.review if e is not None else None
        cav_i, cav_b = self.doc.caveats(), self.doc.caveats(batch=True)
        key = (self.doc.image_counts(), self.doc.batch_counts(), e.name if e is not None else None,
               (review.signed_by, review.signed_at) if review is not None else None, len(self.doc.analyses()),
               cav_i, cav_b, e.um if e is not None else None)
        if key == getattr(self, "_shown", None):
            return  # nothing changed (an edit emits both countsChanged and reviewChanged)
        self._shown = key
        img = percent_table(key[0])
        batch = percent_table(key[1])
        types = list(REVIEW_TYPES) + sorted((set(img) | set(batch)) - set(REVIEW_TYPES))
        # as in the CSV: the WBC types, unidentified, the WBC total (100 %), then the
        # non-leukocytes per 100 WBC
        others = [t for t in NOT_WBC if t in types]
        types = [t for t in types if t != UNIDENTIFIED and t not in NOT_WBC] + [UNIDENTIFIED]
        self.table.setRowCount(len(types) + 1 + len(others))
        bold = QFont()
        bold.setBold(True)
        for r, t in enumerate(types):
            self._type_row(r, t, img, batch)
        total_i = wbc_total(self.doc.image_counts())
        total_b = wbc_total(self.doc.batch_counts())
        self._row(len(types), ["WBC total", str(total_i), "100" if total_i else "0", str(total_b),
                               "100" if total_b else "0"], None, bold)
        for r, t in enumerate(others, start=len(types) + 1):
            self._type_row(r, t, img, batch, suffix=" (per 100 WBC)")
        e = self.doc.current_entry
        n_images = len(self.doc.analyses())
        if e is None:
            self.title.setText("No image")
        else:
            sig = (f"✔ signed by {e.review.signed_by} ({(e.review.signed_at or '')[:16]})"
                   if e.signed else "not signed")
            scale = scale_note(e.analysis, e.um)
            warn = e.analysis is not None and scale_assumed(e.analysis)
            scale = f"<br><span style='color:{'#b35900' if warn else 'gray'}'>{'⚠ ' if warn else ''}{scale}</span>" \
                if scale else ""
            self.title.setText(f"<b>{e.name}</b> — {sig}{scale}<br>Batch: {plural(n_images, 'analysed image')}")
        self._show_caveats(cav_i, cav_b)

    def _show_caveats(self, cav_i, cav_b) -> None:
        """The caveats of the image and, when it holds more, of the batch; hidden only when there are none."""
        inc = self.doc.include_border
        img, batch = caveat_lines(cav_i, inc), caveat_lines(cav_b, inc) if cav_b.images > 1 else []
        parts = []
        if img:
            parts.append("<b>This image's count rests on:</b><ul style='margin:0'>"
                         + "".join(f"<li>{escape(t)}</li>" for t in img) + "</ul>")
        if batch:
            parts.append("<b>The batch's count rests on:</b><ul style='margin:0'>"
                         + "".join(f"<li>{escape(t)}</li>" for t in batch) + "</ul>")
        self.caveats.setText("".join(parts))
        self.caveats.setVisible(bool(parts))

    def _type_row(self, r: int, t: str, img: dict, batch: dict, suffix: str = "") -> None:
        n, p = img.get(t, (0, 0.0))
        bn, bp = batch.get(t, (0, 0.0))
        self._row(r, [display_name(t) + suffix, str(n), f"{p:.1f}", str(bn), f"{bp:.1f}"], t)

    def _row(self, r: int, values: list[str], cell_type: Optional[str], font: Optional[QFont] = None) -> None:
        for c, v in enumerate(values):
            item = QTableWidgetItem(v)
            if c > 0:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if c == 0 and cell_type is not None:
                item.setForeground(QBrush(type_color(cell_type)))
            if font is not None:
                item.setFont(font)
            self.table.setItem(r, c, item)

    def value(self, cell_type: str, column: str = "Image") -> str:
        """The text shown for a type and column (used by tests and the report)."""
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).text().split(" (per 100")[0] == display_name(cell_type):
                return self.table.item(r, COLUMNS.index(column)).text()
        raise KeyError(cell_type)
