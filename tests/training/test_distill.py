"""Distillation: teacher soft labels and the mixed loss, and a student trained from a teacher."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from training.lib.distill import distill_loss, load_teachers, soft_labels
from training.data.pbc_data import PBC_CLASSES
from training.recipes.train_classifier import main
from wbc_desktop.core.weights import registry
from wbc_desktop.core.cells.model import build_classifier

from .tiny_recipe import fixture_data, tiny_args

ARCH = {"type": "CellResNet", "in_channels": 5, "widths": [8, 16], "depths": [1, 1], "dropout": 0.0}


def _save_teacher(folder: Path, classes=PBC_CLASSES, seed: int = 0) -> None:
    torch.manual_seed(seed)
    m = build_classifier(ARCH, len(classes))
    registry.save(folder, m.state_dict(), {"kind": "classifier", "name": "t", "version": "0", "classes": list(classes),
                                           "arch": ARCH, "input": {"size": 32, "mode": "segmented"}})


def test_soft_labels_are_rotation_averaged_probabilities(tmp_path):
    _save_teacher(tmp_path / "a", seed=0)
    _save_teacher(tmp_path / "b", seed=1)
    teachers = load_teachers([str(tmp_path / "a"), str(tmp_path / "b")], PBC_CLASSES)
    crops = torch.randint(0, 256, (3, 48, 48, 5), dtype=torch.uint8)
    p = soft_labels(teachers, crops, 32)
    assert p.shape == (3, 8) and torch.allclose(p.sum(1), torch.ones(3), atol=1e-5)
    # a quarter turn of the input permutes the views only: the soft label stays the same
    turned = crops.rot90(1, (1, 2)).contiguous()
    assert torch.allclose(soft_labels(teachers, turned, 32), p, atol=1e-5)


def test_teacher_with_other_classes_is_refused(tmp_path):
    _save_teacher(tmp_path / "a", classes=("a", "b"))
    with pytest.raises(ValueError, match="classes"):
        load_teachers([str(tmp_path / "a")], PBC_CLASSES)


def test_distill_loss_mixes_labels_and_teacher():
    torch.manual_seed(0)
    logits, y = torch.randn(4, 8), torch.tensor([0, 1, 2, 3])
    soft = torch.softmax(torch.randn(4, 8), 1)
    ce = F.cross_entropy(logits, y, label_smoothing=0.05)
    assert torch.allclose(distill_loss(logits, y, soft, 0.0, 0.05), ce)
    kl = F.kl_div(F.log_softmax(logits, 1), soft, reduction="batchmean")
    assert torch.allclose(distill_loss(logits, y, soft, 0.5, 0.05), 0.5 * ce + 0.5 * kl)
    assert float(distill_loss(torch.log(soft), y, soft, 1.0, 0.0)) == pytest.approx(0.0, abs=1e-6)


def test_student_trains_from_a_teacher_and_its_card_says_so(tmp_path):
    data, split = fixture_data(tmp_path, lambda i: [("train", "val", "test")[i % 3]])
    _save_teacher(tmp_path / "teacher")
    out = tmp_path / "student"
    rc = main(tiny_args(tmp_path, data, split, "--epochs", "1", "--teacher", str(tmp_path / "teacher"),
                        "--distill", "0.7", "--out", str(out)))
    assert rc == 0
    card = json.loads((out / "card.json").read_text())
    assert card["distilled_from"] == {"teachers": [str(tmp_path / "teacher")], "rotations": 4, "weight": 0.7}
    log = json.loads((tmp_path / "reports" / "tiny.json").read_text())["log"]
    assert any("teacher soft labels for 6 train crops" in line for line in log)
