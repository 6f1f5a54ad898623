"""The window on the real pipeline code: the installed models when present, else a tiny trained one."""

from __future__ import annotations

import pytest

from wbc_desktop.core.io.paths import samples_dir
from wbc_desktop.gui.document import DONE


def _installed_segmenter() -> bool:
    try:
        from wbc_desktop.core.weights import registry
        registry.resolve("default", "segmenter")
        return True
    except Exception:
        return False


@pytest.mark.slow
def test_real_pipeline_end_to_end_in_the_window(qtbot, make_window, request):
    """The app's real loader (models in a child process); with the tiny model only the plumbing is checked."""
    from wbc_desktop.core.pipeline_process import PipelineProcess

    installed = _installed_segmenter()
    seg = "default" if installed else str(request.getfixturevalue("tiny_segmenter"))
    win = make_window(loader=lambda device: PipelineProcess(seg_model=seg, device=device))
    runner = win.controller.runner
    assert runner.pipeline is not None, runner.pipeline_error
    image = samples_dir() / ("smear_field_bccd_00010.jpg" if installed else "single_cell_cellavision_001.png")
    with qtbot.waitSignal(runner.idle, timeout=180_000):
        win.controller.open_paths([image])
    e = win.controller.doc.current_entry
    assert e.status == DONE, e.message
    assert e.analysis.class_map.shape == e.image.shape
    assert len(win.viewer.boxes.boxes) == len(e.analysis.cells)
    assert win.status.device.text().startswith("CPU") and "segmenter" in win.status.device.text()
    if installed:
        assert (e.analysis.class_map == 2).any(), "no nucleus found in a field that has WBCs"


_GUI_PROCESS_SCRIPT = """
import sys
from PySide6.QtWidgets import QApplication
from wbc_desktop.gui.app import build
app = QApplication([])
win = build()
runner = win.controller.runner
runner.pipelineReady.connect(lambda text: (print("READY", text), app.quit()))
runner.pipelineFailed.connect(lambda text: (print("FAILED", text), app.quit()))
runner.load_pipeline("cpu")
app.exec()
print("TORCH_IN_GUI_PROCESS", "torch" in sys.modules)
runner.shutdown()
"""


@pytest.mark.slow
def test_gui_process_never_imports_torch(tmp_path):
    """torch's import holds the GIL for ~250 ms: it must happen in the model process only."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WBC_DESKTOP_USER_DIR=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    out = subprocess.run([sys.executable, "-c", _GUI_PROCESS_SCRIPT], capture_output=True, text=True,
                         timeout=300, env=env).stdout
    assert "READY CPU" in out, out
    assert "TORCH_IN_GUI_PROCESS False" in out, out
