"""Screenshots of the retraining wizard for docs/: the live page mid-training, and the result page.

A real run: the demo project (scripts/retrain_demo_project.py) from the CellaVision images,
the real engine in its training process, the cell-type model ``pbc-only`` as the base (the
shipped model that reads these images badly: the "new lab"). Run under Xvfb::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_wizard.py [SRC]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

SRC = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data/wbc-seg-cellavision")
LIVE, RESULT = ROOT / "docs" / "screenshot-wizard-live.png", ROOT / "docs" / "screenshot-wizard-result.png"


def main() -> int:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from retrain_demo_project import build as build_project

    app = QApplication([])
    from wbc_desktop.gui.app import build
    from wbc_desktop.gui.settings import AppSettings

    tmp = Path(tempfile.mkdtemp())
    project = build_project(SRC, tmp / "lab-project", n_masks=10, n_typed=30)
    settings = AppSettings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    settings.device = "cpu"
    win = build(settings, review_root=tmp / "reviews")
    win.show()
    r = win.retrainer
    r._project = project
    r.open_wizard()
    wiz = r.wizard
    wiz.resize(1200, 820)
    wiz.move(40, 40)
    wiz.next()
    wiz.options.time_s.setValue(90)
    combo = wiz.options.base["classifier"]
    combo.setCurrentIndex(max(0, combo.findData("pbc-only")))
    shots = {"live": False}

    def on_event(e: dict) -> None:
        # Mid-run: the segmenter's curves drawn (shot when it is being measured), then again once
        # the classifier has begun, if it gets a step before the end.
        seg_done = e.get("kind") == "stage" and e.get("model") == "segmenter" and "new version" in str(e.get("text"))
        cls_step = e.get("kind") == "step" and e.get("model") == "classifier"
        if seg_done or (cls_step and not shots["live"]):
            shots["live"] = cls_step
            QTimer.singleShot(200, lambda: (wiz.grab().save(str(LIVE)), print("saved", LIVE, flush=True)))

    def on_done(_res) -> None:
        def shoot() -> None:
            wiz.grab().save(str(RESULT))
            print("saved", RESULT, flush=True)
            print("metrics", r.launcher.result.metrics, flush=True)
            r.launcher.kill()
            win.controller.runner.shutdown()
            app.quit()

        QTimer.singleShot(800, shoot)

    r.launcher.event.connect(on_event)
    r.launcher.finished.connect(on_done)
    r.launcher.failed.connect(lambda m: (print("FAILED", m), app.quit()))
    wiz.next()
    QTimer.singleShot(900_000, app.quit)
    app.exec()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
