"""Screenshot of the magic wand for docs/ (the real models analyse the BCCD sample first).

Run under Xvfb, or offscreen (the window grabs itself)::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_wand.py
    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshot_wand.py

Opens the BCCD field, where the segmenter took the second white cell's nucleus for cytoplasm (so
it was not counted); one wand click (W, class nucleus, reach the brush's size) on its darkest
lobe spreads nucleus over what the segmenter's embeddings find alike, the cell appears and is
typed by the model process; saves docs/screenshot-wand.png.
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

OUT = ROOT / "docs" / "screenshot-wand.png"
W, H = 1500, 940


def main() -> int:
    app, win = fresh_window(W, H)
    runner, doc, tools = win.controller.runner, win.controller.doc, win.edit_tools
    view = win.viewer.view
    vp = view.viewport()

    def send(kind, x: float, y: float, button, buttons) -> None:
        p = view.mapFromScene(QPointF(x, y))
        QApplication.sendEvent(vp, QMouseEvent(kind, QPointF(p), QPointF(vp.mapToGlobal(p)), button, buttons,
                                               Qt.KeyboardModifier.NoModifier))

    def edit() -> None:
        from scipy import ndimage as ndi

        e = doc.current_entry
        a, rgb = e.analysis, e.image.pixels
        print(f"node regions kept: {len(a.nodes)}")
        lab, n = ndi.label((a.class_map > 0) & (a.instances == 0))
        sizes = np.bincount(lab.ravel())
        sizes[0] = 0
        blob = lab == int(sizes.argmax())
        dark = ndi.gaussian_filter(rgb.astype(float).sum(2), 2.0)
        dark[~blob] = np.inf
        y, x = np.unravel_index(int(dark.argmin()), dark.shape)
        ys, xs = np.nonzero(blob)
        view.set_zoom(1.6)
        view.centerOn(float(xs.mean()), float(ys.mean()))
        tools.select("wand")
        tools.settings.set_value(2)
        tools.settings.set_radius(float(np.hypot(ys - y, xs - x).max()))
        L = Qt.MouseButton.LeftButton
        send(QEvent.Type.MouseButtonPress, x + 0.5, y + 0.5, L, L)
        send(QEvent.Type.MouseButtonRelease, x + 0.5, y + 0.5, L, Qt.MouseButton.NoButton)
        send(QEvent.Type.MouseMove, x + 0.5, y + 0.5, Qt.MouseButton.NoButton, Qt.MouseButton.NoButton)
        QTimer.singleShot(4000, shoot)  # the retype comes back meanwhile

    def shoot() -> None:
        if app.platformName() == "offscreen":  # no screen to grab: the window paints itself
            win.grab().save(str(OUT))
        else:
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
