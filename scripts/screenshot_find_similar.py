"""Screenshot of Find similar (Shift+S) for docs/, with the real models.

30 CellaVision single-cell images (the shared data set when present, else the test fixtures) are
opened in a project and analysed by the shipped models; then Find similar runs on an eosinophil
and the first few similar cells are selected, as a person about to type them with one key. Run
under Xvfb::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_find_similar.py
    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshot_find_similar.py   # no X server
"""

from __future__ import annotations

import csv
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

OUT = ROOT / "docs" / "screenshot-find-similar.png"
W, H = 1600, 1000
N = 30
SHARED = Path("/work/shared/data/wbc-seg-cellavision")


def images(dest: Path) -> tuple[list[Path], str]:
    """N images (every eosinophil among them) and the name of one eosinophil."""
    src = SHARED if SHARED.is_dir() else ROOT / "tests" / "fixtures" / "cellavision"
    rows = list(csv.DictReader(open(src / "labels.csv", newline=""))) if (src / "labels.csv").is_file() else []
    eos = [r["image"].strip() for r in rows if r["cell_type"].strip() == "eosinophil"]
    names = eos[:6] + [r["image"].strip() for r in rows if r["image"].strip() not in eos][: N - min(6, len(eos))]
    if not names:
        names = sorted(p.name for p in (src / "images").glob("*.png"))[:N]
    return [Path(shutil.copy(src / "images" / n, dest / n)) for n in names], (eos[0] if eos else names[0])


def main() -> int:
    app = QApplication([])
    tmp = Path(tempfile.mkdtemp())
    (tmp / "batch").mkdir()
    settings = AppSettings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    settings.reviewer = "Dr. A. Reviewer"
    win = build(settings, review_root=tmp / "reviews")
    win.resize(W, H - 20)
    win.move(0, 0)
    win.show()
    runner = win.controller.runner
    paths, target = images(tmp / "batch")

    def shoot() -> None:
        win.grab().save(str(OUT))  # offscreen too (QT_QPA_PLATFORM=offscreen) when there is no X server
        print(f"{OUT} ({len(win.batch_gallery.model.rows)} cells in {len(paths)} images; "
              f"last find similar {win.find_similar.last_ms:.0f} ms)")
        win.project_session.close()
        runner.shutdown()
        app.quit()

    def find() -> None:
        doc = win.controller.doc
        i = next(k for k, e in enumerate(doc.entries) if e.path.name == target)
        e = doc.entries[i]
        cell = max(e.analysis.cells, key=lambda c: c.area_px)
        win.controller.messages.hide()
        win.find_similar.find((i, cell.cell_id))
        batch = win.batch_gallery
        for r in range(1, 5):
            batch.view.selectionModel().select(batch.model.index(r), QItemSelectionModel.SelectionFlag.Select)
        QTimer.singleShot(1500, shoot)

    def start() -> None:
        win.project_session.create(tmp / "new-lab")
        runner.idle.connect(lambda: QTimer.singleShot(800, find))
        win.controller.open_paths([str(p) for p in paths])

    runner.pipelineReady.connect(lambda *_: QTimer.singleShot(300, start))
    runner.load_pipeline("cpu")
    QTimer.singleShot(600_000, app.quit)  # never hang a docs build
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
