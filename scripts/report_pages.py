"""The PDF report rendered to PNG pages for docs/: two bundled fields analysed with the shipped models,
sample details entered, one field signed, one with a pixel size; every page rendered with pdftoppm.

    QT_QPA_PLATFORM=offscreen python scripts/report_pages.py [OUT_DIR]
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.shots import fresh_window  # noqa: E402

from PySide6.QtWidgets import QApplication  # noqa: E402

from wbc_desktop.core.io.paths import samples_dir  # noqa: E402
from wbc_desktop.core.review.sample_info import SampleInfo  # noqa: E402


def wait(cond, timeout: float = 600) -> None:
    t = time.monotonic() + timeout
    while not cond():
        QApplication.processEvents()
        if time.monotonic() > t:
            raise TimeoutError
        time.sleep(0.02)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    app, win = fresh_window(1440, 900)
    c = win.controller
    c.quiet_export = True
    c.ask_signature = lambda e, caveats: "Dr A. Example"
    runner = c.runner
    runner.load_pipeline("cpu")
    wait(lambda: not runner.loading)
    fields = [samples_dir() / "smear_field_bccd_00010.jpg", samples_dir() / "smear_field_bccd_00071.jpg"]
    c.set_pixel_size(0.0)
    c.open_paths([str(fields[0])])
    wait(lambda: c.doc.entries and c.doc.entries[0].analysis is not None and not runner.busy)
    c.set_pixel_size(0.3)  # the second field with a known pixel size: sizes in µm on its page
    c.open_paths([str(fields[1])])
    wait(lambda: len(c.doc.entries) == 2 and c.doc.entries[1].analysis is not None and not runner.busy)
    c.set_pixel_size(0.0)
    win.sample_details.set(SampleInfo(sample_id="DEMO-0001 (not a patient)", slide="BCCD 00010/00071",
                                      date="2026-12-06", stain="Wright-Giemsa", operator="A. Example",
                                      comment="Public BCCD fields, for the documentation; not a clinical sample."))
    c.doc.set_current(0)
    c.toggle_signed()
    import tempfile

    pdf = c.export_pdf(win.viewer.masks.style, Path(tempfile.mkdtemp()) / "report-example.pdf")
    print(pdf)
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(out / "report-page")], check=True)
    for p in sorted(out.glob("report-page*.png")):
        print(p)
    runner.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
