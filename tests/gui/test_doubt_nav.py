"""Doubt overlay (U) and next uncertain cell (N) over a batch."""

from __future__ import annotations

import shutil

import numpy as np

from wbc_desktop.gui.document import DONE

from tests.conftest import FIXTURES

from .fakes import FakePipeline, synthetic_analysis


class DoubtfulPipeline(FakePipeline):
    """The fake cells, plus a segmenter doubt map that is high over cell 2 only."""

    def analyze(self, image, **kw):
        a = super().analyze(image, **kw)
        u = np.zeros(a.shape, np.uint8)
        u[a.instances == 2] = 250
        a.uncertainty = u
        return a


def open_two(qtbot, win, tmp_path):
    out = tmp_path / "imgs"
    out.mkdir()
    for p in sorted((FIXTURES / "cellavision" / "images").glob("*.png"))[:2]:
        shutil.copy(p, out / p.name)
    with qtbot.waitSignal(win.controller.runner.idle, timeout=20000):
        win.controller.open_paths([str(out)])
    qtbot.waitUntil(lambda: all(e.status == DONE for e in win.controller.doc.entries), timeout=10000)


def test_n_walks_the_most_doubtful_cells_across_images(qtbot, make_window, tmp_path):
    win = make_window(loader=lambda d: DoubtfulPipeline())
    open_two(qtbot, win, tmp_path)
    doc, nav = win.controller.doc, win.doubt_nav
    visited = []
    for _ in range(4):
        nav.next.trigger()
        visited.append((doc.current, doc.selected[0]))
    # cell 2 (sure type 0.88 but doubtful mask) and cell 3 (type 0.42) of each image come first
    assert {c for _, c in visited} == {2, 3} and {i for i, _ in visited} == {0, 1}
    assert len(set(visited)) == 4 and win.tabs.currentWidget() is win.viewer
    win.controller.reclassify_selected("monocyte")  # typing the cell takes it out of the walk
    assert all((d.key, d.cell_id) != visited[-1] for d in nav.ranked())


def test_u_toggles_the_doubt_overlay_of_the_current_image(qtbot, make_window, tmp_path):
    win = make_window(loader=lambda d: DoubtfulPipeline())
    open_two(qtbot, win, tmp_path)
    nav = win.doubt_nav
    assert not nav.layer.item.isVisible()
    nav.toggle.trigger()
    e = win.controller.doc.current_entry
    assert nav.layer.item.isVisible() and nav.check.isChecked()
    pix = nav.layer.item.pixmap()
    assert (pix.width(), pix.height()) == (e.analysis.shape[1], e.analysis.shape[0])
    img = pix.toImage()
    ys, xs = np.nonzero(e.analysis.instances == 2)
    assert img.pixelColor(int(xs[0]), int(ys[0])).alpha() > 150  # doubtful: opaque heat
    assert img.pixelColor(0, 0).alpha() == 0  # sure background: transparent
    nav.check.setChecked(False)
    assert not nav.layer.item.isVisible() and not nav.toggle.isChecked()


def test_no_map_says_how_to_get_one(qtbot, make_window, tmp_path):
    win = make_window()
    open_two(qtbot, win, tmp_path)
    win.doubt_nav.toggle.trigger()
    assert "re-analyse it (Ctrl+R)" in win.controller.messages.text
    assert synthetic_analysis("x", (20, 20)).uncertainty is None
