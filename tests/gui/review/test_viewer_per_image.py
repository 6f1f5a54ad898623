"""Issue 25 item 6: zoom and pan never carry over to another image; an unreadable image shows its error."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QPointF

from ..tools.helpers import SAMPLE, RetypingPipeline


def _two_same_size(qtbot, make_window, tmp_path):
    a, b = tmp_path / "a.jpg", tmp_path / "b.jpg"
    shutil.copy(SAMPLE, a)
    shutil.copy(SAMPLE, b)  # the same size: the case where the old zoom used to stay
    pipe = RetypingPipeline()
    win = make_window(loader=lambda device: pipe)
    with qtbot.waitSignal(win.controller.runner.idle, timeout=20000):
        win.controller.open_paths([str(a), str(b)])
    return win


def test_each_image_keeps_its_own_view_and_a_new_one_is_fitted(qtbot, make_window, tmp_path):
    win = _two_same_size(qtbot, make_window, tmp_path)
    view, rows = win.viewer.view, win.images.list
    rows.setCurrentRow(0)
    view.fit()
    fitted = view.zoom
    view.set_zoom(fitted * 4)
    view.centerOn(QPointF(60, 50))
    kept = view.view_state()
    rows.setCurrentRow(1)  # the other image, never shown before
    assert abs(view.zoom - fitted) < 1e-6, "zoom carried over to the next image"
    view.set_zoom(fitted * 2)
    rows.setCurrentRow(0)  # back: its own zoom and centre
    assert abs(view.zoom - kept[0]) < 1e-6
    centre = view.view_state()[1]
    assert abs(centre.x() - kept[1].x()) < 2 and abs(centre.y() - kept[1].y()) < 2
    rows.setCurrentRow(1)
    assert abs(view.zoom - fitted * 2) < 1e-6


def test_an_unreadable_image_shows_its_error_not_the_previous_image(qtbot, make_window, tmp_path):
    good, bad = tmp_path / "good.jpg", tmp_path / "broken.png"
    shutil.copy(SAMPLE, good)
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really a png")
    pipe = RetypingPipeline()
    win = make_window(loader=lambda device: pipe)
    with qtbot.waitSignal(win.controller.runner.idle, timeout=20000):
        win.controller.open_paths([str(good), str(bad)])
    doc, viewer = win.controller.doc, win.viewer
    win.images.list.setCurrentRow(0)
    assert viewer.view.has_image() and viewer.boxes.boxes
    win.images.list.setCurrentRow(doc.index_of(bad))
    assert doc.current_entry.status == "error"
    assert not viewer.view.has_image(), "the previous image is still shown"
    assert not viewer.boxes.boxes and not viewer.masks.cell_items, "the previous overlay is still shown"
    assert viewer.placeholder.isVisible()
    text = viewer.placeholder.text()
    assert "broken.png could not be opened" in text and doc.current_entry.message[:20] in text
    win.images.list.setCurrentRow(0)
    assert viewer.view.has_image() and viewer.boxes.boxes and not viewer.placeholder.isVisible()
