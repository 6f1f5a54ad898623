"""project.read_back: a stored analysis read back; the person's masks win; bad files cost little."""

from __future__ import annotations

import numpy as np

from wbc_desktop.core.project import cells_table
from wbc_desktop.core.project.image_files import ImageFiles
from wbc_desktop.core.project.layout import ProjectLayout
from wbc_desktop.core.project.manifest import ProjectImage
from wbc_desktop.core.project.read_back import read_analysis

from tests.core.project.helpers import two_cells


def _stored(tmp_path):
    lay = ProjectLayout(tmp_path)
    a = two_cells()
    ImageFiles(lay).write_model("k", a)
    im = ProjectImage(key="k", path="k.png", name="k.png", size=list(a.shape), scale=0.5)
    return lay, a, im, {"k": cells_table.rows_for("k", a, None)}


def test_never_analysed_is_none(tmp_path):
    assert read_analysis(ProjectLayout(tmp_path), ProjectImage(key="k", path="k.png"), {}) is None


def test_model_masks_and_rows_come_back(tmp_path):
    lay, a, im, rows = _stored(tmp_path)
    b = read_analysis(lay, im, rows)
    assert np.array_equal(b.class_map, a.class_map) and np.array_equal(b.instances, a.instances)
    assert [c.cell_type for c in b.cells] == ["neutrophil", "lymphocyte"] and b.scale == 0.5
    assert b.image_name == "k.png"


def test_corrected_masks_win_and_cells_without_ids_are_found_again(tmp_path):
    lay, a, im, rows = _stored(tmp_path)
    cm = a.class_map.copy()
    cm[:, 45:] = 0  # the person erased the right cell
    inst = np.where(cm > 0, a.instances, 0).astype(np.int32)
    ImageFiles(lay).write_corrected("k", cm, inst)
    b = read_analysis(lay, im, rows)
    assert np.array_equal(b.class_map, cm) and np.array_equal(b.instances, inst)
    lay.instances("k").unlink()  # the corrected cell ids lost: the cells come from the mask
    c = read_analysis(lay, im, rows)
    assert np.array_equal(c.class_map, cm) and len(c.cells) == 1  # rows list two cells, the mask one


def test_damaged_doubt_map_only_loses_the_overlay(tmp_path):
    lay, a, im, rows = _stored(tmp_path)
    lay.doubt("k").parent.mkdir(exist_ok=True)
    lay.doubt("k").write_bytes(b"broken")
    b = read_analysis(lay, im, rows)
    assert b is not None and b.uncertainty is None and len(b.cells) == 2
