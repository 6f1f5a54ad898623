"""Screenshot of the batch gallery (Gallery ▸ Scope: Whole batch) for docs/, with the real models.

A project is made in a temporary folder from a few PBC single-cell images of each class (the shared
data set when present, else the test fixtures), analysed by the shipped models, then the gallery
is switched to the whole batch. Run under Xvfb::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_batch_gallery.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QItemSelectionModel, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from wbc_desktop.gui.app import build  # noqa: E402
from wbc_desktop.gui.settings import AppSettings  # noqa: E402

OUT = ROOT / "docs" / "screenshot-batch-gallery.png"
W, H = 1600, 1000
PER_CLASS = 4
SHARED = Path("/work/shared/data/pbc")


def images(dest: Path) -> list[Path]:
    src = SHARED if SHARED.is_dir() else ROOT / "tests" / "fixtures" / "pbc"
    out = []
    for d in sorted(p for p in src.iterdir() if p.is_dir()):
        for f in sorted(f for f in d.glob("*.jpg") if not f.name.startswith("."))[:PER_CLASS]:
            out.append(Path(shutil.copy(f, dest / f.name)))
    return out


def main() -> int:
    app = QApplication([])
    tmp = Path(tempfile.mkdtemp())
    (tmp / "slide").mkdir()
    settings = AppSettings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    settings.reviewer = "Dr. A. Reviewer"
    win = build(settings, review_root=tmp / "reviews")
    win.resize(W, H - 20)
    win.move(0, 0)
    win.show()
    runner = win.controller.runner
    paths = images(tmp / "slide")

    def shoot() -> None:
        app.primaryScreen().grabWindow(0).copy(0, 0, W, H - 20).save(str(OUT))
        print(f"{OUT} ({len(win.batch_gallery.model.rows)} cells in {len(paths)} images)")
        win.project_session.close()
        runner.shutdown()
        app.quit()

    def show_batch() -> None:
        win.actions_.show_gallery.trigger()
        win.scoped_gallery.set_batch(True)
        win.controller.messages.hide()
        batch = win.batch_gallery
        for r in (0, 1):
            batch.view.selectionModel().select(batch.model.index(r), QItemSelectionModel.SelectionFlag.Select)
        QTimer.singleShot(1200, shoot)

    def start() -> None:
        win.project_session.create(tmp / "slide-project")
        runner.idle.connect(lambda: QTimer.singleShot(800, show_batch))
        win.controller.open_paths([str(p) for p in paths])

    runner.pipelineReady.connect(lambda *_: QTimer.singleShot(300, start))
    runner.load_pipeline("cpu")
    QTimer.singleShot(600_000, app.quit)  # never hang a docs build
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
