"""A throw-away window for the GUI benchmarks: its own settings and review folder, shown at 1440x900.

Shared so that each benchmark measures the same window and none repeats its set-up.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Optional


def fresh_window(loader: Optional[Any] = None) -> tuple[Any, Any]:
    """``(app, window)``; ``loader`` None: the real models, else e.g. ``lambda d: None`` for none."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from wbc_desktop.gui.app import build
    from wbc_desktop.gui.compat import guard_none_refcount
    from wbc_desktop.gui.settings import AppSettings

    guard_none_refcount()
    app = QApplication.instance() or QApplication([])
    tmp = tempfile.mkdtemp()
    os.environ["WBC_DESKTOP_USER_DIR"] = tmp
    settings = AppSettings(QSettings(os.path.join(tmp, "s.ini"), QSettings.Format.IniFormat))
    kw = {} if loader is None else {"loader": loader}
    win = build(settings, review_root=Path(tmp) / "r", **kw)
    win.resize(1440, 900)
    win.show()
    app.processEvents()
    return app, win
