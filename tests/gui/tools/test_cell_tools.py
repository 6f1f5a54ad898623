"""Cell operations through the view: delete, add, split, merge, revert to the model; one history."""

from __future__ import annotations

import numpy as np

from .helpers import click, drag, open_analysed


def test_delete_cell_then_ctrl_z_mixes_with_retyping(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    n0 = len(a.cells)
    victim = a.cells[1]
    mono = int(win.counts.value("monocyte") or 0)
    win.controller.reclassify([a.cells[0].cell_id], "monocyte")  # a retype first...
    tools.select("delete_cell")
    cx, cy = victim.centroid
    with qtbot.waitSignal(doc.maskEdited, timeout=5000):  # ...then a stroke
        click(qtbot, win, cx, cy)
    assert len(a.cells) == n0 - 1 and not (a.instances == victim.cell_id).any()
    assert victim.cell_id not in win.viewer.boxes.boxes and victim.cell_id not in win.viewer.masks.cell_items
    assert win.counts.value("monocyte") == str(mono + 1)
    win.controller.undo()  # the stroke (whichever came last)
    assert len(a.cells) == n0
    assert victim.cell_id in win.viewer.boxes.boxes and victim.cell_id in win.viewer.masks.cell_items
    win.controller.undo()  # then the retype
    assert a.cells[0].reviewed_type is None


def test_add_cell_draws_nucleus_and_grows_cytoplasm(qtbot, make_window):
    win, pipe = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    n0 = len(a.cells)
    x, y = 30, 30
    assert (a.class_map[y - 15:y + 15, x - 15:x + 15] == 0).all()
    tools.select("add_cell")
    ring = [(x + 6 * np.cos(t), y + 6 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 16)]
    with qtbot.waitSignal(tools.retyper.done, timeout=10000):
        drag(qtbot, win, ring)
    assert len(a.cells) == n0 + 1
    new = a.cells[-1]
    assert new.nucleus_area_px > 50 and new.cytoplasm_area_px > 0 and new.cell_type == "lymphocyte"


def test_split_then_merge(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    c = a.cells[1]
    x0, y0, x1, y1 = c.bbox
    cx = (x0 + x1) / 2
    n0 = len(a.cells)
    tools.select("split")
    win.viewer.view.set_zoom(1.0)
    win.viewer.view.centerOn(cx, (y0 + y1) / 2)
    with qtbot.waitSignal(doc.maskEdited, timeout=5000):
        drag(qtbot, win, [(cx, y0 - 3), (cx, (y0 + y1) / 2), (cx, y1 + 3)])
    assert len(a.cells) == n0 + 1
    ids = sorted(set(np.unique(a.instances[y0:y1, x0:x1]).tolist()) - {0})
    assert c.cell_id in ids and len(ids) == 2
    other = [i for i in ids if i != c.cell_id][0]
    left, right = a.cell(c.cell_id), a.cell(other)
    tools.select("merge")
    with qtbot.waitSignal(doc.maskEdited, timeout=5000):
        click(qtbot, win, *left.centroid)
        click(qtbot, win, *right.centroid)
    assert len(a.cells) == n0 and not (a.instances == other).any()


def test_revert_cell_and_image_to_the_model(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    model = a.class_map.copy()
    c = a.cells[0]
    cx, cy = c.centroid
    tools.select("eraser")
    tools.settings.set_radius(3)
    drag(qtbot, win, [(cx - 2, cy), (cx + 2, cy)])
    drag(qtbot, win, [(20, 20), (20, 22)])  # a second, elsewhere (nothing there: no edit)
    tools.select("brush")
    drag(qtbot, win, [(20, 20), (22, 22)])
    assert not np.array_equal(a.class_map, model)
    doc.select([c.cell_id])
    tools.actions["revert_cell"].trigger()
    ys, xs = np.nonzero(model[int(cy) - 4:int(cy) + 4, int(cx) - 4:int(cx) + 4] != a.class_map[int(cy) - 4:int(cy) + 4, int(cx) - 4:int(cx) + 4])
    assert len(ys) == 0 and a.class_map[21, 21] != model[21, 21]
    tools.actions["revert_image"].trigger()
    assert np.array_equal(a.class_map, model)
    assert "revert image" in win.actions_.undo.text()


def test_delete_key_removes_selected_cells_and_escape_cancels_a_stroke(qtbot, make_window):
    from PySide6.QtCore import QEvent, Qt

    from .helpers import _send, vp

    win, _ = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    n0 = len(a.cells)
    doc.select([a.cells[0].cell_id, a.cells[1].cell_id])
    tools.actions["delete_selected"].trigger()
    assert len(a.cells) == n0 - 2 and doc.selected == []
    assert win.actions_.undo.text().endswith("delete 2 cells")  # one step for both
    win.controller.undo()
    assert len(a.cells) == n0
    win.controller.redo()
    assert len(a.cells) == n0 - 2
    # Esc mid-stroke: the live paint is taken back and nothing enters the history
    tools.select("brush")
    before = a.class_map.copy()
    undo_text = win.actions_.undo.text()
    viewport = win.viewer.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=vp(win, 20, 20))
    _send(win, QEvent.Type.MouseMove, vp(win, 40, 20), Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton)
    assert a.class_map[20, 30] == tools.settings.value
    qtbot.keyClick(win.viewer.view, Qt.Key.Key_Escape)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=vp(win, 40, 20))
    assert np.array_equal(a.class_map, before) and win.actions_.undo.text() == undo_text


def test_revert_uses_the_owners_model_masks(qtbot, make_window):
    """A project shows corrected masks; "revert image" goes back to its stored model output."""
    win, _ = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    model = a.class_map.copy()
    model[10:20, 10:20] = 1  # the owner's model output differs from what is shown
    doc.model_masks_for = lambda e: (model, None)
    tools.actions["revert_image"].trigger()
    assert np.array_equal(a.class_map, model)
