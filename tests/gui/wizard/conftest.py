"""A tiny project fixture (the five CellaVision fixture images, their masks as corrections, types set)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from wbc_desktop.core.project import manifest
from wbc_desktop.core.project.manifest import ProjectImage

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cellavision"


def make_project(root: Path, n_masks: int = 4, n_typed: int = 5) -> Path:
    """A project folder with ``n_masks`` corrected masks and ``n_typed`` person-typed cells."""
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    labels = {r["image"]: r["cell_type"] for r in csv.DictReader(open(FIXTURES / "labels.csv"))}
    images, rows = [], []
    for i, src in enumerate(sorted((FIXTURES / "images").glob("*.png"))):
        shutil.copy(src, root / "images" / src.name)
        key = src.stem
        marks = {"new": {"by": "t", "at": ""}, "analysed": {"by": "t", "at": ""}}
        if i < n_masks:
            shutil.copy(FIXTURES / "masks" / src.name, root / "masks" / f"{key}.png")
            marks["corrected"] = {"by": "t", "at": ""}
        images.append(ProjectImage(key=key, path=f"images/{src.name}", name=src.name, marks=marks))
        rows.append({"image": key, "cell_id": 1, "x0": 75, "y0": 75, "x1": 225, "y1": 225, "centroid_x": 150.0,
                     "centroid_y": 150.0,
                     "person_type": labels.get(src.name, "") if i < n_typed else ""})
    manifest.save(root, images, {})
    with open(root / "cells.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["image", "cell_id", "x0", "y0", "x1", "y1", "centroid_x", "centroid_y",
                                           "person_type"])
        w.writeheader()
        w.writerows(rows)
    return root


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path / "proj")
