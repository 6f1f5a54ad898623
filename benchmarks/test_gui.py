"""The window's responsiveness under pytest-benchmark: GUI-thread stalls during an analysis and the
batch gallery's opening. Figures only (``extra_info``); the unit tests check behaviour, not time."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings  # noqa: E402

from benchmarks.heartbeat import Heartbeat  # noqa: E402
from tests.gui.fakes import FakePipeline  # noqa: E402
from wbc_desktop.core.io.paths import samples_dir  # noqa: E402
from wbc_desktop.gui.app import build  # noqa: E402
from wbc_desktop.gui.compat import guard_none_refcount  # noqa: E402
from wbc_desktop.gui.settings import AppSettings  # noqa: E402

guard_none_refcount()


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("WBC_DESKTOP_USER_DIR", str(tmp_path / "user"))
    settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    win = build(settings, loader=lambda d: FakePipeline(steps=40, step_s=0.02), review_root=tmp_path / "r")
    qtbot.addWidget(win)
    win.show()
    runner = win.controller.runner
    runner.load_pipeline("cpu")
    qtbot.waitUntil(lambda: not runner.loading, timeout=60_000)
    yield win
    runner.cancel()
    runner.wait(60_000)


def test_gui_stall_during_analysis(benchmark, qtbot, window):
    """Worst gap of a 10 ms GUI-thread timer while a (fake, 0.8 s) analysis runs: target 100 ms."""
    stalls: list[float] = []

    def run() -> None:
        hb = Heartbeat(10)
        with qtbot.waitSignal(window.controller.runner.idle, timeout=30_000):
            window.controller.open_paths([samples_dir() / "smear_field_bccd_00010.jpg"])
        stalls.append(hb.stop())

    benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info["worst_stall_ms"] = round(max(stalls), 1)
    benchmark.extra_info["load_average"] = round(os.getloadavg()[0], 2)


def test_batch_gallery_opens(benchmark, qtbot, window):
    """The batch gallery with 60 cells: open and scroll (``python -m benchmarks.gui_gallery`` for 2,000)."""
    from benchmarks.gui_gallery import _fields, bench_gallery

    m = benchmark.pedantic(bench_gallery, args=(window, _fields(60, 20)), rounds=1, iterations=1)
    benchmark.extra_info.update({k: m[k] for k in ("open_s", "worst_stall_ms", "cells")})
    assert m["cells"] == 60
