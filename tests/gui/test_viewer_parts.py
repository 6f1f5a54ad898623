"""Viewer building blocks: outlines geometry, hover text, tag level of detail, prepared data."""

from __future__ import annotations

import numpy as np

from wbc_desktop.gui.viewer.boxes import cell_label
from wbc_desktop.gui.viewer.contours import cell_outlines_by_cell, drop_collinear
from wbc_desktop.gui.viewer.hover import describe
from wbc_desktop.gui.viewer.prepare import prepare

from .fakes import synthetic_analysis


def test_square_outline_keeps_only_its_corners():
    cls = np.zeros((20, 20), np.uint8)
    cls[5:15, 5:15] = 1
    inst = (cls > 0).astype(np.int32)
    a = synthetic_analysis("x", (20, 20), n=1)
    a.cells[0].bbox, a.cells[0].cell_id = (5, 5, 15, 15), 1
    (poly,) = cell_outlines_by_cell(cls, inst, a.cells[:1])[1]["cell"]
    assert len(poly) <= 9  # 4 corners (chamfered: 8) + closing point, not ~40 edge points
    assert poly[:, 0].min() >= 4.5 and poly[:, 0].max() <= 15.5


def test_drop_collinear_keeps_turns():
    line = np.array([[0, 0], [1, 0], [2, 0], [2, 1], [2, 2], [0, 0]], float)
    out = drop_collinear(line)
    assert [tuple(p) for p in out[:-1]] == [(0, 0), (2, 0), (2, 2)]


def test_hover_and_label_text_say_what_a_reviewer_needs():
    a = synthetic_analysis("x", (60, 300))
    c = a.cells[0]
    assert cell_label(c) == "neutrophil 0.95"
    c.reviewed_type = "basophil"
    assert cell_label(c) == "basophil ✎"
    text = describe(c, 10, 20)
    assert "Basophil" in text and "model: Neutrophil" in text and "N/C" in text
    from wbc_desktop.gui.panels.gallery import GalleryPanel

    tip = GalleryPanel._tooltip(c)  # the gallery says the same, in plain text
    assert tip.startswith(f"Cell {c.cell_id}: Basophil") and "set by reviewer (model: Neutrophil)" in tip


def test_prepare_builds_every_drawable(qapp):
    a = synthetic_analysis("x", (60, 300))
    pixels = np.full((60, 300, 3), 200, np.uint8)
    d = prepare(pixels, a)
    assert (d.image.width(), d.image.height()) == (300, 60)
    assert d.classes.pixelIndex(int(a.cells[0].centroid[0]), 30) == 2  # nucleus in the middle
    assert set(d.cell_paths) == set(d.thumbs) == {c.cell_id for c in a.cells}
    assert not d.nucleus_paths[1].isEmpty()


def test_thumbnail_focuses_on_the_nucleus():
    from wbc_desktop.gui.viewer.prepare import focus_box

    a = synthetic_analysis("x", (60, 300))
    c = a.cells[0]
    x0, y0, x1, y1 = focus_box(a, c)
    cx, cy = c.centroid
    assert abs((x0 + x1) / 2 - cx) <= 1 and abs((y0 + y1) / 2 - cy) <= 1
    assert x1 - x0 <= c.bbox[2] - c.bbox[0]


def test_a_doubtful_cell_says_so_in_its_tag_caption_and_tooltip():
    from wbc_desktop.gui.panels.gallery import GalleryPanel

    a = synthetic_analysis("x", (60, 300))
    c = a.cells[0]
    c.doubt = "far from its type's training cells (2.1x their spread)"
    assert cell_label(c) == "neutrophil? 0.95"
    assert GalleryPanel._caption(c).endswith(" ?")
    assert "doubtful: far from its type's training cells" in GalleryPanel._tooltip(c)
    c.reviewed_type = "eosinophil"  # a person's type: no more doubt shown
    assert cell_label(c) == "eosinophil ✎" and "doubtful" not in GalleryPanel._tooltip(c)
