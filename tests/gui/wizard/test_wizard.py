"""The retraining GUI end to end on a tiny project, with the fake engine in a real child process."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from wbc_desktop.core.weights.versions import VersionStore

FAKE = "tests.gui.wizard.fake_engine"


@pytest.fixture
def win(make_window, project):
    w = make_window()
    r = w.retrainer
    r.launcher.engine = FAKE
    r._project = project
    yield w
    r.launcher.kill()


def _version_dirs(project: Path) -> list[Path]:
    return [p for k in ("segmenter", "classifier") for p in (project / "models" / k).glob("*")
            if (project / "models" / k).is_dir()]


def test_action_has_its_shortcut(win):
    assert win.actions_.retrain.shortcut().toString() == "Ctrl+Shift+T"
    assert win.retrainer.project_dir(ask=False) is not None


def test_wizard_end_to_end_accept_and_roll_back(win, project, qtbot):
    from wbc_desktop.gui.wizard.models_dialog import ModelsDialog
    from wbc_desktop.gui.wizard.wizard import LIVE, RESULT

    r = win.retrainer
    r.open_wizard()
    wiz = r.wizard
    qtbot.addWidget(wiz)
    assert wiz.data.project() == project and wiz.data.isComplete()
    wiz.data.selected_images.setChecked(True)
    wiz.data.list.item(4).setCheckState(wiz.data.list.item(4).checkState().Unchecked)
    assert wiz.data.counts() == (4, 4)
    wiz.next()
    assert wiz.options.models() == ("segmenter", "classifier")
    wiz.options.by_epochs.setChecked(True)
    wiz.options.epochs.setValue(4)
    settings = wiz.settings()
    assert settings["selected"] == ["002", "004", "007", "011"] and settings["epochs"] == 4
    assert settings["time_budget_s"] is None
    with qtbot.waitSignal(r.launcher.finished, timeout=120_000):
        wiz.next()
        assert wiz.currentId() == LIVE
    qtbot.waitUntil(lambda: wiz.currentId() == RESULT, timeout=10_000)
    # live curves were drawn from the events
    assert wiz.live.loss.points("segmenter") == 4 and wiz.live.val.points("classifier") >= 2
    view = wiz.result_page.view
    qtbot.waitUntil(lambda: view.summary is not None)
    assert view.summary.rowCount() == 2 and view.per_image.rowCount() == 6
    assert view.summary.item(0, 2).text() == "0.500" and view.summary.item(0, 3).text() == "0.900"
    assert view.summary.item(1, 6).text() == "94.5 %"  # original domain, after (classifier)
    store = VersionStore(project / "models")
    cards = store.list("segmenter")
    assert len(cards) == 1 and cards[0]["metrics"]["after"] == 0.9 and not cards[0]["active"]
    name = cards[0]["name"]
    assert store.active("segmenter") is None  # not active before Accept

    with qtbot.waitSignal(win.controller.runner.pipelineReady, timeout=60_000):
        wiz.accept()
    assert store.active("segmenter") == name
    assert Path(win.controller.settings.segmenter) == project / "models" / "segmenter" / name

    assert "New models active" in win.controller.messages.text
    dlg = ModelsDialog(store, r.versions_changed, win)
    qtbot.addWidget(dlg)
    assert dlg.tables["segmenter"].rowCount() == 2 and dlg.tables["segmenter"].item(1, 1).text() == "●"
    assert dlg.tables["segmenter"].item(1, 2).text()  # issue 25: "Trained from" was empty
    with qtbot.waitSignal(win.controller.runner.pipelineReady, timeout=60_000):
        dlg.roll_back()
    assert store.active("segmenter") is None and win.controller.settings.segmenter == "default"
    # issue 25: the banner said "New models active" after a roll back
    assert "New models active" not in win.controller.messages.text
    assert "segmenter shipped model" in win.controller.messages.text
    assert dlg.tables["segmenter"].item(0, 1).text() == "●"
    dlg.select("segmenter", name)
    with qtbot.waitSignal(win.controller.runner.pipelineReady, timeout=60_000):
        dlg.activate_selected()
    assert store.active("segmenter") == name


def test_cancel_leaves_no_version(win, project, qtbot, monkeypatch):
    monkeypatch.setenv("WBC_FAKE_STEP_S", "0.3")
    r = win.retrainer
    with qtbot.waitSignal(r.launcher.event, timeout=60_000, check_params_cb=lambda e: e.get("kind") == "step"):
        r.one_click()
    assert r.status.cancel_button.isVisible() and "step" in r.status.label.text()
    with qtbot.waitSignal(r.launcher.cancelled, timeout=60_000):
        r.status.cancel_button.click()
    assert not r.status.cancel_button.isVisible()
    assert _version_dirs(project) == []
    assert "no new version" in win.controller.messages.text


def test_one_click_result_dialog_discard(win, project, qtbot):
    r = win.retrainer
    with qtbot.waitSignal(r.launcher.finished, timeout=120_000):
        r.one_click()
    assert r.launcher.settings["models"] == ("segmenter", "classifier")
    assert r.launcher.settings["val_fraction"] == 0.2
    dlg = r.result_dialog
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.view.summary is not None)
    assert dlg.isVisible() and dlg.view.summary.rowCount() == 2
    assert len(_version_dirs(project)) == 2
    dlg.discard_button.click()
    assert _version_dirs(project) == []
    assert VersionStore(project / "models").active("segmenter") is None


def test_nothing_to_learn_from(make_window, tmp_path, qtbot):
    from .conftest import make_project

    w = make_window()
    w.retrainer._project = make_project(tmp_path / "empty", n_masks=0, n_typed=0)
    w.retrainer.one_click()
    assert not w.retrainer.launcher.running
    assert "Nothing to learn from" in w.controller.messages.text


def test_engine_failure_is_shown(win, qtbot, monkeypatch):
    monkeypatch.setenv("WBC_FAKE_FAIL", "the project has no corrected masks")
    with qtbot.waitSignal(win.retrainer.launcher.failed, timeout=60_000):
        win.retrainer.one_click()
    assert "Retraining failed: the project has no corrected masks" in win.controller.messages.text


def test_models_dialog_refuses_bad_files(win, project, qtbot, tmp_path):
    from wbc_desktop.gui.wizard.models_dialog import ModelsDialog

    from .fake_engine import RetrainSettings, _write_version

    store = VersionStore(project / "models")
    folder = _write_version(project / "models", "segmenter", "default", {"before": 0.5, "after": 0.9},
                            RetrainSettings(out_dir=project / "models"))
    dlg = ModelsDialog(store, lambda s: None, win)
    qtbot.addWidget(dlg)
    dlg.select("segmenter", folder.name)
    good = tmp_path / "seg.safetensors"
    dlg.export_selected(good)
    assert good.is_file() and "Exported" in dlg.message.text()

    truncated = tmp_path / "truncated.safetensors"
    truncated.write_bytes(good.read_bytes()[:-7])
    tampered = tmp_path / "tampered.safetensors"
    data = bytearray(good.read_bytes())
    data[10:14] = b"XXXX"
    tampered.write_bytes(bytes(data))
    altered = tmp_path / "altered.safetensors"  # readable, but the weights no longer match the card's seal
    data = bytearray(good.read_bytes())
    data[-1] ^= 0xFF
    altered.write_bytes(bytes(data))
    pickled = tmp_path / "model.safetensors"
    pickled.write_bytes(pickle.dumps({"w": [1, 2, 3]}, protocol=4))
    for bad in (truncated, tampered, altered, pickled):
        assert dlg.import_file(bad) is None
        assert bad.name in dlg.message.text() and "b02020" in dlg.message.styleSheet()
        assert len(store.list("segmenter")) == 1
    new = dlg.import_file(good)
    assert new and len(store.list("segmenter")) == 2 and "Imported" in dlg.message.text()
    dlg.rename_selected("lab A, March")
    assert any(c.get("label") == "lab A, March" for c in store.list("segmenter"))
    dlg.select("segmenter", new)
    dlg.delete_selected(confirm=False)
    assert len(store.list("segmenter")) == 1
    dlg.select("segmenter", None)
    dlg.delete_selected(confirm=False)
    assert "cannot be deleted" in dlg.message.text()


def test_forgetting_is_called_out():
    from wbc_desktop.gui.wizard.result_page import forgetting_warnings

    metrics = {"segmenter": {"original_before": 0.955, "original_after": 0.950},
               "classifier": {"original_before": 1.0, "original_after": 0.65}}
    (warn,) = forgetting_warnings(metrics)
    assert "classifier" in warn and "100.0 % → 65.0 %" in warn


def test_open_project_session_is_used_and_flushed(make_window, project, qtbot):
    from types import SimpleNamespace

    w = make_window()
    w.retrainer.launcher.engine = FAKE
    flushed = []
    w.retrainer.session = SimpleNamespace(project=SimpleNamespace(root=project, _due=1.0),  # type: ignore[assignment]
                                           autosave=lambda wait=False: flushed.append(wait))
    assert w.retrainer.project_dir(ask=False) == project
    with qtbot.waitSignal(w.retrainer.launcher.finished, timeout=120_000):
        w.retrainer.one_click()
    assert flushed == [True]
    w.retrainer.launcher.kill()


def test_closing_the_wizard_cancels_and_closing_the_window_kills(win, project, qtbot, monkeypatch):
    monkeypatch.setenv("WBC_FAKE_STEP_S", "0.3")
    r = win.retrainer
    r.open_wizard()
    wiz = r.wizard
    qtbot.addWidget(wiz)
    wiz.next()
    with qtbot.waitSignal(r.launcher.event, timeout=60_000, check_params_cb=lambda e: e.get("kind") == "step"):
        wiz.next()
    with qtbot.waitSignal(r.launcher.cancelled, timeout=60_000):
        wiz.reject()
    assert _version_dirs(project) == []

    with qtbot.waitSignal(r.launcher.event, timeout=60_000, check_params_cb=lambda e: e.get("kind") == "step"):
        r.one_click()
    proc = r.launcher.process
    win.close()  # the app quits mid-training
    assert not proc.alive and proc.killed
    assert _version_dirs(project) == []


def test_trained_from_names_the_shipped_base():
    """The retraining engine writes ``parent: null`` when it started from a shipped model (issue 25)."""
    from wbc_desktop.gui.wizard.models_dialog import _trained_from

    card = {"name": "v1-20261205-101200", "parent": None, "base": "/opt/wbc/resources/models/classifier/default"}
    assert _trained_from(card) == "shipped default"
    assert _trained_from(dict(card, parent="v1-20261204-090000")) == "v1-20261204-090000"
    assert _trained_from({"name": None}) == ""
