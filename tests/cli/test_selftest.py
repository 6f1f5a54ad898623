"""``wbc-desktop --self-test``: the comparison rules, clear failures, and a real run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from wbc_desktop.cli import selftest
from wbc_desktop.cli.selftest_check import box_iou, compare, expectations

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"


@dataclass
class FakeCell:
    bbox: tuple[int, int, int, int]
    cell_type: str
    confidence: float
    top3: list = field(default_factory=list)


@dataclass
class FakeAnalysis:
    image_name: str
    cells: list
    models: dict = field(default_factory=lambda: {"segmenter": {"name": "default", "version": "1"},
                                                  "classifier": {"name": "default", "version": "2"}})


def _one(t="eosinophil", conf=0.97, bbox=(10, 10, 60, 60)):
    return FakeAnalysis("a.png", [FakeCell(bbox, t, conf, [(t, conf), ("monocyte", 0.02), ("lymphocyte", 0.01)])])


def test_box_iou():
    assert box_iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert box_iou((0, 0, 10, 10), (10, 10, 20, 20)) == 0.0
    assert box_iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(50 / 150)


def test_same_result_passes_and_small_shift_is_tolerated():
    exp = expectations([_one()])
    assert compare([_one()], exp).ok
    assert compare([_one(bbox=(12, 11, 61, 62))], exp).ok


def test_wrong_count_moved_cell_and_sure_type_change_fail():
    exp = expectations([_one()])
    assert "2 cells found, 1 expected" in " ".join(compare([FakeAnalysis("a.png", _one().cells * 2)], exp).failures)
    assert "no cell found" in " ".join(compare([_one(bbox=(100, 100, 150, 150))], exp).failures)
    v = compare([_one(t="basophil", conf=0.95)], exp)
    assert not v.ok and "typed basophil" in v.failures[0]


def test_unsure_type_may_flip_within_its_top3():
    exp = expectations([_one(t="platelet", conf=0.56)])
    v = compare([_one(t="unidentified", conf=0.48)], exp, threshold=0.5)
    assert v.ok and v.notes  # tolerated, but said
    assert not compare([_one(t="neutrophil", conf=0.9)], exp, threshold=0.5).ok  # a sure, implausible type


def test_other_models_or_missing_image_fail_with_a_hint():
    exp = expectations([_one()])
    other = _one()
    other.models = {"segmenter": {"name": "default", "version": "9"}, "classifier": {"name": "default", "version": "2"}}
    assert "--write-expected" in compare([other], exp).failures[0]
    assert "missing sample" in compare([], exp).failures[0]
    assert "format" in compare([_one()], {**exp, "format": 99}).failures[0]


def test_shipped_expectations_cover_every_sample():
    exp = json.loads((RESOURCES / "samples" / "expected.json").read_text())
    samples = {p.name for p in (RESOURCES / "samples").iterdir() if p.suffix in (".png", ".jpg")}
    assert set(exp["images"]) == samples
    assert all(img["cells"] for img in exp["images"].values())


@pytest.fixture
def resources_copy(tmp_path, monkeypatch):
    """A private resources/ (models linked, samples copied) the test may damage."""
    res = tmp_path / "resources"
    res.mkdir()
    (res / "models").symlink_to(RESOURCES / "models")
    (res / "icons").symlink_to(RESOURCES / "icons")
    for part in ("colour", "doubt"):  # the colour references and the doubt banks (issue 23)
        if (RESOURCES / part).is_dir():
            (res / part).symlink_to(RESOURCES / part)
    shutil.copytree(RESOURCES / "samples", res / "samples")
    monkeypatch.setenv("WBC_DESKTOP_RESOURCES", str(res))
    return res


def test_missing_expectations_is_a_clear_error(resources_copy, capsys):
    (resources_copy / "samples" / "expected.json").unlink()
    assert selftest.main(["--self-test"]) == 2
    assert "expected.json is missing" in capsys.readouterr().out


def test_missing_samples_is_a_clear_error(resources_copy, capsys):
    shutil.rmtree(resources_copy / "samples")
    assert selftest.main(["--self-test"]) == 2
    assert "no sample images" in capsys.readouterr().out


@pytest.mark.slow
def test_wrong_expectation_fails_and_write_expected_repairs_it(resources_copy, capsys):
    path = resources_copy / "samples" / "expected.json"
    exp = json.loads(path.read_text())
    cell = exp["images"]["single_cell_pbc_eosinophil.jpg"]["cells"][0]
    cell["type"], cell["confidence"] = "basophil", 0.99
    path.write_text(json.dumps(exp))
    quick = ["--self-test", "--skip", "process", "--skip", "qt", "--skip", "models", "--device", "cpu"]
    assert selftest.main(quick) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "expected basophil" in out and "self-test FAILED" in out
    assert selftest.main(quick + ["--write-expected"]) == 0
    assert json.loads(path.read_text())["images"]["single_cell_pbc_eosinophil.jpg"]["cells"][0]["type"] == "eosinophil"
    assert selftest.main(quick) == 0
    assert "self-test passed" in capsys.readouterr().out


@pytest.mark.slow
def test_self_test_runs_from_a_source_install(tmp_path):
    """The whole self-test as a user runs it: a new process, no display, exit 0."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "WBC_DESKTOP_USER_DIR": str(tmp_path / "user"),
           "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "wbc_desktop.cli", "--self-test", "--device", "cpu"], cwd=ROOT,
                       env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    for line in ("device: CPU", "versions: python", "results match expected.json", "model process",
                 "main window draws", "self-test passed"):
        assert line in r.stdout


@pytest.mark.slow
def test_a_damaged_model_file_fails_by_name(resources_copy, capsys):
    (resources_copy / "models").unlink()
    shutil.copytree(RESOURCES / "models", resources_copy / "models")
    weights = resources_copy / "models" / "classifier" / "pbc-only" / "weights.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])  # a truncated download or copy
    assert selftest.main(["--self-test", "--skip", "process", "--skip", "qt", "--device", "cpu"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  classifier pbc-only" in out and "self-test FAILED: 1 problem" in out
