"""Screenshot of the segmenter's doubt overlay (U) after N on the BCCD sample field, shipped models.

Run under Xvfb::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_doubt.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.shots import fresh_window, grab  # noqa: E402

from PySide6.QtCore import QTimer  # noqa: E402

from wbc_desktop.core.io.paths import samples_dir  # noqa: E402

OUT = ROOT / "docs" / "screenshot-doubt.png"
W, H = 1400, 900


def main() -> int:
    app, win = fresh_window(W, H)
    runner = win.controller.runner

    def save() -> None:
        grab(app, OUT, W, H)
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
