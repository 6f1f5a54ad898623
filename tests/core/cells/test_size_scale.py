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


def test_wide_platelet_is_retyped_only_with_a_trusted_scale():
    from wbc_desktop.core.cells.size_scale import apply_size_prior

    def plt(d):
        c = _cell(d, "platelet")
        c.confidence, c.top3 = 0.6, [("platelet", 0.6), ("neutrophil", 0.35), ("eosinophil", 0.05)]
        return c

    big, small = plt(160), plt(80)  # 80 and 40 model px at factor 0.5
    assert apply_size_prior([big, small], 0.5, "red-cells", 0.5) == 1
    assert big.predicted_type == "neutrophil" and big.cell_type == "neutrophil" and abs(big.confidence - 0.875) < 1e-6
    assert small.predicted_type == "platelet"
    other = plt(160)
    assert apply_size_prior([other], 0.5, "assumed", 0.5) == 0 and other.predicted_type == "platelet"


def test_framing_only_for_images_too_small_for_a_cell():
    from wbc_desktop.core.cells.size_scale import framing_scale

    f, note = framing_scale([], 0.5, (60, 70))  # 30 model px: no white cell fits
    assert 1.0 < f < 2.0 and "framing" in note
    assert framing_scale([], 0.5, (300, 300)) is None  # a field with no cell: leave it
    assert framing_scale([_cell(50)], 0.5, (60, 70)) is None  # a cell was found: size it instead


def test_rulers_disagree_only_on_an_uncut_cell_far_from_its_types_size():
    import math

    from wbc_desktop.core.cells.size_scale import rbc_wbc_disagreement

    def cell(diam_px: float, border: bool = False) -> Cell:
        area = int(math.pi * (diam_px / 2) ** 2)
        return Cell(1, (0, 0, 1, 1), (0.0, 0.0), area // 2, area - area // 2, border, "neutrophil", 0.9,
                    predicted_type="neutrophil")

    want = TYPE_DIAMETER_MODEL_PX["neutrophil"]
    image = 800 * 800  # the cell covers > 2% of it (MIN_AREA_SHARE)
    assert rbc_wbc_disagreement([cell(want / 0.5)], 0.5, image) is None  # the expected size at this scale
    ratio = rbc_wbc_disagreement([cell(want / 0.5)], 1.0, image)  # twice too big at a doubled scale
    assert ratio is not None and abs(ratio - 2.0) < 0.05
    assert rbc_wbc_disagreement([cell(want / 0.5, border=True)], 1.0, image) is None  # cut: no ruler
