"""Issue 25 item 5: a large result reaches the screen without a long GUI-thread turn: the fill is
coloured in the worker and adopted, the boxes arrive in parts (functional checks; timings in the bench)."""

from __future__ import annotations

from ..tools.helpers import open_analysed


def test_fill_coloured_in_the_worker_and_boxes_in_parts(qtbot, make_window, monkeypatch):
    from wbc_desktop.gui.viewer.panel import ViewerPanel

    monkeypatch.setattr(ViewerPanel, "STAGE_ABOVE_PX", 0)  # treat the sample as a large field
    monkeypatch.setattr(ViewerPanel, "BOXES_PER_STAGE", 2)
    win, _ = open_analysed(qtbot, make_window)
    viewer, e = win.viewer, win.controller.doc.current_entry
    qtbot.waitUntil(lambda: viewer._staging is None and viewer._shown is e.display, timeout=5000)
    assert len(viewer.boxes.boxes) == len(e.analysis.cells) == 5  # all parts arrived
    assert viewer.masks.fill_item._img is e.display.fill  # adopted, not recoloured on the GUI thread
    before = viewer.masks.fill_item.pixmap().toImage().pixelColor(int(e.analysis.cells[0].centroid[0]),
                                                                  int(e.analysis.cells[0].centroid[1]))
    viewer.opacity.setValue(viewer.opacity.value() // 2)  # a restyle recolours here and keeps the display's fill
    assert viewer.masks.fill_item._img is e.display.fill
    after = viewer.masks.fill_item.pixmap().toImage().pixelColor(int(e.analysis.cells[0].centroid[0]),
                                                                 int(e.analysis.cells[0].centroid[1]))
    assert before != after
