"""What the screenshot scripts share: a fresh window (throw-away settings and reviews) and a grab
of the screen's top-left corner where it sits. Run those scripts under Xvfb."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def fresh_window(width: int, height: int, **build_kw):
    """(QApplication, main window) shown at (0, 0), with settings and reviews in a temp folder."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from wbc_desktop.gui.app import build
    from wbc_desktop.gui.settings import AppSettings

    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp())
    settings = AppSettings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    win = build(settings, review_root=tmp / "reviews", **build_kw)
    win.resize(width, height)
    win.move(0, 0)
    win.show()
    return app, win


def grab(app, out: Path, width: int, height: int) -> None:
    """Save the screen's ``width`` x ``height`` top-left corner (the window and its menus) as PNG."""
    app.primaryScreen().grabWindow(0).copy(0, 0, width, height).save(str(out))
    print(out)
