"""Headless retraining: train --project, train --base (engine path), train-classifier, then
evaluate --classifier with its output; bad input gets one clear line."""

from __future__ import annotations

import json

from wbc_desktop.cli.commands import main
from wbc_desktop.core.weights.versions import VersionStore
from tests.core.retrain.conftest import make_project


def test_train_classifier_then_evaluate_with_it(tmp_path, fixtures, capsys):
    fx = fixtures / "cellavision"
    out = tmp_path / "clf"
    rc = main(["train-classifier", "--images", str(fx / "images"), "--labels", str(fx / "labels.csv"),
               "--masks", str(fx / "masks"), "--base", "default", "--out", str(out), "--epochs", "1",
               "--device", "cpu"])
    assert rc == 0
    card = json.loads((out / "card.json").read_text())
    assert card["kind"] == "classifier" and card["training"]["fine_tuned_from"] == "default"
    assert "recheck_members" not in card and card["metrics"]["n_train"] == 4
    assert "classifier: new version" in capsys.readouterr().err
    rc = main(["evaluate", "--images", str(fx / "images"), "--labels", str(fx / "labels.csv"), "--classifier", str(out),
               "--json", str(tmp_path / "e.json"), "--device", "cpu"])
    assert rc == 0
    r = json.loads((tmp_path / "e.json").read_text())
    assert r["classification"]["n"] == 5 and r["classifier_model"]["name"] == "clf"


def test_train_project_writes_an_inactive_version(tmp_path, fixtures):
    proj = make_project(tmp_path / "p", fixtures / "cellavision")
    rc = main(["train", "--project", str(proj), "--models", "segmenter", "--epochs", "1", "--device", "cpu"])
    assert rc == 0
    store = VersionStore(proj / "models")
    assert len(store.list("segmenter")) == 1 and store.active("segmenter") is None


def test_bad_input_is_one_line(tmp_path, fixtures, capsys):
    rc = main(["train-classifier", "--images", str(tmp_path), "--labels", str(tmp_path / "none.csv"),
               "--out", str(tmp_path / "m")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and err[0].startswith("error: ") and "none.csv" in err[0]
    rc = main(["train", "--project", str(tmp_path), "--device", "cpu"])
    assert rc == 2 and "not a WBC Desktop project" in capsys.readouterr().err
    rc = main(["train", "--images", str(tmp_path)])
    assert rc == 2
