"""With the mask tools (gui/tools, merged from the editing branch): a brush stroke and a retype by the
model after it are saved in the project and come back on reopen; a killed app keeps the stroke."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("wbc_desktop.gui.tools.bar")

from ..tools.helpers import RetypingPipeline, drag  # noqa: E402
from .test_session import copy_images, reopen  # noqa: E402

from wbc_desktop.gui.document import DONE  # noqa: E402


def _one_image_project(qtbot, make_window, tmp_path):
    """A window with a new project at tmp_path/proj and one analysed image shown."""
    pipe = RetypingPipeline()
    win = make_window(loader=lambda d: pipe)
    s, doc = win.project_session, win.controller.doc
    root = tmp_path / "proj"
    s.create(root)
    with qtbot.waitSignal(win.controller.runner.idle, timeout=20000):
        win.controller.open_paths([str(p) for p in copy_images(tmp_path, 1)])
    qtbot.waitUntil(lambda: doc.entries[0].status == DONE and doc.current == 0, timeout=10000)
    return win, s, doc, root


def _nucleus_brush(win):
    """The brush, painting nucleus with radius 4, on the fitted image."""
    win.viewer.view.fit()
    tools = win.edit_tools
    tools.select("brush")
    tools.settings.set_value(2)
    tools.settings.set_radius(4)
    return tools


def test_brush_stroke_in_a_project_is_journalled_saved_and_reopened(qtbot, make_window, tmp_path):
    win, s, doc, root = _one_image_project(qtbot, make_window, tmp_path)
    _nucleus_brush(win)
    with qtbot.waitSignal(doc.maskEdited, timeout=5000):
        drag(qtbot, win, [(20, 20), (40, 20), (60, 22)])
    assert (root / "journal.jsonl").stat().st_size > 0  # on disk before any mask write
    edited = doc.entries[0].analysis.class_map.copy()
    assert edited[20, 30] == 2
    s.project.debounce_s = 0.0
    with qtbot.waitSignal(s.saved, timeout=5000):
        pass
    assert (root / "masks").is_dir()
    s.close()
    reopen(qtbot, win, root)
    assert np.array_equal(doc.entries[0].analysis.class_map, edited)


def test_revert_image_after_reopen_gives_the_models_masks_from_the_project(qtbot, make_window, tmp_path):
    win, s, doc, root = _one_image_project(qtbot, make_window, tmp_path)
    model = doc.entries[0].analysis.class_map.copy()
    tools = _nucleus_brush(win)
    with qtbot.waitSignal(doc.maskEdited, timeout=5000):
        drag(qtbot, win, [(20, 20), (40, 20), (60, 22)])
    assert not np.array_equal(doc.entries[0].analysis.class_map, model)
    s.project.debounce_s = 0.0
    with qtbot.waitSignal(s.saved, timeout=5000):
        pass
    s.close()
    reopen(qtbot, win, root)
    e = doc.entries[0]
    assert e.model_masks is None  # nothing kept in memory: the project must answer
    with qtbot.waitSignal(doc.maskEdited, timeout=5000):
        tools.revert(whole_image=True)
    assert np.array_equal(e.analysis.class_map, model)
