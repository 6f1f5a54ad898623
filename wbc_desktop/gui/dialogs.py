"""Small dialogs: keyboard shortcuts, message log, preferences, about."""

from __future__ import annotations

from typing import Optional

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from wbc_desktop.gui.actions import shortcut_rows


class ShortcutsDialog(QDialog):
    """Every shortcut, generated from the action table so it can never go stale."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows()
        table = QTableWidget(len(rows), 3, self)
        table.setHorizontalHeaderLabels(["Where", "Action", "Keys"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(v))
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        lay = QVBoxLayout(self)
        lay.addWidget(table)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        lay.addWidget(box)
        self.resize(560, 640)


class MessagesDialog(QDialog):
    def __init__(self, history: list[tuple[str, str]], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Messages")
        text = QTextEdit(readOnly=True)
        text.setPlainText("\n".join(f"[{lvl}] {msg}" for lvl, msg in history) or "No messages.")
        lay = QVBoxLayout(self)
        lay.addWidget(text)
        self.resize(640, 360)


class ColourButton(QPushButton):
    def __init__(self, colour: str) -> None:
        super().__init__()
        self.colour = colour
        self._paint()
        self.clicked.connect(self._pick)

    def _paint(self) -> None:
        self.setText(self.colour)
        self.setStyleSheet(f"background:{self.colour}; color:white;")

    def _pick(self) -> None:
        c = QColorDialog.getColor(QColor(self.colour), self, "Overlay colour")
        if c.isValid():
            self.colour = c.name()
            self._paint()


class PreferencesDialog(QDialog):
    """Overlay colours and the reviewer's name (device and threshold live in their own menus)."""

    def __init__(self, nucleus: str, cytoplasm: str, reviewer: str, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.nucleus = ColourButton(nucleus)
        self.cytoplasm = ColourButton(cytoplasm)
        self.reviewer = QLineEdit(reviewer)
        form = QFormLayout(self)
        form.addRow("Nucleus colour", self.nucleus)
        form.addRow("Cytoplasm colour", self.cytoplasm)
        form.addRow("Reviewer name (for signatures)", self.reviewer)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)
