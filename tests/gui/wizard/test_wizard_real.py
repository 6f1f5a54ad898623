"""The wizard on the real engine (torch, in the training process) and the tiny fixture project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wbc_desktop.core.weights.versions import VersionStore

pytestmark = pytest.mark.slow


@pytest.fixture
def win(make_window, project):
    w = make_window()
    w.retrainer._project = project
    yield w
    w.retrainer.launcher.kill()


def test_real_engine_wizard_version_card_overlays_activate_rollback(win, project, qtbot):
    from wbc_desktop.gui.wizard.models_dialog import ModelsDialog
    from wbc_desktop.gui.wizard.wizard import RESULT

    r = win.retrainer
    r.open_wizard()
    wiz = r.wizard
    qtbot.addWidget(wiz)
    wiz.next()
    wiz.options.time_s.setValue(10)
    wiz.options.device.setCurrentIndex(wiz.options.device.findData("cpu"))
    with qtbot.waitSignal(r.launcher.finished, timeout=600_000):
        wiz.next()
    qtbot.waitUntil(lambda: wiz.currentId() == RESULT, timeout=10_000)
    assert wiz.live.val.points("segmenter") >= 1
    result = r.launcher.result
    store = VersionStore(project / "models")
    for kind in ("segmenter", "classifier"):
        folder = Path(result.versions[kind])
        card = json.loads((folder / "card.json").read_text())
        assert card["metrics"]["before"] is not None and card["metrics"]["after"] is not None
        assert card["metrics"]["original_after"] is not None  # the shipped domain, measured
        assert store.active(kind) is None  # not active before Accept
    previews = r.launcher.previews
    assert previews and previews[0]["old"].shape == previews[0]["new"].shape
    qtbot.waitUntil(lambda: wiz.result_page.view.summary is not None)
    assert len(wiz.result_page.view.overlay_labels) >= 2
    assert wiz.result_page.view.summary.rowCount() == 2

    with qtbot.waitSignal(win.controller.runner.pipelineReady, timeout=60_000):
        wiz.accept()
    name = Path(result.versions["segmenter"]).name
    assert store.active("segmenter") == name
    assert Path(win.controller.settings.segmenter).name == name
    dlg = ModelsDialog(store, r.reload_models, win)
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(win.controller.runner.pipelineReady, timeout=60_000):
        dlg.roll_back()
    assert store.active("segmenter") is None and win.controller.settings.segmenter == "default"


def test_real_engine_cancel_leaves_nothing(win, project, qtbot):
    r = win.retrainer
    with qtbot.waitSignal(r.launcher.event, timeout=300_000, check_params_cb=lambda e: e.get("kind") == "step"):
        r.one_click()
    with qtbot.waitSignal(r.launcher.cancelled, timeout=120_000):
        r.launcher.cancel()
    models = project / "models"
    assert not models.exists() or [p for p in models.rglob("*") if p.is_file()] == []
