"""A tiny project (3 corrected images, typed cells) and explicit file lists, from the fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.io.atomic import write_png_atomic
from wbc_desktop.core.io.images import class_map_to_mask, read_image, read_mask

TYPES = {"002.png": "lymphocyte", "004.png": "neutrophil", "007.png": "eosinophil", "011.png": "monocyte",
         "088.png": "basophil"}


@pytest.fixture
def cv(fixtures) -> Path:
    return fixtures / "cellavision"


def make_project(root: Path, cv: Path, names=("002.png", "004.png", "007.png", "011.png")) -> Path:
    """A project folder as the app writes it: project.json, masks/, cells.csv with person types."""
    from wbc_desktop.core.project import cells_table, manifest
    from wbc_desktop.core.project.layout import ProjectLayout
    from wbc_desktop.core.project.manifest import ProjectImage

    root.mkdir(parents=True, exist_ok=True)
    (root / "images").mkdir(exist_ok=True)
    images, rows = [], {}
    for n in names:
        shutil.copy(cv / "images" / n, root / "images" / n)
        key = Path(n).stem
        im = ProjectImage(key=key, path=f"images/{n}", name=n, scale=0.5)
        im.mark("corrected", "test")
        images.append(im)
        rgb = read_image(cv / "images" / n).pixels
        cm = read_mask(cv / "masks" / n, rgb.shape[:2])
        write_png_atomic(root / "masks" / f"{key}.png", class_map_to_mask(cm))
        _, cells = find_cells(cm, scale=0.5)
        big = max(cells, key=lambda c: c.nucleus_area_px + c.cytoplasm_area_px)
        rows[key] = [{"image": key, "cell_id": big.cell_id, "x0": big.bbox[0], "y0": big.bbox[1], "x1": big.bbox[2],
                      "y1": big.bbox[3], "centroid_x": f"{big.centroid[0]:.1f}", "centroid_y": f"{big.centroid[1]:.1f}",
                      "model_type": "unidentified", "person_type": TYPES[n], "nucleus_area_px": 1,
                      "cytoplasm_area_px": 1, "touches_border": 0}]
    manifest.save(root, images, {"created": "test"})
    cells_table.write(ProjectLayout(root).cells_file, rows, [im.key for im in images])
    return root


@pytest.fixture
def project(tmp_path, cv) -> Path:
    return make_project(tmp_path / "proj", cv)
