"""Issue 25 item 1: mask corrections on an image opened outside a project survive a restart and a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ..tools.helpers import SAMPLE, click, drag, open_analysed

ROOT = Path(__file__).resolve().parents[3]


def _delete_and_add(qtbot, win) -> tuple[int, tuple[int, int]]:
    """Delete the second cell and add one in empty plasma at (30, 30); returns (deleted id, added centre)."""
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    victim = a.cells[1]
    tools.select("delete_cell")
    with qtbot.waitSignal(doc.maskEdited, timeout=5000):
        click(qtbot, win, *victim.centroid)
    tools.select("add_cell")
    x, y = 30, 30
    ring = [(x + 6 * np.cos(t), y + 6 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 16)]
    with qtbot.waitSignal(tools.retyper.done, timeout=10000):
        drag(qtbot, win, ring)
    return victim.cell_id, (x, y)


def _reopen(qtbot, make_window):
    win, pipe = open_analysed(qtbot, make_window)
    return win, win.controller.doc.current_entry.analysis


def test_mask_edits_outside_a_project_survive_a_restart(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    a = win.controller.doc.current_entry.analysis
    n0 = len(a.cells)
    victim, (x, y) = _delete_and_add(qtbot, win)
    assert len(a.cells) == n0  # one gone, one added
    win.close()
    win2, b = _reopen(qtbot, make_window)
    qtbot.waitUntil(lambda: b.instances[y, x] > 0 and b.cell(int(b.instances[y, x])).cell_type == "lymphocyte",
                    timeout=10000)  # the added cell is back and typed again by the model process
    assert len(b.cells) == n0
    assert not (b.instances == victim).any(), "the deleted cell came back"
    assert any("mask corrections were put back" in text for _lvl, text in win2.controller.messages.history)


def test_a_mask_edit_outside_a_project_survives_sigkill(qtbot, make_window, tmp_path):
    if os.name == "nt":
        pytest.skip("SIGKILL is POSIX")
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", OMP_NUM_THREADS="1",
               WBC_DESKTOP_USER_DIR=str(tmp_path / "user"))
    proc = subprocess.Popen([sys.executable, "-m", "tests.gui.review.loose_kill_worker", str(tmp_path)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        while not line.startswith("EDITED"):
            line = proc.stdout.readline()
            assert line, "worker ended: " + proc.stderr.read()[-2000:]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    _, victim, x, y = line.split()
    victim, x, y = int(victim), int(x), int(y)
    win, b = _reopen(qtbot, make_window)  # same review folder: tmp_path / "reviews"
    assert not (b.instances == victim).any(), "the deleted cell came back after the kill"
    assert b.instances[y, x] > 0 and b.class_map[y, x] == 2, "the added cell is lost after the kill"


def test_new_project_asks_before_closing_open_images(qtbot, make_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    win, _ = open_analysed(qtbot, make_window)
    doc = win.controller.doc
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.Cancel]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a[2]), answer[0])[1])
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "proj"))
    win.project_menu.new.trigger()  # File ▸ New project…
    assert asked and "1 image is open outside a project" in asked[0]
    assert len(doc.entries) == 1 and not win.project_session.is_open  # cancelled: nothing closed
    answer[0] = QMessageBox.StandardButton.Yes
    win.project_menu.new.trigger()
    assert win.project_session.is_open and not doc.entries
    win.project_session.close()


def test_mask_edits_survive_analysing_the_image_again(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    doc = win.controller.doc
    victim, (x, y) = _delete_and_add(qtbot, win)
    with qtbot.waitSignal(win.controller.runner.idle, timeout=10000):
        win.controller.reanalyse()  # Ctrl+R: a fresh analysis of the same image
    b = doc.current_entry.analysis
    qtbot.waitUntil(lambda: b.instances[y, x] > 0, timeout=10000)
    assert not (b.instances == victim).any()
    assert not doc.current_entry.history.can_undo  # the old steps held the old masks
