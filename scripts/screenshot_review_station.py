"""Screenshots of the review station's caveats (issue 25): counts that say what they rest on, the
gallery's border cells, an unreadable image, the sign dialog. Shipped models, bundled BCCD fields.

    QT_QPA_PLATFORM=offscreen python scripts/screenshot_review_station.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.shots import fresh_window  # noqa: E402

from PySide6.QtWidgets import QApplication  # noqa: E402

from wbc_desktop.core.io.paths import samples_dir  # noqa: E402

DOCS = ROOT / "docs"


def wait(cond, timeout: float = 600) -> None:
    t = time.monotonic() + timeout
    while not cond():
        QApplication.processEvents()
        if time.monotonic() > t:
            raise TimeoutError
        time.sleep(0.02)


def settle(n: int = 20) -> None:
    for _ in range(n):
        QApplication.processEvents()
        time.sleep(0.01)


def main() -> int:
    app, win = fresh_window(1440, 900)
    c = win.controller
    runner = c.runner
    runner.load_pipeline("cpu")
    wait(lambda: not runner.loading)
    broken = Path(tempfile.mkdtemp()) / "field_07_broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n truncated by the camera")
    fields = [samples_dir() / "smear_field_bccd_00010.jpg", samples_dir() / "smear_field_bccd_00071.jpg"]
    c.open_paths([str(p) for p in fields] + [str(broken)])
    wait(lambda: all(e.status in ("done", "error") for e in c.doc.entries) and not runner.busy)
    c.doc.set_current(1)
    settle()
    win.grab().save(str(DOCS / "screenshot-caveats.png"))
    win.tabs.setCurrentWidget(win.gallery)
    settle()
    win.grab().save(str(DOCS / "screenshot-gallery-border.png"))
    win.tabs.setCurrentWidget(win.viewer)
    c.doc.set_current(2)
    settle()
    win.grab().save(str(DOCS / "screenshot-unreadable.png"))
    from wbc_desktop.core.review.caveats import lines
    from wbc_desktop.gui.report.sign_dialog import SignDialog

    c.doc.set_current(0)
    dlg = SignDialog(c.doc.current_entry.name, lines(c.doc.caveats()), "", win)
    dlg.show()
    settle()
    dlg.grab().save(str(DOCS / "screenshot-sign-dialog.png"))
    for n in ("caveats", "gallery-border", "unreadable", "sign-dialog"):
        print(DOCS / f"screenshot-{n}.png")
    runner.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
