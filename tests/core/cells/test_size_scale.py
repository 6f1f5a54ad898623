"""Scale from the white cell's own size (tight crops without red cells)."""

import numpy as np

from wbc_desktop.core.analysis import Cell
from wbc_desktop.core.cells.size_scale import TYPE_DIAMETER_MODEL_PX, implausible_size, scale_from_cell


def _cell(diameter_px, t="lymphocyte"):
    area = int(np.pi * (diameter_px / 2) ** 2)
    return Cell(1, (0, 0, 1, 1), (0.0, 0.0), area // 2, area - area // 2, False, cell_type=t, predicted_type=t)


def test_factor_brings_the_cell_to_its_type_size():
    f, note = scale_from_cell([_cell(140, "lymphocyte")], 0.5, 200 * 200)
    assert abs(f * 140 - TYPE_DIAMETER_MODEL_PX["lymphocyte"]) < 1.5
    assert "lymphocyte" in note


def test_no_usable_cell_gives_none():
    assert scale_from_cell([], 0.5, 100 * 100) is None
    assert scale_from_cell([_cell(5)], 0.5, 1000 * 1000) is None  # a speck in a big image


def test_implausible_only_for_crop_filling_cells():
    big = _cell(160, "neutrophil")
    assert not implausible_size([big], 0.5, 200 * 200)  # 80 model px: a normal neutrophil
    assert implausible_size([big], 1.2, 200 * 200)  # 192 model px: the ruler is wrong
    assert not implausible_size([big], 1.2, 2000 * 2000)  # a field: not a tight crop
