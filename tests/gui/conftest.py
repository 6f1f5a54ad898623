"""GUI test fixtures: a real window with a fake pipeline, throw-away settings and review folder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from wbc_desktop.gui.app import build  # noqa: E402
from wbc_desktop.gui.compat import guard_none_refcount  # noqa: E402
from wbc_desktop.gui.settings import AppSettings  # noqa: E402

from .fakes import FakePipeline  # noqa: E402

guard_none_refcount()  # a PySide6 6.12.0 on Python 3.11 would otherwise crash mid-suite


@pytest.fixture
def settings(tmp_path):
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def make_window(qtbot, tmp_path, settings, monkeypatch):
    """Factory: ``make_window(loader=...)`` -> a shown MainWindow whose models are loaded (or failed)."""
    monkeypatch.setenv("WBC_DESKTOP_USER_DIR", str(tmp_path / "user"))

    def make(loader=lambda device: FakePipeline(), load: bool = True):
        win = build(settings, loader=loader, review_root=tmp_path / "reviews")
        win.controller.ask_signature = lambda e, caveats: "Test Reviewer"  # the name prompt (a modal dialog)
        win.controller.quiet_export = True  # no sample-details dialog before a PDF
        qtbot.addWidget(win)
        win.show()
        if load:
            runner = win.controller.runner
            runner.load_pipeline("cpu")
            # Loaded or failed: either ends the loading state (a signal each; wait for whichever).
            qtbot.waitUntil(lambda: not runner.loading, timeout=300_000)  # torch import on a busy machine
        made.append(win)
        return win

    made: list = []
    yield make
    for win in made:  # never leave a worker thread running into the next test or interpreter exit
        win.controller.runner.cancel()
        win.controller.runner.wait(300_000)
