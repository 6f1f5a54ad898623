"""Run by test_loose_masks: open the sample outside a project, delete a cell and add one through the
window, print ``EDITED <deleted id> <x> <y>`` and wait to be SIGKILLed."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from wbc_desktop.gui.app import build
from wbc_desktop.gui.settings import AppSettings

from ..tools.helpers import SAMPLE, RetypingPipeline, click, drag


class Bot:
    """Just what the helpers call on pytest-qt's qtbot."""

    def mousePress(self, w, button, pos):  # noqa: N802 (qtbot's name)
        QTest.mousePress(w, button, pos=pos)

    def mouseRelease(self, w, button, pos):  # noqa: N802
        QTest.mouseRelease(w, button, pos=pos)


def wait(cond, timeout: float = 60.0) -> None:
    t = time.monotonic() + timeout
    while not cond():
        QApplication.processEvents()
        if time.monotonic() > t:
            raise TimeoutError
        time.sleep(0.01)


def main(tmp: Path) -> None:
    app = QApplication.instance() or QApplication([])
    settings = AppSettings(QSettings(str(tmp / "worker.ini"), QSettings.Format.IniFormat))
    pipe = RetypingPipeline()
    win = build(settings, loader=lambda device: pipe, review_root=tmp / "reviews")
    win.show()
    runner = win.controller.runner
    runner.load_pipeline("cpu")
    wait(lambda: not runner.loading)
    win.controller.open_paths([str(SAMPLE)])
    doc = win.controller.doc
    wait(lambda: doc.current_entry is not None and doc.current_entry.analysis is not None and not runner.busy)
    win.viewer.view.fit()
    a = doc.current_entry.analysis
    victim = a.cells[1].cell_id
    bot = Bot()
    win.edit_tools.select("delete_cell")
    click(bot, win, *a.cells[1].centroid)
    wait(lambda: not (a.instances == victim).any())
    win.edit_tools.select("add_cell")
    x, y = 30, 30
    n = len(a.cells)
    drag(bot, win, [(x + 6 * np.cos(t), y + 6 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 16)])
    wait(lambda: len(a.cells) == n + 1)
    print(f"EDITED {victim} {x} {y}", flush=True)
    app.exec()  # until killed


if __name__ == "__main__":
    main(Path(sys.argv[1]))
