"""``wbc-desktop IMAGE --screenshot FILE`` end to end in a child process (real app entry, offscreen)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from wbc_desktop.core.io.paths import samples_dir

ROOT = Path(__file__).resolve().parents[2]


def test_screenshot_mode_saves_png_and_exits_zero(tmp_path):
    """Without the models (a fresh clone) the window still opens, shows the image and the error."""
    out = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "cfg"),
               WBC_DESKTOP_USER_DIR=str(tmp_path / "user"), PYTHONPATH=str(ROOT),
               WBC_DESKTOP_RESOURCES=str(tmp_path / "res"))  # no models there: the load-failure path
    (tmp_path / "res").mkdir()
    (tmp_path / "res" / "samples").symlink_to(samples_dir(), target_is_directory=True)
    img = samples_dir() / "single_cell_cellavision_001.png"
    proc = subprocess.run([sys.executable, "-m", "wbc_desktop.cli", str(img), "--screenshot", str(out),
                           "--size", "1000x700", "--timeout", "60"],
                          capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    shot = QImage(str(out))
    assert shot.height() == 700 and shot.width() >= 1000  # docks may widen it a little
    assert "screenshot saved" in proc.stdout
