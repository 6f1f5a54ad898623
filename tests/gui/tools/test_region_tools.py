"""Superpixel snap, flood fill and lasso through real mouse events on the view."""

from __future__ import annotations

import numpy as np

from .helpers import click, drag, open_analysed


def test_snap_click_sets_whole_superpixels_and_undoes(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    before = a.class_map.copy()
    tools.select("snap")
    tools.settings.set_value(1)
    y, x = map(int, np.argwhere(before == 0)[len(np.argwhere(before == 0)) // 2])
    with qtbot.waitSignal(doc.maskEdited, timeout=5000) as blocker:
        click(qtbot, win, x + 0.5, y + 0.5)
    edit = blocker.args[1]
    changed = edit.patch.changed
    assert a.class_map[y, x] == 1
    assert changed.sum() > 4  # a whole superpixel, not one pixel
    assert "snap" in edit.text
    with qtbot.waitSignal(doc.maskEdited, timeout=5000):
        win.controller.undo()
    assert np.array_equal(a.class_map, before)


def test_snap_drag_is_one_step(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    tools.select("snap")
    tools.settings.set_value(0)
    c = a.cells[1]
    cx, cy = c.centroid
    edits = []
    doc.maskEdited.connect(lambda i, e: edits.append(e))
    drag(qtbot, win, [(cx - 6, cy), (cx, cy), (cx + 6, cy)])
    assert len(edits) == 1
    p = edits[0].patch
    assert (p.after[p.changed] == 0).all() and p.changed.sum() >= 3 * 8  # three superpixels or more
    assert (a.class_map[p.slices][p.changed] == 0).all()


def test_flood_fill_and_lasso(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    c = a.cells[0]
    cx, cy = (int(v) for v in c.centroid)
    assert a.class_map[cy, cx] == 2
    tools.select("fill")
    tools.settings.set_value(1)
    with qtbot.waitSignal(doc.maskEdited, timeout=5000):
        click(qtbot, win, cx + 0.5, cy + 0.5)
    assert a.class_map[cy, cx] == 1
    assert c.cell_id not in [k.cell_id for k in a.cells]  # no nucleus: no cell (the analysis' rule)
    tools.select("lasso")
    tools.settings.set_value(2)
    square = [(cx - 3, cy - 3), (cx + 3, cy - 3), (cx + 3, cy + 3), (cx - 3, cy + 3)]
    with qtbot.waitSignal(doc.maskEdited, timeout=5000):
        drag(qtbot, win, square)
    assert a.class_map[cy, cx] == 2 and a.class_map[cy - 8, cx] == 1
    assert a.instances[cy, cx] > 0  # a nucleus again: a cell again
    assert tools.tools["lasso"].line.item is None  # the preview is gone
    assert "polygon" in win.actions_.undo.text()


def test_polygon_by_clicks_closes_on_double_click(qtbot, make_window):
    from PySide6.QtCore import Qt

    from .helpers import vp

    win, _ = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    tools.select("lasso")
    tools.settings.set_value(1)
    corners = [(20, 20), (50, 20), (50, 50), (20, 50)]
    for x, y in corners:
        click(qtbot, win, x, y)
    assert tools.tools["lasso"].polygon and a.class_map[35, 35] == 0  # nothing filled yet
    with qtbot.waitSignal(doc.maskEdited, timeout=5000):
        qtbot.mouseDClick(win.viewer.view.viewport(), Qt.MouseButton.LeftButton, pos=vp(win, 20, 50))
    assert a.class_map[35, 35] == 1 and a.class_map[60, 35] == 0


def test_shortcuts_dialog_lists_the_tools():
    from wbc_desktop.gui.actions import shortcut_rows

    keys = {r[1]: r[2] for r in shortcut_rows() if r[0] == "Mask tools"}
    assert keys["Brush"] == "B" and keys["Superpixel snap"] == "S" and keys["Eraser"] == "E"


def test_choosing_a_tool_shows_hidden_masks(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    win.viewer.toggle_overlay()
    win.viewer.fill_check.setChecked(False)
    assert not win.viewer.masks.visible
    win.edit_tools.actions["snap"].trigger()
    assert win.viewer.masks.visible and win.viewer.masks.fill_item.isVisible()
    assert win.viewer.view.tool is win.edit_tools.tools["snap"]
    assert "snap" in win.status.message.text().lower()


def test_class_and_brush_size_are_remembered(qtbot, make_window, settings):
    win, _ = open_analysed(qtbot, make_window)
    win.edit_tools.settings.set_value(1)
    win.edit_tools.settings.set_radius(12.5)
    assert settings.q.value("tools/class") in (1, "1") and float(settings.q.value("tools/radius")) == 12.5
    settings.q.setValue("tools/radius", "not a number")
    from wbc_desktop.gui.tools.bar import _remembered

    assert _remembered(settings) == (2, 6.0)  # unreadable: the defaults, never a crash
