"""What a retraining did, measured: before/after on held-out images, both domains, overlays.

:class:`ResultView` shows the engine's figures as they came (nothing is computed here): per
model the held-out score of the old and the new version and the same on the original
(shipped) domain, then one row per held-out image, then the old and new overlays side by side.
It serves the wizard's last page and the dialog that follows a one-click retraining.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QGridLayout, QHeaderView, QLabel, QScrollArea, QTableWidget, QTableWidgetItem,
    QTabWidget, QVBoxLayout, QWidget, QWizardPage,
)

METRIC = {"segmenter": "Dice", "classifier": "accuracy"}
OVERLAY_PX = 230  # each overlay's side on the page: three images of a row fit side by side
FORGET_TOLERANCE = 0.01  # the bound on the loss in the original domain
GOOD, BAD = QColor(30, 130, 60), QColor(190, 40, 40)


def fmt(kind: str, value: Any) -> str:
    """Dice as 0.927, accuracy as 92.7 %; '–' when the engine gave none."""
    if value is None:
        return "–"
    v = float(value)
    return f"{100 * v:.1f} %" if kind == "classifier" else f"{v:.3f}"


def fmt_change(kind: str, before: Any, after: Any) -> tuple[str, Optional[QColor]]:
    if before is None or after is None:
        return "–", None
    d = float(after) - float(before)
    text = f"{100 * d:+.1f} pt" if kind == "classifier" else f"{d:+.3f}"
    return text, (GOOD if d > 0.0005 else BAD if d < -0.0005 else None)


def to_pixmap(rgb: np.ndarray) -> QPixmap:
    rgb = np.ascontiguousarray(rgb[..., :3].astype(np.uint8))
    h, w = rgb.shape[:2]
    return QPixmap.fromImage(QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy())


def _item(text: str, colour: Optional[QColor] = None) -> QTableWidgetItem:
    it = QTableWidgetItem(text)
    it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if colour is not None:
        it.setForeground(colour)
    return it


def _table(headers: list[str], rows: list[list[tuple[str, Optional[QColor]]]]) -> QTableWidget:
    t = QTableWidget(len(rows), len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    for r, row in enumerate(rows):
        for c, (text, colour) in enumerate(row):
            t.setItem(r, c, _item(text, colour))
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return t


def forgetting_warnings(metrics: dict) -> list[str]:
    """One line per model whose original-domain score fell by more than the issue's 0.01 (1 point)."""
    out = []
    for kind, m in metrics.items():
        b, a = m.get("original_before"), m.get("original_after")
        if b is not None and a is not None and float(b) - float(a) > FORGET_TOLERANCE:
            out.append(f"Careful: the new {kind} is worse on the original domain ({fmt(kind, b)} → {fmt(kind, a)}); "
                       "images like the shipped models' may be read less well. Consider Discard, a lower learning "
                       "rate or replay on.")
    return out


def image_row(kind: str, r: dict) -> list[tuple[str, Optional[QColor]]]:
    """One held-out image: Dice before/after, or the cell's type before/after against the person's."""
    if "true" in r:  # a typed cell: right or wrong, and what it was called
        def call(t: Any, ok: Any) -> tuple[str, Optional[QColor]]:
            return (f"{t or '?'} {'✓' if ok else '✗'}", GOOD if ok else BAD)

        return [(str(r.get("image", "?")), None), (f"{kind}: {r['true']}", None),
                call(r.get("before_type"), r.get("before")), call(r.get("after_type"), r.get("after")),
                fmt_change(kind, r.get("before"), r.get("after"))]
    return [(str(r.get("image", "?")), None), (kind, None), (fmt(kind, r.get("before")), None),
            (fmt(kind, r.get("after")), None), fmt_change(kind, r.get("before"), r.get("after"))]


class ResultView(QWidget):
    """Figures and overlays of one retraining (see the module docstring)."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.summary: Optional[QTableWidget] = None
        self.per_image: Optional[QTableWidget] = None
        self.overlay_labels: list[QLabel] = []

    def set_result(self, result: Any, previews: list[dict]) -> None:
        while self.layout_.count():
            w = self.layout_.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        metrics = getattr(result, "metrics", {}) or {}
        versions = getattr(result, "versions", {}) or {}
        head = QLabel("New version" + ("s" if len(versions) > 1 else "") + ": "
                      + ", ".join(f"{k} <b>{v.name if hasattr(v, 'name') else v}</b>" for k, v in versions.items())
                      + ". Held out: this project's images the training never saw. Original domain: images the "
                        "shipped models were made for, to show that nothing already read well was lost ("
                      + "; ".join(f"{k}: {m['original_domain']}" for k, m in metrics.items() if m.get("original_domain"))
                      + ").")
        head.setWordWrap(True)
        self.layout_.addWidget(head)
        for text in forgetting_warnings(metrics):
            warn = QLabel(text)
            warn.setWordWrap(True)
            warn.setStyleSheet("color: #b02020; font-weight: bold;")
            self.layout_.addWidget(warn)
        notes = [str(n) for n in (getattr(result, "messages", None) or [])]
        if notes:
            note = QLabel("Notes: " + "; ".join(notes))
            note.setWordWrap(True)
            self.layout_.addWidget(note)
        rows = []
        for kind, m in metrics.items():
            rows.append([(f"{kind} ({METRIC.get(kind, 'score')})", None),
                         (f"{m.get('n_train', '?')} / {m.get('n_val', '?')}", None),
                         (fmt(kind, m.get("before")), None), (fmt(kind, m.get("after")), None),
                         fmt_change(kind, m.get("before"), m.get("after")),
                         (fmt(kind, m.get("original_before")), None), (fmt(kind, m.get("original_after")), None),
                         fmt_change(kind, m.get("original_before"), m.get("original_after"))])
        self.summary = _table(["Model", "Trained / held out", "Held out: before", "after", "change",
                               "Original domain: before", "after", "change"], rows)
        self.summary.setToolTip("\n".join(f"{k}, original domain: {m['original_domain']}"
                                          for k, m in metrics.items() if m.get("original_domain")))
        self.summary.setMaximumHeight(40 + 32 * max(1, len(rows)))
        self.layout_.addWidget(self.summary)
        tabs = QTabWidget()
        tabs.addTab(self._overlays(previews), "Old and new overlays")
        img_rows = [image_row(kind, r) for kind, m in metrics.items() for r in (m.get("per_image") or [])]
        self.per_image = _table(["Held-out image", "Model", "Before", "After", "Change"], img_rows)
        tabs.addTab(self.per_image, f"Per image ({len(img_rows)})")
        self.layout_.addWidget(tabs, 1)

    def _overlays(self, previews: list[dict]) -> QWidget:
        self.overlay_labels = []
        box = QWidget()
        grid = QGridLayout(box)
        if not previews:
            grid.addWidget(QLabel("No overlays: the segmenter was not retrained, or its held-out images could not "
                                  "be read."), 0, 0)
        for c, title in enumerate(("Image", "Old model", "New model", "Person's correction")):
            if previews:
                grid.addWidget(QLabel(f"<b>{title}</b>"), 0, c)
        for r, p in enumerate(previews, 1):
            grid.addWidget(QLabel(str(p.get("image", ""))), r, 0, Qt.AlignmentFlag.AlignTop)
            for c, key in enumerate(("old", "new", "truth"), 1):
                if p.get(key) is None:
                    continue
                lab = QLabel()
                pix = to_pixmap(p[key])
                lab.setPixmap(pix.scaled(OVERLAY_PX, OVERLAY_PX, Qt.AspectRatioMode.KeepAspectRatio,
                                         Qt.TransformationMode.SmoothTransformation) if pix.width() > OVERLAY_PX else pix)
                self.overlay_labels.append(lab)
                grid.addWidget(lab, r, c)
        grid.setRowStretch(len(previews) + 1, 1)
        grid.setColumnStretch(4, 1)
        scroll = QScrollArea()
        scroll.setWidget(box)
        scroll.setWidgetResizable(True)
        return scroll


class ResultPage(QWizardPage):
    """The wizard's last page: the figures, then Accept (activate) or Discard."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setTitle("Result")
        self.setSubTitle("Accept makes the new models active (you can roll back in Model versions); "
                         "Discard deletes them.")
        self.view = ResultView()
        lay = QVBoxLayout(self)
        lay.addWidget(self.view, 1)

    def show_result(self, result: Any, previews: list[dict]) -> None:
        self.view.set_result(result, previews)


class ResultDialog(QDialog):
    """After a one-click retraining: the figures with Accept / Discard / Decide later."""

    def __init__(self, retrainer: Any, result: Any, previews: list[dict], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Retraining finished")
        self.retrainer, self.result = retrainer, result
        self.view = ResultView()
        # Filled on the next turn of the event loop: showing the dialog and drawing its tables
        # and overlays then make two short pauses of the window, not one long one.
        QTimer.singleShot(0, lambda: self.view.set_result(result, previews))
        buttons = QDialogButtonBox()
        self.accept_button = buttons.addButton("Accept (activate)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.discard_button = buttons.addButton("Discard", QDialogButtonBox.ButtonRole.DestructiveRole)
        later = buttons.addButton("Decide later", QDialogButtonBox.ButtonRole.RejectRole)
        later.setToolTip("Keep the new versions, inactive; activate them in Analysis ▸ Model versions")
        self.accept_button.clicked.connect(self._accept)
        self.discard_button.clicked.connect(self._discard)
        later.clicked.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.view, 1)
        lay.addWidget(buttons)
        self.resize(1100, 700)

    def _accept(self) -> None:
        self.retrainer.accept(self.result)
        self.accept()

    def _discard(self) -> None:
        self.retrainer.discard(self.result)
        self.reject()
