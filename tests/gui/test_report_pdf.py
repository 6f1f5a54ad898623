"""The PDF report: the overlay fits the page (rendered and measured) and shows corrected masks and types."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import numpy as np
import pytest
from PIL import Image

from wbc_desktop.core.io.paths import samples_dir
from wbc_desktop.core.editing.edits import paint_disks
from wbc_desktop.core.editing.mask_edit import MaskEdit
from wbc_desktop.gui.report.pdf import overlay_image

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


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler (pdftoppm, pdftotext)")
def test_report_fit_for_a_chart(qtbot, make_window, tmp_path):
    """Issue 25 item 7: sample details on every page, the caveats, plurals, a footer never clipped."""
    from wbc_desktop.core.review.sample_info import SampleInfo

    win = make_window()
    e = open_sample(qtbot, win)
    win.sample_details.set(SampleInfo(sample_id="S-42", slide="slide 7", stain="May-Grünwald-Giemsa",
                                      operator="B. Tech", comment="repeat in 2 days"))
    e.analysis.familiarity = 0.1  # flagged: the caveat must be printed
    win.controller.doc.countsChanged.emit()
    out = win.controller.export_pdf(win.viewer.masks.style, tmp_path / "r.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    text = unicodedata.normalize("NFKC", text)  # the PDF's "ﬁ"/"ﬂ" ligatures as letters
    pages = text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")
    assert len(pages) == 2
    for n, page in enumerate(pages, 1):
        assert "S-42" in page and "slide 7" in page and "May-Grünwald-Giemsa" in page and "repeat in 2 days" in page
        assert f"page {n} of 2" in page  # the footer, on every page
    assert "This count rests on:" in pages[0] and "flagged as unlike the training data" in pages[0]
    assert "1 cell cut by the image border not counted" in pages[0]  # the fake's border cell, singular
    assert "1 cells" not in text and "(1 image)" in pages[1]
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(out), str(tmp_path / "pg")], check=True)
    for png in sorted(tmp_path.glob("pg*.png")):
        page = np.asarray(Image.open(png).convert("L"))
        h = page.shape[0]
        ink_rows = np.nonzero((page < 245).any(axis=1))[0]
        assert ink_rows.max() <= h - MARGIN_MM / 25.4 * 60 + 2, f"{png.name}: ink below the bottom margin"
