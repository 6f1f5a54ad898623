"""The window on the real models, when they are installed (skipped on a clone without them)."""

from __future__ import annotations

import pytest

from wbc_desktop.core.paths import samples_dir
from wbc_desktop.gui.document import DONE
from wbc_desktop.gui.runner import default_loader


def _have_segmenter() -> bool:
    try:
        from wbc_desktop.core import registry

        registry.resolve("default", "segmenter")
        import wbc_desktop.core.cells  # noqa: F401  (the pipeline needs it)
        return True
    except Exception:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not _have_segmenter(), reason="no segmenter model installed")
def test_sample_field_analysed_by_the_real_pipeline(qtbot, make_window):
    win = make_window(loader=default_loader)
    runner = win.controller.runner
    assert runner.pipeline is not None, runner.pipeline_error
    with qtbot.waitSignal(runner.idle, timeout=120_000):
        win.controller.open_paths([samples_dir() / "smear_field_bccd_00010.jpg"])
    e = win.controller.doc.current_entry
    assert e.status == DONE and e.analysis.class_map.shape == e.image.shape
    assert (e.analysis.class_map == 2).any(), "no nucleus found in a field that has two WBCs"
    assert len(win.viewer.boxes.boxes) == len(e.analysis.cells) >= 1
    assert "segmenter" in win.status.device.text()
