"""Real mouse events on the image view's viewport, in image-pixel coordinates."""

from __future__ import annotations

import threading

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from wbc_desktop.core.io.paths import samples_dir

from ..fakes import FakePipeline, synthetic_analysis

SAMPLE = samples_dir() / "smear_field_bccd_00010.jpg"


class RetypingPipeline(FakePipeline):
    """The fake pipeline with a classifier that calls every retyped cell a lymphocyte."""

    def __init__(self) -> None:
        super().__init__()
        self.retyped: list[list[int]] = []
        self.gate = threading.Event()  # cleared: retypes wait (a slow model)
        self.gate.set()

    def retype(self, image, analysis, cell_ids):
        self.gate.wait(30)
        self.retyped.append(sorted(cell_ids))
        return {i: {"cell_type": "lymphocyte", "confidence": 0.9, "top3": [("lymphocyte", 0.9)],
                    "predicted_type": "lymphocyte"} for i in cell_ids}


def vp(win, x: float, y: float) -> QPoint:
    return win.viewer.view.mapFromScene(QPointF(x, y))


def _send(win, kind, pos: QPoint, button, buttons, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    viewport = win.viewer.view.viewport()
    ev = QMouseEvent(kind, QPointF(pos), QPointF(viewport.mapToGlobal(pos)), button, buttons, modifiers)
    QApplication.sendEvent(viewport, ev)


def drag(qtbot: QtBot, win, points: list[tuple[float, float]]) -> None:
    """Press at the first point, move through the rest with the left button held, release at the last."""
    viewport = win.viewer.view.viewport()
    L = Qt.MouseButton.LeftButton
    qtbot.mousePress(viewport, L, pos=vp(win, *points[0]))
    for x, y in points[1:]:
        _send(win, QEvent.Type.MouseMove, vp(win, x, y), Qt.MouseButton.NoButton, L)
    qtbot.mouseRelease(viewport, L, pos=vp(win, *points[-1]))


def click(qtbot: QtBot, win, x: float, y: float) -> None:
    viewport = win.viewer.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=vp(win, x, y))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=vp(win, x, y))


def open_analysed(qtbot: QtBot, make_window, pipeline=None):
    """A window with the sample field analysed by ``pipeline`` (the retyping fake by default)."""
    pipe = pipeline or RetypingPipeline()
    win = make_window(loader=lambda device: pipe)
    runner = win.controller.runner
    with qtbot.waitSignal(runner.idle, timeout=10000):
        win.controller.open_paths([str(SAMPLE)])
    win.viewer.view.fit()
    return win, pipe


__all__ = ["RetypingPipeline", "click", "drag", "open_analysed", "synthetic_analysis", "vp"]
