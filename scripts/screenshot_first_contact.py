"""Screenshots for first contact (issue 23): a low-cost-camera copy of a BCCD field (pink-violet cast,
vignetting, defocus; made by training/data/lowcost.py) with its colour reference in the status bar,
and a BCCD field whose cell is typed but doubtful (``--doubt``: BCCD 00160 from ../shared/data, an
eosinophil typed right at 0.97 yet 2x farther from the PBC eosinophils than their own spread: the
mark says "do not trust blindly", not "wrong"), after N.

Run offscreen (the window grabs itself)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshot_first_contact.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.shots import fresh_window  # noqa: E402

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402

from training.data.lowcost import Camera, degrade  # noqa: E402
from wbc_desktop.core.io.paths import samples_dir  # noqa: E402

DOUBT = "--doubt" in sys.argv
OUT = ROOT / "docs" / ("screenshot-doubtful-cell.png" if DOUBT else "screenshot-first-contact.png")
W, H = 1400, 900


def lowcost_copy() -> Path:
    rgb = np.asarray(Image.open(samples_dir() / "smear_field_bccd_00071.jpg").convert("RGB"))
    cam = Camera(scale=1.0, blur=1.4, vignette=0.4, cast="pink-violet", noise=3.0, jpeg=70)
    out = Path(tempfile.mkdtemp()) / "lowcost_pink_violet.png"
    Image.fromarray(degrade(rgb, cam, np.random.default_rng(0))).save(out)
    return out


def main() -> int:
    app, win = fresh_window(W, H)
    runner = win.controller.runner

    def save() -> None:
        win.grab().save(str(OUT))
        print(OUT)
        runner.shutdown()
        app.quit()

    def shoot() -> None:
        win.doubt_nav.go_next()  # N: a typed-but-doubtful cell first, if any
        QTimer.singleShot(800, save)

    def start() -> None:
        runner.idle.connect(lambda: QTimer.singleShot(500, shoot))
        if DOUBT:
            from training.data.lowcost import DATA

            win.controller.open_paths([str(Path(DATA) / "bccd" / "images" / "BloodImage_00160.jpg")])
        else:
            win.controller.open_paths([str(lowcost_copy())])

    runner.pipelineReady.connect(lambda *_: QTimer.singleShot(200, start))
    runner.load_pipeline("cpu")
    QTimer.singleShot(300_000, app.quit)  # never hang a docs build
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
