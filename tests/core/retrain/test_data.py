"""Examples from a project (read only) and from label files; the replay sample's lookup."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from wbc_desktop.core.errors import InputError
from wbc_desktop.core.retrain.data import project_examples, read_label_rows
from wbc_desktop.core.retrain.replay import find_replay, load_replay
from wbc_desktop.core.retrain.settings import RetrainSettings
from wbc_desktop.core.weights import registry
def test_project_examples_read_corrections_and_types(project):
    before = sorted(p.name for p in project.rglob("*"))
    notes: list[str] = []
    seg, cells = project_examples(RetrainSettings(out_dir=project / "models", project_dir=project), notes)
    assert len(seg) == 4 and all(e.mask.max() == 2 for e in seg)
    assert sorted(c.cell_type for c in cells) == ["eosinophil", "lymphocyte", "monocyte", "neutrophil"]
    assert all(c.class_map is not None and c.cell_id for c in cells)
    assert sorted(p.name for p in project.rglob("*")) == before  # nothing written
    seg, cells = project_examples(RetrainSettings(out_dir=project, project_dir=project, selected=["002.png"]), notes)
    assert [e.name for e in seg] == ["002.png"] and len(cells) == 1


def test_label_files_both_formats(tmp_path, fixtures):
    imgs = fixtures / "cellavision" / "images"
    rows = read_label_rows(fixtures / "cellavision" / "labels.csv", imgs)
    assert len(rows) == 5 and rows[0][0].is_file() and rows[0][1] == "lymphocyte"
    cells = tmp_path / "cells.csv"
    with open(cells, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image", "cell_id", "person_type", "model_type"])
        w.writerows([["002", 1, "monocyte", "x"], ["004", 1, "", "y"], ["007", 2, "unidentified", "z"]])
    assert [(p.name, t) for p, t in read_label_rows(cells, imgs)] == [("002.png", "monocyte")]
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="image,cell_type"):
        read_label_rows(bad, imgs)


def test_replay_found_for_shipped_and_retrained_models(tmp_path):
    seg = registry.resolve("default", "segmenter")
    assert find_replay("segmenter", seg, {}) == seg / "replay" / "segmenter.npz"
    # a retrained version has no replay folder: its card names the source
    assert find_replay("segmenter", tmp_path, {"replay_source": "default"}) == seg / "replay" / "segmenter.npz"
    r = load_replay("classifier", registry.resolve("default", "classifier"), {})
    assert r is not None and r.source == "default"
    assert len(r.train["crops"]) > 0 and len(r.check["crops"]) > 0
    assert set(np.unique(r.train["labels"])) <= set(registry.read_card("default", "classifier")["classes"])
