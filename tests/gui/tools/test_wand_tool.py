"""The magic wand through real mouse events: a click changes a region, right/Shift+click is
negative, each click is one undo step."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from wbc_desktop.core.analysis import NodeEmbeddings

from .helpers import open_analysed, vp


def _nodes_like(class_map: np.ndarray, scale: float = 0.5) -> list[NodeEmbeddings]:
    """Grid superpixels (4 model px) whose embeddings say their majority class, and logits that say
    each pixel's class, as a model's would."""
    h, w = class_map.shape
    mh, mw = int(h * scale), int(w * scale)
    my, mx = np.mgrid[:mh, :mw]
    labels = ((my // 4) * ((mw + 3) // 4) + mx // 4).astype(np.int32)
    n = int(labels.max()) + 1
    cls = class_map[(my / scale).astype(int), (mx / scale).astype(int)]
    major = np.bincount(labels.ravel() * 3 + cls.ravel(), minlength=n * 3).reshape(n, 3).argmax(1)
    protos = np.random.default_rng(0).normal(size=(3, 8))
    logits = 2.0 * (cls[None] == np.arange(3)[:, None, None])  # sure of every pixel's class
    return [NodeEmbeddings((0, h, 0, w), labels, protos[major].astype(np.float16), logits.astype(np.float16))]


def _click(qtbot, win, x, y, button=Qt.MouseButton.LeftButton, modifier=Qt.KeyboardModifier.NoModifier):
    viewport = win.viewer.view.viewport()
    qtbot.mousePress(viewport, button, modifier, pos=vp(win, x, y))
    qtbot.mouseRelease(viewport, button, modifier, pos=vp(win, x, y))


def test_wand_click_spreads_and_undoes(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    a.scale = 0.5
    a.nodes = _nodes_like(a.class_map)
    before = a.class_map.copy()
    c = a.cells[1]
    cx, cy = c.centroid
    tools.select("wand")
    assert tools.actions["wand"].shortcut().toString() == "W"
    tools.settings.set_value(1)
    tools.settings.set_radius(40)
    with qtbot.waitSignal(doc.maskEdited, timeout=5000) as blocker:
        _click(qtbot, win, cx + 0.5, cy + 0.5)  # on the nucleus: it becomes cytoplasm
    edit = blocker.args[1]
    assert "wand" in edit.text
    assert a.class_map[int(cy), int(cx)] == 1
    assert edit.patch.changed.sum() > 50  # a region, not a pixel
    with qtbot.waitSignal(doc.maskEdited, timeout=5000):
        win.controller.undo()
    assert np.array_equal(a.class_map, before)


def test_right_button_and_shift_click_are_negative(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    a.nodes = []  # no embeddings kept (a project read back): superpixels by colour around the click
    tools.select("wand")
    tools.settings.set_value(2)
    tools.settings.set_radius(30)
    for cell, kw in ((a.cells[0], {"button": Qt.MouseButton.RightButton}),
                     (a.cells[2], {"modifier": Qt.KeyboardModifier.ShiftModifier})):
        cx, cy = (int(v) for v in cell.centroid)
        assert a.class_map[cy, cx] == 2
        with qtbot.waitSignal(doc.maskEdited, timeout=5000) as blocker:
            _click(qtbot, win, cx + 0.5, cy + 0.5, **kw)
        p = blocker.args[1].patch
        assert a.class_map[cy, cx] == 0 and p.changed.sum() > 20
        assert not (p.after[p.changed] == 2).any()  # a negative click never gives the class


def test_wand_keeps_what_the_brush_painted(qtbot, make_window):
    from .helpers import drag

    win, _ = open_analysed(qtbot, make_window)
    doc, tools = win.controller.doc, win.edit_tools
    a = doc.current_entry.analysis
    a.nodes = _nodes_like(a.class_map)
    c = a.cells[1]
    cx, cy = c.centroid
    x0, y0, x1, y1 = c.bbox
    tools.select("brush")
    tools.settings.set_value(2)
    tools.settings.set_radius(2)
    with qtbot.waitSignal(doc.maskEdited, timeout=5000) as blocker:  # nucleus painted out to the cell's edge
        drag(qtbot, win, [(cx, cy), ((cx + x1) / 2, cy), (x1 - 3, cy)])
    painted = np.zeros(a.class_map.shape, bool)
    p = blocker.args[1].patch
    painted[p.slices] = p.changed
    assert painted.sum() > 5
    tools.select("wand")
    tools.settings.set_value(1)
    tools.settings.set_radius(60)
    with qtbot.waitSignal(doc.maskEdited, timeout=5000) as blocker:
        _click(qtbot, win, cx - 2.5, cy + 0.5)  # the nucleus becomes cytoplasm...
    assert blocker.args[1].patch.changed.sum() > 50
    assert (a.class_map[painted] == 2).all()  # ...but not what the brush painted
