"""An in-window message bar: errors and notices without modal dialogs that would stall work."""

from __future__ import annotations

import logging
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

log = logging.getLogger(__name__)

_STYLE = {
    "error": "background:#fde2e1; color:#7a1010; border-bottom:1px solid #e7a3a0;",
    "warning": "background:#fff4d6; color:#6b4b00; border-bottom:1px solid #e8cf8a;",
    "info": "background:#e3effc; color:#0d3c6e; border-bottom:1px solid #a9c8ec;",
}


class MessageBar(QWidget):
    """Shows the latest message until closed; keeps a history for the Help ▸ Messages log."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(self, text="✕", toolTip="Dismiss (Esc)")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 5, 6, 5)
        row.addWidget(self.label, 1)
        row.addWidget(close)
        self.history: list[tuple[str, str]] = []
        self.level = ""
        self.hide()

    def show_message(self, text: str, level: str = "info") -> None:
        self.history.append((level, text))
        getattr(log, "error" if level == "error" else "info")(text)
        self.level = level
        self.label.setText(text)
        self.setStyleSheet(_STYLE.get(level, _STYLE["info"]))  # children inherit the colours
        self.show()

    def error(self, text: str) -> None:
        self.show_message(text, "error")

    def warning(self, text: str) -> None:
        self.show_message(text, "warning")

    def info(self, text: str) -> None:
        self.show_message(text, "info")

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""
