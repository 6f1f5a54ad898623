"""The engine end to end on a tiny project (one epoch): versions with cards and figures, nothing
active until asked, cancel leaves nothing, a CUDA out-of-memory falls back to the CPU."""

from __future__ import annotations

import json

import pytest

from wbc_desktop.core.retrain import RetrainSettings, run_retrain
from wbc_desktop.core.retrain import engine
from wbc_desktop.core.weights.versions import VersionStore


def test_project_retrain_writes_versions_with_cards(project):
    events = []
    s = RetrainSettings(out_dir=project / "models", project_dir=project, time_budget_s=None, epochs=1,
                        val_fraction=0.25, device="cpu")
    res = run_retrain(s, on_event=events.append)
    assert not res.cancelled and set(res.versions) == {"segmenter", "classifier"}
    store = VersionStore(project / "models")
    for kind in ("segmenter", "classifier"):
        card = json.loads((res.versions[kind] / "card.json").read_text())
        assert card["kind"] == kind and card["parent"] is None and card["replay_source"] == "default"
        m = res.metrics[kind]
        assert m["measure"] == ("dice" if kind == "segmenter" else "accuracy")
        for key in ("before", "after", "original_before", "original_after"):
            assert 0.0 <= m[key] <= 1.0, (kind, key)
        assert len(m["per_image"]) == m["n_val"] == 1  # one of 4 images held out
        assert card["metrics"]["after"] == m["after"]
        assert [c["name"] for c in store.list(kind)] == [res.versions[kind].name]
        assert store.active(kind) is None  # a person accepts it first
    kinds = {e["kind"] for e in events}
    assert {"stage", "step", "log"} <= kinds
    steps = [e for e in events if e["kind"] == "step"]
    assert all({"model", "step", "steps", "loss", "eta_s"} <= set(e) for e in steps)
    # the new segmenter loads and runs, as the app would after activation
    from wbc_desktop.core.segmentation.segmenter import Segmenter
    from wbc_desktop.core.cells.classifier import CellClassifier

    store.activate("segmenter", res.versions["segmenter"].name)
    assert Segmenter.load(str(project / "models"), device="cpu").card["name"] == res.versions["segmenter"].name
    CellClassifier.load(str(res.versions["classifier"]), device="cpu")


def test_cancel_leaves_no_version(project):
    seen = []

    def stop() -> bool:
        return bool(seen)

    s = RetrainSettings(out_dir=project / "models", project_dir=project, models=("segmenter",), time_budget_s=None,
                        epochs=50, device="cpu")
    res = run_retrain(s, on_event=lambda e: seen.append(e) if e["kind"] == "step" else None, should_stop=stop)
    assert res.cancelled and res.versions == {}
    assert VersionStore(project / "models").list("segmenter") == []
    assert not list((project / "models").rglob("weights.safetensors"))


def test_nothing_to_learn_is_a_clear_error(tmp_path, project):
    from wbc_desktop.core.errors import WbcError

    s = RetrainSettings(out_dir=tmp_path / "m", project_dir=project, selected=["absent.png"], device="cpu")
    with pytest.raises(WbcError, match="nothing to retrain"):
        run_retrain(s)


def test_cuda_out_of_memory_falls_back_to_cpu(monkeypatch, tmp_path):
    import torch

    calls = []

    def fake(kind, s, tr, va, device, emit, stop, notes, t0):
        calls.append(device.type)
        if device.type == "cuda":
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return ({}, {}, {}), None

    monkeypatch.setattr(engine, "_train_one", fake)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: None)
    notes, events = [], []
    _, used = engine._with_fallback("segmenter", RetrainSettings(out_dir=tmp_path), [], [], torch.device("cuda"),
                                    events.append, None, notes, 0.0)
    assert calls == ["cuda", "cpu"] and used.type == "cpu"
    assert "out of memory" in notes[0] and events[0]["kind"] == "log"
