"""A whole slide in the window: its overview at once, cells from full-resolution tiles, the gallery
filling as tiles finish, mask edits refused on the reduced picture."""

from __future__ import annotations

import pytest

from wbc_desktop.gui import runner as runner_mod
from wbc_desktop.gui.document import DONE, RUNNING

from tests.core.batch.test_slides import _make_slide


@pytest.fixture
def slide(tmp_path, fixtures, monkeypatch):
    path = tmp_path / "slide.tif"
    _make_slide(path, fixtures)  # 2304 x 2048, tiled: two analysis tiles of 2048
    monkeypatch.setattr(runner_mod, "SLIDE_MIN_PX", 1_000_000)  # the real threshold is 4 tiles: keep it small
    return path


@pytest.mark.slow
def test_slide_opens_as_an_overview_with_full_resolution_cells(qtbot, make_window, slide):
    from wbc_desktop.core.pipeline_process import PipelineProcess

    win = make_window(loader=lambda device: PipelineProcess(cls_model=None, device=device))
    runner = win.controller.runner
    with qtbot.waitSignal(runner.idle, timeout=180_000):
        win.controller.open_paths([slide])
    e = win.controller.doc.current_entry
    assert e.status == DONE, e.message
    a = e.analysis
    assert a.overview_factor and a.class_map.shape == e.image.shape  # the overview is the picture shown
    assert len(a.cells) >= 6 and sorted(e.display.thumbs) == [c.cell_id for c in a.cells]
    assert e.display.thumbs[a.cells[0].cell_id].width() > 60  # a real crop, not a few overview pixels
    assert any("whole-slide image" in n for n in a.notes)
    assert len(win.viewer.boxes.boxes) == len(a.cells)
    assert not win.edit_tools.ctx.can_edit()
    assert any("whole slide shown reduced" in t for _, t in win.controller.messages.history)


@pytest.mark.slow
def test_the_gallery_fills_as_tiles_finish(qtbot, make_window, slide):
    from wbc_desktop.core.pipeline import Pipeline

    pipe = Pipeline.load("default", None, device="cpu")
    win = make_window(loader=lambda device: pipe)
    runner = win.controller.runner
    events = []
    runner.slidePartial.connect(lambda out: events.append(("partial", len(out.analysis.cells))))
    runner.imageDone.connect(lambda out: events.append(("done", len(out.analysis.cells))))
    win.controller.doc.entryChanged.connect(
        lambda i: events.append(("shown", win.controller.doc.entries[i].status,
                                 len(getattr(win.controller.doc.entries[i].analysis, "cells", []) or []))))
    with qtbot.waitSignal(runner.idle, timeout=180_000):
        win.controller.open_paths([slide])
    kinds = [k[0] for k in events]
    # the first tile (all six cells of this slide) is in the document, still running, before the second ends
    assert "partial" in kinds and kinds.index("partial") < kinds.index("done")
    assert ("shown", RUNNING, 6) in events and events[kinds.index("done")][1] == 6
