"""The PDF report: the overlay fits the page (rendered and measured) and shows corrected masks and types."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from wbc_desktop.core.io.paths import samples_dir
from wbc_desktop.core.editing.edits import paint_disks
from wbc_desktop.core.editing.mask_edit import MaskEdit
from wbc_desktop.gui.report import overlay_image

SAMPLE = samples_dir() / "smear_field_bccd_00010.jpg"  # a 640x480 field
MARGIN_MM = 15


def open_sample(qtbot, win):
    with qtbot.waitSignal(win.controller.runner.idle, timeout=20000):
        win.controller.open_paths([str(SAMPLE)])
    qtbot.waitUntil(lambda: bool(win.controller.doc.analyses()), timeout=10000)
    return win.controller.doc.entries[0]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler's pdftoppm to render the PDF")
def test_overlay_of_a_640x480_field_stays_inside_the_page_margins(qtbot, make_window, tmp_path):
    win = make_window()
    open_sample(qtbot, win)
    out = win.controller.export_pdf(win.viewer.masks.style, tmp_path / "report.pdf")
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "p")], check=True)
    page = np.asarray(Image.open(next(tmp_path.glob("p*.png"))).convert("L"))
    h, w = page.shape
    margin = MARGIN_MM / 25.4 * 100
    ink = np.nonzero((page < 245).any(axis=0))[0]
    assert ink.min() >= margin - 2 and ink.max() <= w - margin + 2  # nothing past either margin
    picture = np.nonzero((page < 245).sum(axis=1) > 0.6 * (w - 2 * margin))[0]  # rows the picture spans
    assert len(picture) > 0.25 * h  # the picture is on the page, large
    span = np.nonzero((page[picture[len(picture) // 2]] < 245))[0]
    assert span.max() - span.min() >= 0.95 * (w - 2 * margin)  # and fills the text width, no more


def test_report_overlay_shows_the_corrected_mask_and_type(qtbot, make_window):
    win = make_window()
    e = open_sample(qtbot, win)
    style = win.viewer.masks.style
    before = overlay_image(e, style).copy()
    e.history.do(MaskEdit(e.analysis, paint_disks(e.analysis.class_map, [(40, 400)], 12, 2)))  # a new nucleus
    after = overlay_image(e, style)
    assert before.pixelColor(40, 400) != after.pixelColor(40, 400)  # drawn from the edited class map
    cid = e.analysis.cells[0].cell_id
    win.controller.reclassify([cid], "basophil")
    from wbc_desktop.gui.viewer.boxes import cell_label

    assert "basophil" in cell_label(e.analysis.cell(cid)).lower()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_report_says_masks_were_corrected(qtbot, make_window, tmp_path):
    win = make_window()
    e = open_sample(qtbot, win)
    e.history.do(MaskEdit(e.analysis, paint_disks(e.analysis.class_map, [(40, 400)], 12, 2)))
    out = win.controller.export_pdf(win.viewer.masks.style, tmp_path / "r.pdf")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "masks corrected by the reviewer" in text
