"""The training child process: events stream, result comes back, cancel and kill leave no version."""

from __future__ import annotations

import pytest

from wbc_desktop.core.retrain.process import TrainingError, TrainingProcess

FAKE = "tests.gui.wizard.fake_engine"


def _versions(root):
    return sorted(p.name for k in ("segmenter", "classifier") if (root / k).is_dir() for p in (root / k).iterdir())


def test_events_then_result(tmp_path):
    seen = []
    proc = TrainingProcess({"out_dir": tmp_path, "epochs": 4}, engine=FAKE).start()
    result = proc.wait(120, on_message=seen.append)
    kinds = [m[1]["kind"] for m in seen if m[0] == "event"]
    assert kinds[0] == "stage" and "step" in kinds and "val" in kinds
    steps = [m[1] for m in seen if m[0] == "event" and m[1]["kind"] == "step"]
    assert [s["step"] for s in steps if s["model"] == "segmenter"] == [1, 2, 3, 4]
    assert not result.cancelled and set(result.versions) == {"segmenter", "classifier"}
    for folder in result.versions.values():
        assert (folder / "card.json").is_file() and (folder / "weights.safetensors").is_file()
    assert seen[-1][0] == "result"


def test_cancel_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("WBC_FAKE_STEP_S", "0.2")
    proc = TrainingProcess({"out_dir": tmp_path, "epochs": 50}, engine=FAKE).start()
    proc.wait(120, on_message=lambda m: proc.cancel() if m[0] == "event" and m[1]["kind"] == "step" else None)
    assert proc.result.cancelled
    assert _versions(tmp_path) == []


def test_kill_leaves_no_version(tmp_path, monkeypatch):
    monkeypatch.setenv("WBC_FAKE_STEP_S", "0.2")
    proc = TrainingProcess({"out_dir": tmp_path, "epochs": 50}, engine=FAKE).start()
    with pytest.raises(TrainingError):
        proc.wait(120, on_message=lambda m: proc.kill() if m[0] == "event" and m[1]["kind"] == "step" else None)
    assert proc.killed and not proc.alive
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_engine_error_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("WBC_FAKE_FAIL", "no corrected images in the project")
    proc = TrainingProcess({"out_dir": tmp_path}, engine=FAKE).start()
    with pytest.raises(TrainingError, match="no corrected images"):
        proc.wait(120)
    assert proc.error_type == "ValueError"


def test_bad_settings_reported(tmp_path):
    proc = TrainingProcess({"out_dir": tmp_path, "no_such_setting": 1}, engine=FAKE).start()
    with pytest.raises(TrainingError, match="no_such_setting"):
        proc.wait(120)
