"""The status bar: analysis progress with Cancel, and which device and models ran."""

from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget


class StatusPanel:
    """Widgets added to the window's QStatusBar; driven by the runner's signals."""

    def __init__(self, bar: QStatusBar, parent: Optional[QWidget] = None) -> None:
        self.bar = bar
        self.message = QLabel("Ready")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(220)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the analysis (Esc)")
        self.device = QLabel("Loading models…")
        self.device.setToolTip("Where the networks run, and the model versions")
        bar.addWidget(self.message, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        bar.addPermanentWidget(self.device)
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if not busy:
            self.progress.setValue(0)

    def on_progress(self, fraction: float, text: str) -> None:
        self.set_busy(True)
        self.progress.setValue(int(1000 * max(0.0, min(1.0, fraction))))
        self.message.setText(text)

    def set_device(self, text: str) -> None:
        self.device.setText(text)
