"""Screenshot of Analysis > Cell-type model > Views per cell for docs/ (the real models load first).

Run under Xvfb::

    xvfb-run -a -s "-screen 0 1600x900x24" .venv/bin/python scripts/screenshot_models_menu.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QPoint, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from wbc_desktop.gui.app import build  # noqa: E402
from wbc_desktop.gui.settings import AppSettings  # noqa: E402

OUT = ROOT / "docs" / "screenshot-models-menu.png"
W, H = 1440, 640


def main() -> int:
    app = QApplication([])
    tmp = Path(tempfile.mkdtemp())
    settings = AppSettings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    win = build(settings, review_root=tmp / "reviews")
    win.resize(W, H)
    win.move(0, 0)
    win.show()
    runner, acts = win.controller.runner, win.actions_

    def shoot() -> None:
        app.primaryScreen().grabWindow(0).copy(0, 0, W, H).save(str(OUT))
        runner.shutdown()
        app.quit()

    def open_menu() -> None:
        analysis = acts.menus["&Analysis"]
        win.menuBar().setActiveAction(analysis.menuAction())

        def sub() -> None:
            analysis.setActiveAction(acts.classifier_menu.menuAction())
            acts.classifier_menu.popup(analysis.geometry().topRight() + QPoint(0, 60))

        def views() -> None:
            menu = acts.classifier_menu
            menu.setActiveAction(win.views_menu.menuAction())
            win.views_menu.popup(menu.geometry().topLeft() + QPoint(40, menu.geometry().height() - 4))

        QTimer.singleShot(400, sub)
        QTimer.singleShot(900, views)
        QTimer.singleShot(1600, shoot)

    runner.pipelineReady.connect(lambda *_: QTimer.singleShot(500, open_menu))
    runner.load_pipeline("cpu")
    app.exec()
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
