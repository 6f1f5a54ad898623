"""Lab profiles: saved as JSON + npz (no pickle), read back whole, refused when damaged; used per image."""

from __future__ import annotations

import json

import numpy as np
import pytest

from wbc_desktop.core.analysis import Analysis, Cell
from wbc_desktop.core.lab.profile import LabProfile, from_analyses, load, merged, save
from wbc_desktop.core.lab.prototypes import Examples
from wbc_desktop.core.errors import InputError


def _analysis(n=6, typed=(0, 3)):
    cells = []
    for i in range(n):
        c = Cell(i + 1, (0, 0, 1, 1), (0.0, 0.0), 1, 1, False, cell_type="neutrophil")
        c.embedding = np.full(4, float(i), np.float32)
        if i in typed:
            c.reviewed_type = "lymphocyte" if i < 3 else "monocyte"
        cells.append(c)
    a = Analysis("a.png", (2, 2), np.zeros((2, 2), np.uint8), np.zeros((2, 2), np.int32), cells, scale=0.5,
                 models={"classifier": {"name": "tiny", "version": "1"}}, scale_method="red-cells", familiarity=0.9)
    return a


def test_a_batch_profile_round_trips(tmp_path):
    prof = from_analyses([("a", _analysis())], name="lab A", pixel_size_um=0.1)
    assert prof.space == "tiny v1" and prof.examples.labels == ["lymphocyte", "monocyte"]
    assert prof.scale == 0.5 and prof.scale_methods == {"red-cells": 1} and prof.familiarity == 0.9
    assert np.allclose(prof.centre, 2.5)
    assert "note" in prof.colour  # no standardisation ran: a placeholder says so
    path = save(prof, tmp_path / "labA")
    assert path.name == "labA.json" and (tmp_path / "labA.npz").is_file()
    card = json.loads(path.read_text())
    assert card["per_type"] == {"lymphocyte": 1, "monocyte": 1} and card["pixel_size_um"] == 0.1
    back = load(path)
    assert back.examples.keys == prof.examples.keys and np.array_equal(back.examples.vectors, prof.examples.vectors)
    assert back.name == "lab A" and back.pixel_size_um == 0.1 and np.allclose(back.centre, prof.centre)


def test_a_damaged_or_foreign_profile_is_refused_with_a_reason(tmp_path):
    path = save(from_analyses([("a", _analysis())]), tmp_path / "p.json")
    npz = tmp_path / "p.npz"
    npz.write_bytes(npz.read_bytes()[:-10])
    with pytest.raises(InputError, match="does not match"):
        load(path)
    npz.unlink()
    with pytest.raises(InputError, match="missing"):
        load(path)
    (tmp_path / "x.json").write_text('{"format": "something else"}')
    with pytest.raises(InputError, match="not a wbc-desktop lab profile"):
        load(tmp_path / "x.json")
    card = json.loads(path.read_text())
    card["prototypes_file"] = "../elsewhere.npz"
    path.write_text(json.dumps(card))
    with pytest.raises(InputError, match="beside it"):
        load(path)


def test_pickled_arrays_are_never_loaded(tmp_path):
    path = save(from_analyses([("a", _analysis())]), tmp_path / "p.json")
    np.savez(tmp_path / "p.npz", keys=np.array([object()], dtype=object), labels=np.array(["a"]),
             vectors=np.zeros((1, 4), np.float32))
    card = json.loads(path.read_text())
    card["prototypes_sha256"] = ""
    path.write_text(json.dumps(card))
    with pytest.raises(InputError, match="not a valid prototypes file"):
        load(path)


def test_merged_adds_a_profiles_examples_of_the_same_space_only():
    mine = Examples("tiny v1")
    mine.set("b:1", "monocyte", np.ones(4))
    prof = LabProfile("p", Examples("tiny v1", ["a:1"], ["lymphocyte"], np.zeros((1, 4), np.float32)))
    assert merged(mine, prof).labels == ["monocyte", "lymphocyte"]
    other = LabProfile("p", Examples("big v2", ["a:1"], ["lymphocyte"], np.zeros((1, 4), np.float32)))
    assert merged(mine, other).labels == ["monocyte"]
