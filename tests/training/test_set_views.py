"""set_views.py: the views policy and second-opinion members written into a model folder."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from training.data.pbc_data import PBC_CLASSES
from training.recipes.set_views import main
from wbc_desktop.core.weights import registry
from wbc_desktop.core.cells.classifier import CellClassifier
from wbc_desktop.core.cells.model import build_classifier

ARCH = {"type": "CellResNet", "in_channels": 5, "widths": [8, 16], "depths": [1, 1], "dropout": 0.0}


def _model(folder: Path, seed: int) -> Path:
    torch.manual_seed(seed)
    m = build_classifier(ARCH, len(PBC_CLASSES))
    return registry.save(folder, m.state_dict(), {"kind": "classifier", "name": folder.name, "version": "0",
                                                  "classes": list(PBC_CLASSES), "arch": ARCH,
                                                  "input": {"size": 32, "mode": "segmented"}})


def test_policy_and_members_land_in_the_folder_and_load(tmp_path):
    main_model, a, b = _model(tmp_path / "main", 0), _model(tmp_path / "a", 1), _model(tmp_path / "b", 2)
    assert main([str(main_model), "--views", "4", "--recheck-below", "0.8", "--second-opinion", str(a),
                 "--rule", "rules.txt"]) == 0
    card = json.loads((main_model / "card.json").read_text())
    assert (card["views"], card["recheck_below"], card["recheck_members"]) == (4, 0.8, ["members/a"])
    clf = CellClassifier.load(str(main_model), device="cpu")
    assert clf.info()["second_opinion"] == ["a v0"] and clf.recheck_below == 0.8
    # the policy is given whole: a new member replaces the old one, which is removed
    assert main([str(main_model), "--views", "4", "--recheck-below", "0.7", "--second-opinion", str(b)]) == 0
    assert sorted(q.name for q in (main_model / "members").iterdir()) == ["b"]
    assert main([str(main_model), "--views", "1"]) == 0
    card = json.loads((main_model / "card.json").read_text())
    assert card["views"] == 1 and "recheck_members" not in card and not (main_model / "members").exists()
    assert CellClassifier.load(str(main_model), device="cpu").info()["second_opinion"] == []
