"""training.recipes.rebuild: every shipped model has a rebuild command, and a classifier's command
parses back to exactly the settings its card recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.recipes import rebuild
from training.recipes.train_classifier import parse_args


def test_every_shipped_model_has_a_recipe(tmp_path):
    models = rebuild.shipped()
    assert {"segmenter/default", "segmenter/unet-reference", "classifier/default", "classifier/other-labs"} <= set(models)
    for m in models:
        steps = rebuild.commands(m, tmp_path / m)
        assert steps and all(s[0].startswith("training.recipes.") for s in steps)
        assert steps[-1][-1] == str(tmp_path / m) or steps[-1][0].endswith("set_views")


@pytest.mark.parametrize("name", ["default", "other-labs", "pbc-only", "image-only-baseline"])
def test_classifier_command_reproduces_the_card_settings(tmp_path, name):
    import json

    card = json.loads((rebuild.MODELS / "classifier" / name / "card.json").read_text())
    step = [s for s in rebuild.commands(f"classifier/{name}", tmp_path / name)
            if s[0].endswith("train_classifier")][-1]
    args = vars(parse_args(step[1:]))
    for k, v in card["settings"].items():
        assert args[k] == (type(args[k])(v) if isinstance(args[k], Path) else v), k
    assert args["out"] == tmp_path / name


def test_default_classifier_gets_its_views_and_member(tmp_path):
    steps = rebuild.commands("classifier/default", tmp_path / "default")
    assert [s[0].rsplit(".", 1)[1] for s in steps] == ["train_classifier", "train_classifier", "set_views"]
    assert "--second-opinion" in steps[-1] and str(tmp_path / "v2.2") in steps[-1]
