"""Screenshot of the mask tools in use for docs/ (the real models analyse the BCCD sample first).

Run under Xvfb::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_editing.py

Opens the BCCD field, erases with the superpixel snap the cytoplasm the segmenter painted
around the largest cell's edge, paints a stroke of cytoplasm with the brush, and leaves the
brush's circle cursor over the cell, zoomed in; saves docs/screenshot-editing.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PySide6.QtCore import QEvent, QPointF, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from wbc_desktop.core.io.paths import samples_dir  # noqa: E402
from wbc_desktop.gui.app import build  # noqa: E402
from wbc_desktop.gui.settings import AppSettings  # noqa: E402

OUT = ROOT / "docs" / "screenshot-editing.png"
W, H = 1500, 940


def main() -> int:
    app = QApplication([])
    tmp = Path(tempfile.mkdtemp())
    settings = AppSettings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    win = build(settings, review_root=tmp / "reviews")
    win.resize(W, H)
    win.move(0, 0)
    win.show()
    runner, doc, tools = win.controller.runner, win.controller.doc, win.edit_tools
    view = win.viewer.view
    vp = view.viewport()

    def send(kind, x: float, y: float, buttons) -> None:
        p = view.mapFromScene(QPointF(x, y))
        button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
        QApplication.sendEvent(vp, QMouseEvent(kind, QPointF(p), QPointF(vp.mapToGlobal(p)), button, buttons,
                                               Qt.KeyboardModifier.NoModifier))

    def stroke(points) -> None:
        L = Qt.MouseButton.LeftButton
        send(QEvent.Type.MouseButtonPress, *points[0], L)
        for x, y in points[1:]:
            send(QEvent.Type.MouseMove, x, y, L)
        send(QEvent.Type.MouseButtonRelease, *points[-1], Qt.MouseButton.NoButton)

    def edit() -> None:
        e = doc.current_entry
        a = e.analysis
        cell = max(a.cells, key=lambda c: c.area_px)
        cx, cy = cell.centroid
        view.set_zoom(2.2)
        view.centerOn(cx, cy)
        x0, y0, x1, y1 = cell.bbox
        # snap: background along the cell's right edge (one drag = one undo step)
        tools.select("snap")
        tools.settings.set_value(0)
        stroke([(x1 - 3, y0 + (y1 - y0) * f) for f in np.linspace(0.25, 0.75, 6)])
        # brush: a stroke of cytoplasm below the cell
        tools.select("brush")
        tools.settings.set_value(1)
        tools.settings.set_radius(5)
        stroke([(x0 + (x1 - x0) * f, y1 + 4) for f in np.linspace(0.2, 0.8, 12)])
        send(QEvent.Type.MouseMove, x0 + 4, cy, Qt.MouseButton.NoButton)  # the circle cursor
        doc.select([cell.cell_id])
        QTimer.singleShot(2500, shoot)  # the retype comes back meanwhile

    def shoot() -> None:
        app.primaryScreen().grabWindow(0).copy(0, 0, W, H).save(str(OUT))
        print(f"saved {OUT}")
        runner.shutdown()
        app.quit()

    started = []

    def on_idle() -> None:
        if doc.current_entry is not None and doc.current_entry.analysis is not None and not started:
            started.append(1)
            QTimer.singleShot(500, edit)

    runner.idle.connect(on_idle)
    runner.pipelineReady.connect(lambda *_: win.controller.open_paths([samples_dir() / "smear_field_bccd_00010.jpg"]))
    runner.load_pipeline("cpu")
    QTimer.singleShot(300_000, app.quit)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
