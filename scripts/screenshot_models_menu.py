"""Screenshot of Analysis > Cell-type model > Views per cell for docs/ (the real models load first).

Run under Xvfb::

    xvfb-run -a -s "-screen 0 1600x900x24" .venv/bin/python scripts/screenshot_models_menu.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.shots import fresh_window, grab  # noqa: E402

from PySide6.QtCore import QPoint, QTimer  # noqa: E402


OUT = ROOT / "docs" / "screenshot-models-menu.png"
W, H = 1440, 640


def main() -> int:
    app, win = fresh_window(W, H)
    runner, acts = win.controller.runner, win.actions_

    def shoot() -> None:
        grab(app, OUT, W, H)
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
