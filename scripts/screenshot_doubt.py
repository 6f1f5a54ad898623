"""Screenshot of the segmenter's doubt overlay (U) after N on the BCCD sample field, shipped models.

Run under Xvfb::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_doubt.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from wbc_desktop.core.io.paths import samples_dir  # noqa: E402
from wbc_desktop.gui.app import build  # noqa: E402
from wbc_desktop.gui.settings import AppSettings  # noqa: E402

OUT = ROOT / "docs" / "screenshot-doubt.png"
W, H = 1400, 900


def main() -> int:
    app = QApplication([])
    tmp = Path(tempfile.mkdtemp())
    settings = AppSettings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    win = build(settings, review_root=tmp / "reviews")
    win.resize(W, H)
    win.move(0, 0)
    win.show()
    runner = win.controller.runner

    def save() -> None:
        app.primaryScreen().grabWindow(0).copy(0, 0, W, H).save(str(OUT))
        print(OUT)
        runner.shutdown()
        app.quit()

    def shoot() -> None:
        win.doubt_nav.toggle.trigger()  # U
        win.doubt_nav.go_next()  # N
        QTimer.singleShot(800, save)

    def start() -> None:
        runner.idle.connect(lambda: QTimer.singleShot(500, shoot))
        win.controller.open_paths([str(samples_dir() / "smear_field_bccd_00010.jpg")])

    runner.pipelineReady.connect(lambda *_: QTimer.singleShot(200, start))
    runner.load_pipeline("cpu")
    QTimer.singleShot(300_000, app.quit)  # never hang a docs build
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
