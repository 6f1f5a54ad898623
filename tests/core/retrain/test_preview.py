"""Old/new overlays of held-out images, drawn in the training process for the result page."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from wbc_desktop.core.weights import registry
from wbc_desktop.core.retrain.preview import held_out_images, overlays

from tests.gui.wizard.conftest import make_project


@dataclass
class Result:
    versions: dict
    metrics: dict = field(default_factory=dict)


def test_overlays_of_held_out_images(tmp_path):
    project = make_project(tmp_path / "p")
    new = project / "models" / "segmenter" / "v1"
    shutil.copytree(registry.resolve("default", "segmenter"), new)
    rows = [{"image": "004", "before": 0.5, "after": 0.9}, {"image": "088.png", "before": 0.4, "after": 0.8}]
    result = Result({"segmenter": new}, {"segmenter": {"per_image": rows}})
    settings = {"project_dir": project, "out_dir": project / "models", "base_segmenter": "default", "device": "cpu"}
    found = held_out_images(settings, result, 3)
    assert [(n, p.name, m is not None) for n, p, m in found] == [("004", "004.png", True), ("088.png", "088.png", False)]
    out = overlays(settings, result)
    assert [o["image"] for o in out] == ["004", "088.png"]
    for o in out:
        assert o["old"].dtype == np.uint8 and o["old"].shape == o["new"].shape and o["old"].shape[2] == 3
        assert max(o["old"].shape[:2]) <= 320
    assert out[0]["truth"] is not None and out[1]["truth"] is None
    # same weights old and new: the same overlay
    assert np.array_equal(out[0]["old"], out[0]["new"])


def test_no_segmenter_no_overlays(tmp_path):
    assert overlays({"out_dir": tmp_path}, Result({"classifier": tmp_path / "x"})) == []


def test_explicit_mode_pairs(tmp_path):
    img, mask = Path("/x/a.png"), Path("/y/a.png")
    result = Result({"segmenter": tmp_path}, {"segmenter": {"per_image": [{"image": "a.png"}]}})
    assert held_out_images({"images": [img], "masks": [mask]}, result, 3) == [("a.png", img, mask)]
