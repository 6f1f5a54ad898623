"""``wbc-desktop train-classifier`` trains through the installed console script (the README's command).

The user's side of the dispatch fix: the installed entry point, not ``cli.main`` called in-process,
on tiny fixtures (5 labelled CellaVision cells with their masks), one epoch on the CPU; the output
folder must then load as a classifier and type a cell.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import wbc_desktop


def _console_script() -> str | None:
    beside = Path(sys.executable).with_name("wbc-desktop")
    return str(beside) if beside.is_file() else shutil.which("wbc-desktop")


@pytest.mark.skipif(_console_script() is None, reason="the wbc-desktop console script is not installed")
def test_train_classifier_trains_through_the_console_script(tmp_path, fixtures):
    out = tmp_path / "clf"
    env = dict(os.environ, PYTHONPATH=str(Path(wbc_desktop.__file__).resolve().parents[1]), OMP_NUM_THREADS="1",
               QT_QPA_PLATFORM="offscreen")
    cv = fixtures / "cellavision"
    r = subprocess.run([_console_script(), "train-classifier", "--images", str(cv / "images"),
                        "--labels", str(cv / "labels.csv"), "--masks", str(cv / "masks"), "--base", "default",
                        "--out", str(out), "--epochs", "1", "--val-fraction", "0", "--device", "cpu"],
                       capture_output=True, text=True, timeout=900, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    assert (out / "weights.safetensors").is_file() and (out / "card.json").is_file()
    assert "Usage" not in r.stdout and "QApplication" not in r.stderr  # it trained; it did not open the app

    from wbc_desktop.core.cells.classifier import CellClassifier

    clf = CellClassifier.load(str(out), device="cpu")
    assert clf.classes == CellClassifier.load("default", device="cpu").classes
