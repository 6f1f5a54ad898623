"""Brush and eraser through real mouse events: live paint, one undo step a stroke, redo, retype."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from .helpers import click, drag, open_analysed


def test_brush_stroke_paints_live_is_one_undo_step_and_redoes(qtbot, make_window):
    win, pipe = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    before = a.class_map.copy()
    tools.select("brush")
    tools.settings.set_value(2)
    tools.settings.set_radius(4)
    edits = []
    doc.maskEdited.connect(lambda i, e: edits.append(e))
    with qtbot.waitSignal(doc.maskEdited, timeout=5000):
        drag(qtbot, win, [(20, 20), (40, 20), (60, 22)])
    assert len(edits) == 1  # the whole stroke is one edit
    assert a.class_map[20, 30] == 2 and a.class_map[22, 60] == 2 and a.class_map[30, 30] == before[30, 30]
    # the shown fill follows the class map (only the stroke's rectangle was redrawn)
    img = win.viewer.masks.fill_item.pixmap().toImage()
    assert img.pixelColor(30, 20).alpha() > 0
    assert win.actions_.undo.isEnabled() and "brush" in win.actions_.undo.text()
    with qtbot.waitSignal(doc.maskEdited, timeout=5000):
        win.actions_.undo.trigger()
    assert np.array_equal(a.class_map, before)
    assert win.viewer.masks.fill_item.pixmap().toImage().pixelColor(30, 20).alpha() == \
        (0 if before[20, 30] == 0 else img.pixelColor(30, 20).alpha())
    with qtbot.waitSignal(doc.maskEdited, timeout=5000):
        win.actions_.redo.trigger()
    assert a.class_map[20, 30] == 2


def test_painting_a_new_cell_recomputes_cells_and_retypes_them(qtbot, make_window):
    win, pipe = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    n0 = len(a.cells)
    lymph = int(win.counts.value("lymphocyte"))
    # an empty corner big enough for a cell
    y, x = 30, 30
    assert (a.class_map[y - 15:y + 15, x - 15:x + 15] == 0).all()
    tools.select("brush")
    tools.settings.set_radius(10)
    tools.settings.set_value(1)
    drag(qtbot, win, [(x - 2, y), (x + 2, y)])
    tools.settings.set_radius(4)
    tools.settings.set_value(2)
    with qtbot.waitSignal(tools.retyper.done, timeout=10000) as blocker:
        drag(qtbot, win, [(x - 1, y), (x + 1, y)])
    assert len(a.cells) == n0 + 1
    new = [c for c in a.cells if c.bbox[0] <= x <= c.bbox[2] and c.bbox[1] <= y <= c.bbox[3]]
    assert len(new) == 1 and new[0].nucleus_area_px > 0 and new[0].cytoplasm_area_px > 0
    assert new[0].cell_id in blocker.args[1] and new[0].cell_type == "lymphocyte"  # typed by the model process
    assert any(new[0].cell_id in ids for ids in pipe.retyped)
    assert int(win.counts.value("lymphocyte")) == lymph + 1  # the counts follow the retype
    assert new[0].cell_id in win.viewer.boxes.boxes and new[0].cell_id in win.viewer.masks.cell_items
    assert new[0].cell_id in doc.current_entry.display.thumbs  # the gallery's thumbnail


def test_persons_type_wins_over_a_retype(qtbot, make_window):
    win, pipe = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    c = a.cells[0]
    doc.select([c.cell_id])
    win.controller.reclassify([c.cell_id], "basophil")
    tools.select("eraser")
    tools.settings.set_radius(2)
    ys, xs = np.nonzero(a.instances == c.cell_id)
    k = int(xs.argmin())
    with qtbot.waitSignal(tools.retyper.done, timeout=10000):
        drag(qtbot, win, [(xs[k] + 0.5, ys[k] + 0.5), (xs[k] + 2.5, ys[k] + 0.5)])  # nibble the cell's edge
    c2 = a.cell(c.cell_id)
    assert c2.area_px < c.area_px and c2.cell_type == "lymphocyte"  # retyped by the model...
    assert c2.final_type == "basophil"  # ...but the person's type wins


def test_eraser_size_keys_and_escape(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    tools, view = win.edit_tools, win.viewer.view
    tools.select("eraser")
    r = tools.settings.radius
    qtbot.keyClick(view, Qt.Key.Key_BracketRight)
    assert tools.settings.radius > r
    qtbot.keyClick(view, Qt.Key.Key_BracketLeft)
    qtbot.keyClick(view, Qt.Key.Key_BracketLeft)
    assert tools.settings.radius < r
    # the circle cursor has the brush's true size in image pixels
    circle = tools.tools["eraser"].circle.items[0]
    assert abs(circle.rect().width() - 2 * tools.settings.radius) < 1e-6
    tools.select("brush")
    qtbot.keyClick(view, Qt.Key.Key_2)
    assert tools.settings.value == 1
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert tools.settings.value == 2


def test_signed_image_refuses_strokes(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    win.controller.toggle_signed()
    before = a.class_map.copy()
    tools.select("brush")
    drag(qtbot, win, [(20, 20), (40, 20)])
    click(qtbot, win, 50, 50)
    assert np.array_equal(a.class_map, before)
    assert "signed" in win.controller.messages.history[-1][1].lower()


def test_a_retype_answered_after_an_undo_leaves_the_old_cell_alone(qtbot, make_window):
    win, pipe = open_analysed(qtbot, make_window)
    doc, tools, runner = win.controller.doc, win.edit_tools, win.controller.runner
    a = doc.current_entry.analysis
    c = a.cells[0]
    old_type = c.cell_type
    assert old_type != "lymphocyte"
    tools.select("eraser")
    tools.settings.set_radius(2)
    ys, xs = np.nonzero(a.instances == c.cell_id)
    k = int(xs.argmin())
    pipe.gate.clear()  # the model is slow
    drag(qtbot, win, [(xs[k] + 0.5, ys[k] + 0.5), (xs[k] + 2.5, ys[k] + 0.5)])
    win.controller.undo()  # before the answer
    assert a.cell(c.cell_id) is c
    with qtbot.waitSignal(runner.retyped, timeout=10000):
        pipe.gate.set()
    assert a.cell(c.cell_id).cell_type == old_type
    with qtbot.waitSignal(tools.retyper.done, timeout=10000):  # redo asks again
        win.controller.redo()
    assert a.cell(c.cell_id).cell_type == "lymphocyte"


def test_digits_choose_the_class_while_painting_and_type_cells_otherwise(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    doc, tools, view = win.controller.doc, win.edit_tools, win.viewer.view
    a = doc.current_entry.analysis
    cid = a.cells[0].cell_id
    win.activateWindow()
    view.setFocus()
    doc.select([cid])
    qtbot.keyClick(view, Qt.Key.Key_2)  # Select mode: the window's shortcut types the cell
    assert a.cell(cid).reviewed_type == "lymphocyte"
    tools.select("brush")
    qtbot.keyClick(view, Qt.Key.Key_3)  # a painting tool takes the digit first
    assert tools.settings.value == 0 and a.cell(cid).reviewed_type == "lymphocyte"


def test_right_button_paints_background(qtbot, make_window):
    from PySide6.QtCore import QEvent

    from .helpers import _send, vp

    win, _ = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    c = a.cells[1]
    cx, cy = (int(v) for v in c.centroid)
    tools.select("brush")
    tools.settings.set_value(2)
    tools.settings.set_radius(3)
    viewport = win.viewer.view.viewport()
    R = Qt.MouseButton.RightButton
    with qtbot.waitSignal(doc.maskEdited, timeout=5000) as blocker:
        qtbot.mousePress(viewport, R, pos=vp(win, cx, cy))
        _send(win, QEvent.Type.MouseMove, vp(win, cx + 2, cy), Qt.MouseButton.NoButton, R)
        qtbot.mouseRelease(viewport, R, pos=vp(win, cx + 2, cy))
    assert a.class_map[cy, cx] == 0 and "erase" in blocker.args[1].text


def test_edits_during_a_retype_go_together_in_the_next_request(qtbot, make_window):
    win, pipe = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    tools.select("eraser")
    tools.settings.set_radius(2)
    pipe.gate.clear()  # the model is busy with the first request
    cells = a.cells[:3]
    for c in cells:
        ys, xs = np.nonzero(a.instances == c.cell_id)
        k = int(xs.argmin())
        drag(qtbot, win, [(xs[k] + 0.5, ys[k] + 0.5), (xs[k] + 2.5, ys[k] + 0.5)])
    done = []
    tools.retyper.done.connect(lambda i, ids: done.append(ids))
    pipe.gate.set()
    qtbot.waitUntil(lambda: len(done) == 2, timeout=10000)
    assert pipe.retyped == [[cells[0].cell_id], sorted(c.cell_id for c in cells[1:])]
    assert all(a.cell(c.cell_id).cell_type == "lymphocyte" for c in cells)


def test_a_stroke_survives_an_entry_update_but_not_a_new_analysis(qtbot, make_window):
    from PySide6.QtCore import QEvent

    from .helpers import _send, vp

    win, _ = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    tools.select("brush")
    tools.settings.set_radius(3)
    viewport = win.viewer.view.viewport()
    L = Qt.MouseButton.LeftButton
    qtbot.mousePress(viewport, L, pos=vp(win, 20, 20))
    doc.entryChanged.emit(doc.current)  # e.g. a project marking the image as corrected
    _send(win, QEvent.Type.MouseMove, vp(win, 30, 20), Qt.MouseButton.NoButton, L)
    assert tools.active.busy
    e = doc.current_entry
    e.analysis = type(e.analysis)(**{**e.analysis.__dict__, "class_map": e.analysis.class_map.copy()})
    doc.entryChanged.emit(doc.current)  # a new analysis arrived: the stroke is dropped
    assert not tools.active.busy
    qtbot.mouseRelease(viewport, L, pos=vp(win, 30, 20))
