"""The training recipe end to end on the 16 PBC fixtures: a few steps, a loadable model and card."""

from __future__ import annotations

import csv
import json
import shutil

import numpy as np

from training.data.pbc_data import PBC_CLASSES, list_pbc, make_split
from training.data.threshold_masks import threshold_class_map
from training.recipes.train_classifier import main
from wbc_desktop.core.cells.classifier import CellClassifier
from wbc_desktop.core.io.images import read_image

from .tiny_recipe import FIX, fixture_data, tiny_args


def test_split_is_stratified_and_reproducible():
    items = list_pbc(FIX / "pbc")
    assert len(items) == 16
    many = [(f"{c}/{i}.jpg", c) for c in PBC_CLASSES for i in range(40)]
    a, b = make_split(many, seed=0), make_split(many, seed=0)
    assert a == b
    for c in PBC_CLASSES:
        splits = [s for _, k, s in a if k == c]
        assert splits.count("test") == 6 and splits.count("val") == 6 and splits.count("train") == 28


def test_threshold_masks_find_the_central_cell():
    rgb = read_image(FIX / "pbc" / "lymphocyte" / "LY_100275.jpg").pixels
    cm, scale = threshold_class_map(rgb)
    assert cm.shape == rgb.shape[:2] and 0 < scale < 2
    h, w = cm.shape
    assert cm[h // 2, w // 2] == 2  # the lymphocyte's nucleus sits in the middle
    assert 0.02 < (cm > 0).mean() < 0.3


def test_train_few_steps_writes_a_loadable_model(tmp_path):
    data, split = fixture_data(tmp_path, lambda i: ["train", "val" if i % 2 else "test"])
    out = tmp_path / "model"
    rc = main(tiny_args(tmp_path, data, split, "--epochs", "2", "--out", str(out)))
    assert rc == 0
    card = json.loads((out / "card.json").read_text())
    assert card["kind"] == "classifier" and card["classes"] == list(PBC_CLASSES)
    assert card["input"]["channels"] == 5 and card["input"]["size"] == 32
    assert card["epochs_run"] == 2 and card["test"]["n"] == 8
    assert set(card["test"]["confusion"]) == set(PBC_CLASSES)
    assert (tmp_path / "reports" / "tiny.json").exists()
    clf = CellClassifier.load(str(out), device="cpu")
    probs = clf.predict_crops(np.zeros((2, 32, 32, 5), np.uint8))
    assert probs.shape == (2, 8) and np.allclose(probs.sum(1), 1, atol=1e-5)


def test_cellavision_train_split_can_join_and_its_test_split_is_scored_apart(tmp_path):
    data, split = fixture_data(tmp_path, lambda i: [("train", "val", "test")[i % 3]])
    cv = data / "wbc-seg-cellavision"
    shutil.copytree(FIX / "cellavision" / "images", cv / "images")
    names = sorted(p.name for p in (cv / "images").glob("*.png"))
    types = {r["image"]: r["cell_type"] for r in csv.DictReader(open(FIX / "cellavision" / "labels.csv"))}
    with open(cv / "labels.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image", "cell_type", "split"])
        for i, n in enumerate(names):
            w.writerow([n, types[n], "test" if i == 0 else "train"])
    out = tmp_path / "model"
    rc = main(tiny_args(tmp_path, data, split, "--epochs", "1", "--add-cellavision", "2", "--out", str(out)))
    assert rc == 0
    card = json.loads((out / "card.json").read_text())
    n_pbc_train = sum(1 for i in range(16) if i % 3 == 0)
    assert card["data"]["n"]["train"] == n_pbc_train + 2 * (len(names) - 1)
    assert card["test_cellavision"]["n"] == 1 and card["test"]["n"] == sum(1 for i in range(16) if i % 3 == 2)
