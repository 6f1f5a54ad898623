"""Screenshot of the segmenter's doubt overlay (U) after N on the BCCD sample field, shipped models.

Run under Xvfb::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_doubt.py
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import tempfile
from pathlib import Path
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from wbc_desktop.gui.app import build
from wbc_desktop.gui.settings import AppSettings
from wbc_desktop.core.io.paths import samples_dir
def main():
    global app, win, r
    app = QApplication([])
    tmp = Path(tempfile.mkdtemp())
    s = AppSettings(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat))
    win = build(s, review_root=tmp / "r"); win.resize(1400, 900); win.move(0, 0); win.show()
    r = win.controller.runner
    def shoot():
        win.doubt_nav.toggle.trigger()
        win.doubt_nav.go_next()
        QTimer.singleShot(800, lambda: (app.primaryScreen().grabWindow(0).copy(0, 0, 1400, 900).save(str(ROOT / "docs" / "screenshot-doubt.png")), r.shutdown(), app.quit()))
    def start():
        r.idle.connect(lambda: QTimer.singleShot(500, shoot))
        win.controller.open_paths([str(samples_dir() / "smear_field_bccd_00010.jpg")])
    r.pipelineReady.connect(lambda *_: QTimer.singleShot(200, start))
    r.load_pipeline("cpu")
    QTimer.singleShot(300000, app.quit)
    app.exec()

if __name__ == '__main__':
    main()
