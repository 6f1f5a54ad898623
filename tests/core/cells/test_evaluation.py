"""Scoring typing: central cell scored, images without cells count as wrong, CRLF labels read."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from wbc_desktop.core.analysis import Analysis, Cell
from wbc_desktop.core.errors import InputError
from wbc_desktop.core.cells.evaluation import (
    evaluate_classification,
    read_class_folders,
    read_labels_csv,
)

FIX = Path(__file__).resolve().parents[2] / "fixtures"


def test_read_labels_csv_tolerates_crlf_and_filters_split(tmp_path):
    p = tmp_path / "labels.csv"
    p.write_bytes(b"image,cell_type,split\r\n001.png,lymphocyte,test\r\n002.png,neutrophil,train\r\n\r\n")
    assert read_labels_csv(p) == [("001.png", "lymphocyte"), ("002.png", "neutrophil")]
    assert read_labels_csv(p, split="test") == [("001.png", "lymphocyte")]
    fixture = read_labels_csv(FIX / "cellavision" / "labels.csv")
    assert len(fixture) == 5 and fixture[0] == ("002.png", "lymphocyte")


def test_read_class_folders():
    items = read_class_folders(FIX / "pbc")
    assert len(items) == 16
    assert {c for _, c in items} == {"basophil", "eosinophil", "erythroblast", "ig", "lymphocyte", "monocyte",
                                     "neutrophil", "platelet"}
    assert all(p.is_file() for p, _ in items)


def _analysis(cells):
    z = np.zeros((100, 100), np.uint8)
    return Analysis("x", (100, 100), z, z.astype(np.int32), cells)


def _cell(cid, x, y, t, p=0.9):
    return Cell(cid, (0, 0, 1, 1), (x, y), 10, 10, False, cell_type=t, confidence=p, predicted_type=t)


def test_central_cell_scored_and_missing_cells_count_wrong():
    fake = {
        "a.png": _analysis([_cell(1, 5, 5, "monocyte"), _cell(2, 52, 48, "lymphocyte")]),  # centre: lymphocyte
        "b.png": _analysis([]),  # nothing found
        "c.png": _analysis([_cell(1, 50, 50, "unidentified", 0.3)]),
        "d.png": _analysis([_cell(1, 50, 50, "neutrophil")]),
    }
    fake["c.png"].cells[0].predicted_type = "neutrophil"

    def analyze(path: Path):
        if path.name == "e.png":
            raise InputError("e.png: file is truncated or corrupt")
        return fake[path.name]

    items = [("a.png", "lymphocyte"), ("b.png", "neutrophil"), ("c.png", "neutrophil"), ("d.png", "neutrophil"),
             ("e.png", "monocyte")]
    r = evaluate_classification(analyze, items, image_dir="/data")
    assert r["n"] == 5
    assert r["accuracy"] == 2 / 5
    assert r["accuracy_forced"] == 3 / 5
    assert r["per_class"]["neutrophil"] == {"n": 3, "correct": 1, "accuracy": 1 / 3}
    assert r["confusion"]["neutrophil"] == {"neutrophil": 1, "none": 1, "unidentified": 1}
    assert r["confusion"]["monocyte"] == {"error": 1}
    assert r["items"][4]["error"].startswith("e.png")


def test_cli_classification_figures_uses_class_folders_or_labels(tmp_path):
    import argparse

    import pytest

    from wbc_desktop.cli.classification import classification_figures
    from wbc_desktop.core.errors import WbcError

    seen = []

    class FakePipe:
        def analyze(self, path):
            seen.append(Path(path))
            return _analysis([_cell(1, 50, 50, Path(path).parent.name)])

    r = classification_figures(FakePipe(), argparse.Namespace(class_folders=str(FIX / "pbc"), labels=None, images=None))
    assert r["n"] == 16 and r["accuracy"] == 1.0
    seen.clear()
    args = argparse.Namespace(class_folders=None, labels=str(FIX / "cellavision" / "labels.csv"),
                              images=str(FIX / "cellavision" / "images"), split="train")
    r = classification_figures(FakePipe(), args)
    assert r["n"] == 3 and [p.name for p in seen] == ["002.png", "004.png", "007.png"]
    with pytest.raises(WbcError):
        classification_figures(FakePipe(), argparse.Namespace(class_folders=None, labels=None, images=None))
