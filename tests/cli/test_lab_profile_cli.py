"""``analyze --lab-profile``: a lab profile's prototypes type the cells; a bad profile stops the run first."""

from __future__ import annotations

import csv
import shutil

import numpy as np
import pytest

from wbc_desktop.cli import main
from wbc_desktop.core.lab.profile import LabProfile, save
from wbc_desktop.core.lab.prototypes import Examples
from wbc_desktop.core.pipeline import Pipeline


@pytest.fixture
def one_image(tmp_path, fixtures):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(fixtures / "cellavision" / "images" / "002.png", d / "002.png")
    return d


def _types(out):
    with open(out / "cells.csv", newline="") as f:
        return [r["cell_type"] for r in csv.DictReader(f)]


def test_a_profile_types_the_cells_by_its_examples(tmp_path, one_image, capsys):
    pipe = Pipeline.load("default", "default", device="cpu")
    a = pipe.analyze(one_image / "002.png")
    clf = pipe.classifier_for(a.familiarity)
    info = clf.info()
    e = np.stack([c.embedding for c in a.cells]).mean(0)
    before = [c.cell_type for c in a.cells]
    # examples: this cell's look is a "basophil" in this lab, a far-off look an "eosinophil"
    far = np.roll(e, 7) + e.max()
    ex = Examples(f"{info['name']} v{info['version']}", ["x:1", "x:2", "x:3", "x:4"],
                  ["basophil", "basophil", "eosinophil", "eosinophil"], np.stack([e, e, far, far]).astype(np.float32))
    path = save(LabProfile("sister lab", ex, centre=np.zeros_like(e)), tmp_path / "lab.json")
    out = tmp_path / "out"
    assert main(["analyze", str(one_image), "--out", str(out), "--device", "cpu", "--lab-profile", str(path)]) == 0
    err = capsys.readouterr().err
    assert "lab profile 'sister lab': 4 examples (basophil 2, eosinophil 2)" in err
    assert _types(out) == ["basophil"] * len(before) and before != _types(out)


def test_a_bad_profile_is_a_one_line_error_before_any_image(tmp_path, one_image, capsys):
    (tmp_path / "bad.json").write_text("{}")
    rc = main(["analyze", str(one_image), "--out", str(tmp_path / "o"), "--lab-profile", str(tmp_path / "bad.json")])
    assert rc != 0
    assert "not a wbc-desktop lab profile" in capsys.readouterr().err
    assert not (tmp_path / "o" / "cells.csv").exists()
