"""Screenshot of the mask tools in use for docs/ (the real models analyse the BCCD sample first).

Run under Xvfb::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_editing.py

Opens the BCCD field, where the segmenter took the second white cell's nucleus for cytoplasm
(so it was not counted): a superpixel-snap drag over its dark lobes makes them nucleus, the
cell appears and is typed by the model process. Then the eraser removes cytoplasm spilled below
the first cell and the brush's circle cursor is left over it; saves docs/screenshot-editing.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.shots import fresh_window, grab  # noqa: E402

import numpy as np  # noqa: E402
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from wbc_desktop.core.io.paths import samples_dir  # noqa: E402

OUT = ROOT / "docs" / "screenshot-editing.png"
W, H = 1500, 940


def main() -> int:
    app, win = fresh_window(W, H)
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
        from scipy import ndimage as ndi

        e = doc.current_entry
        a, rgb = e.analysis, e.image.pixels
        cell = max(a.cells, key=lambda c: c.area_px)
        # the segmenter's miss: a large blob of "cytoplasm" with no cell (its nucleus taken for cytoplasm)
        lab, n = ndi.label((a.class_map > 0) & (a.instances == 0))
        sizes = np.bincount(lab.ravel())
        sizes[0] = 0
        blob = lab == int(sizes.argmax())
        dark = ndi.gaussian_filter(rgb.astype(float).sum(2), 2.0)  # the lobes, not single dark pixels
        ys, xs = np.nonzero(blob & (dark <= np.percentile(dark[blob], 35)))
        order = np.argsort(xs)
        pts = [(float(xs[i]) + 0.5, float(ys[i]) + 0.5) for i in order[:: max(1, len(order) // 150)]]
        bx, by = float(xs.mean()), float(ys.mean())
        cx, cy = cell.centroid
        view.set_zoom(1.6)
        view.centerOn((cx + 2 * bx) / 3, (cy + by) / 2)
        # superpixel snap, nucleus: drag over the blob's dark lobes -> a new cell, typed by the model
        tools.select("snap")
        tools.settings.set_value(2)
        stroke(pts)
        # brush: a stroke of background over the cytoplasm spilled below the first cell
        tools.select("eraser")
        tools.settings.set_radius(6)
        x0, y0, x1, y1 = cell.bbox
        stroke([(x0 + (x1 - x0) * f, y1 - 6) for f in np.linspace(0.3, 0.7, 10)])
        tools.select("brush")
        tools.settings.set_value(1)
        tools.settings.set_radius(8)
        send(QEvent.Type.MouseMove, x1 - 6, cy, Qt.MouseButton.NoButton)  # the circle cursor, true size
        QTimer.singleShot(4000, shoot)  # the retype comes back meanwhile

    def shoot() -> None:
        grab(app, OUT, W, H)
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
