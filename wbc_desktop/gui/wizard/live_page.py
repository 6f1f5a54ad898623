"""Wizard page 3: the training as it runs: loss and validation curves, time left, cancel.

The curves are pyqtgraph plots fed by the launcher's event signal (the events arrive from the
training process through the launcher's queue poll). Events only append to lists; a timer hands
the new points to pyqtgraph at most every 500 ms, so a burst of events costs one redraw and the
window stays responsive.
"""

from __future__ import annotations

import math
from typing import Any, Optional

import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGraphicsItem
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget, QWizardPage

COLOURS = {"segmenter": (200, 60, 60), "classifier": (40, 110, 200)}
START_DELAY_MS = 150
REDRAW_MS = 500
MIN_STEPS = 19  # the step axis starts at 0..20 (fewer axis redraws early on)  # curves are redrawn at most this often
VAL_KEY = {"segmenter": "dice", "classifier": "accuracy"}


class Curves:
    """Step-indexed series per model on one plot; points are drawn in batches by :meth:`flush`."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        self.plot = plot
        self.x: dict[str, list[float]] = {}
        self.y: dict[str, list[float]] = {}
        self.items: dict[str, Any] = {}
        self.dirty: set[str] = set()

    def add(self, model: str, x: float, y: float, name: str) -> None:
        if model not in self.items:
            pen = pg.mkPen(COLOURS.get(model, (90, 90, 90)), width=2)
            self.items[model] = self.plot.plot([], [], pen=pen, name=name, symbol="o",  # one point shows too
                                               symbolSize=6 if "val" in name else 3, symbolPen=None,
                                               symbolBrush=COLOURS.get(model, (90, 90, 90)))
            self.x[model], self.y[model] = [], []
        self.x[model].append(float(x))
        self.y[model].append(float(y))
        self.dirty.add(model)

    def flush(self) -> bool:
        """Hand the new points to pyqtgraph (one setData per curve however many arrived)."""
        for model in self.dirty:
            self.items[model].setData(self.x[model], self.y[model])
        changed = bool(self.dirty)
        self.dirty.clear()
        return changed

    def clear(self) -> None:
        for item in self.items.values():
            self.plot.removeItem(item)
        self.items.clear()
        self.x.clear()
        self.y.clear()
        self.dirty.clear()

    def last_x(self) -> float:
        return max((xs[-1] for xs in self.x.values() if xs), default=0.0)

    def points(self, model: str) -> int:
        return len(self.x.get(model, []))


def nice_ceiling(v: float) -> float:
    """The smallest of 1, 2, 5 x 10^k that is at least ``v`` (axis ends that change rarely)."""
    if v <= 0:
        return 1.0
    k = math.floor(math.log10(v))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10 ** k >= v - 1e-12:
            return m * 10 ** k
    return 10.0 ** (k + 1)


def _plot(title: str, ylabel: str) -> pg.PlotWidget:
    w = pg.PlotWidget(background="w")
    w.setTitle(title, color="k")
    w.setLabel("bottom", "step")
    w.setLabel("left", ylabel)
    w.showGrid(x=True, y=True, alpha=0.25)
    w.addLegend(offset=(-10, 10))
    w.setMinimumHeight(220)
    for side in ("left", "bottom"):  # tick labels are slow to draw: repaint them from a cached pixmap
        w.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return w


class LivePage(QWizardPage):
    """Starts the run when shown (the wizard calls :meth:`begin`); complete once it finished."""

    def __init__(self, launcher: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setTitle("Training")
        self.setSubTitle("Runs in its own process: you can keep reviewing in the main window.")
        self.launcher = launcher
        self.loss_plot = _plot("Training loss", "loss")
        self.val_plot = _plot("Held-out score", "Dice / accuracy")
        self.val_plot.setYRange(0, 1)
        self.val_plot.setXLink(self.loss_plot)  # one step axis for both
        self.loss = Curves(self.loss_plot)
        self.val = Curves(self.val_plot)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel("")
        self.cancel_button = QPushButton("Cancel training")
        self.cancel_button.setToolTip("Stops at the next step; no new version is written")
        self.cancel_button.clicked.connect(launcher.cancel)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumHeight(90)
        plots = QHBoxLayout()
        plots.addWidget(self.loss_plot)
        plots.addWidget(self.val_plot)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        lay = QVBoxLayout(self)
        lay.addLayout(plots, 1)
        lay.addLayout(row)
        lay.addWidget(self.status)
        lay.addWidget(self.log)
        self.done = False
        self._ranges: tuple[float, float] = (0.0, 0.0)
        self.loss_plot.disableAutoRange()
        self.val_plot.disableAutoRange()
        self.loss_plot.setRange(xRange=(0, 20), yRange=(0, 1), padding=0.02)
        self.redraw_timer = QTimer(self)
        self.redraw_timer.setInterval(REDRAW_MS)
        self.redraw_timer.timeout.connect(self.redraw)
        launcher.event.connect(self.on_event)
        launcher.progress.connect(self.on_progress)
        launcher.finished.connect(self._on_finished)
        launcher.cancelled.connect(lambda: self._on_stopped("Cancelled: no new version was written. Go back to "
                                                            "change the settings, or close."))
        launcher.failed.connect(lambda m: self._on_stopped(f"Failed: {m}"))

    def begin(self, settings: dict[str, Any]) -> None:
        self.done = False
        self.loss.clear()
        self.val.clear()
        self._ranges = (0.0, 0.0)
        self.log.clear()
        self.cancel_button.setEnabled(True)
        self.status.setText("Starting the training process…")
        self.completeChanged.emit()
        # Started once the page is drawn: drawing it and spawning the process then cost two
        # short pauses of the window instead of one long one.
        QTimer.singleShot(START_DELAY_MS, lambda: self.launcher.start(settings))
        self.redraw_timer.start()

    def on_event(self, e: dict) -> None:
        kind, model = e.get("kind"), str(e.get("model", ""))
        if kind == "step" and e.get("loss") is not None:
            self.loss.add(model, e.get("step", 0), e["loss"], f"{model} loss")
        elif kind == "val":
            key = VAL_KEY.get(model)
            value = e.get(key) if key else None
            if value is None:
                value = e.get("dice", e.get("accuracy"))
            if value is not None:
                self.val.add(model, e.get("step", 0), value, f"{model} val {key or ''}".strip())
        elif kind in ("stage", "log") and e.get("text"):
            self.log.appendPlainText((f"{model}: " if model else "") + str(e["text"]))

    def redraw(self) -> None:
        """Draw the points that arrived since the last redraw (a timer: events can come in bursts).

        The axes change only in steps (1, 2, 5 x 10^k): redrawing an axis's tick labels is the
        slow part of a plot (tens of ms), a new point on a fixed axis costs about a millisecond.
        """
        if not (self.loss.flush() | self.val.flush()):
            return
        # both plots on one step axis from 0 (a score at step 0 = before training)
        x_max = nice_ceiling(max(MIN_STEPS, self.loss.last_x(), self.val.last_x()) * 1.05)
        y_max = nice_ceiling(max((max(ys) for ys in self.loss.y.values() if ys), default=1.0) * 1.05)
        if (x_max, y_max) != self._ranges:
            self._ranges = (x_max, y_max)
            self.loss_plot.setRange(xRange=(0, x_max), yRange=(0, y_max), padding=0.02)

    def on_progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(int(1000 * max(0.0, min(1.0, fraction))))
        self.status.setText(text)

    def _on_finished(self, _result: Any) -> None:
        self.redraw_timer.stop()
        self.redraw()
        self.done = True
        self.cancel_button.setEnabled(False)
        self.completeChanged.emit()
        wiz = self.wizard()
        if wiz is not None and wiz.currentPage() is self:
            wiz.next()

    def _on_stopped(self, text: str) -> None:
        self.redraw_timer.stop()
        self.redraw()
        self.cancel_button.setEnabled(False)
        self.status.setText(text)

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return self.done
