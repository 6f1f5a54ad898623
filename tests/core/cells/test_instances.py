"""Instances from class maps: touching cells split, lobes kept together, specks dropped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.io.images import read_mask

FIX = Path(__file__).resolve().parents[2] / "fixtures"


def disk(shape, cy, cx, r):
    yy, xx = np.indices(shape)
    return (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r


def test_empty_map_gives_no_cells():
    inst, cells = find_cells(np.zeros((50, 60), np.uint8))
    assert inst.shape == (50, 60) and inst.dtype == np.int32
    assert cells == [] and inst.max() == 0


def test_two_touching_cells_are_split_along_the_middle():
    cm = np.zeros((120, 200), np.uint8)
    cm[disk(cm.shape, 60, 60, 35)] = 1
    cm[disk(cm.shape, 60, 125, 35)] = 1  # overlapping cytoplasm: one foreground blob
    cm[disk(cm.shape, 60, 60, 18)] = 2  # nucleus radius 18: the 17-px rim is within reach
    cm[disk(cm.shape, 60, 125, 18)] = 2
    inst, cells = find_cells(cm)
    assert len(cells) == 2
    assert [c.cell_id for c in cells] == [1, 2]
    left, right = sorted(cells, key=lambda c: c.centroid[0])
    assert left.centroid[0] < 92 < right.centroid[0]
    assert inst[60, 60] == left.cell_id and inst[60, 125] == right.cell_id
    assert inst[60, 80] == left.cell_id and inst[60, 105] == right.cell_id
    assert left.nucleus_area_px == int(disk(cm.shape, 60, 60, 18).sum())
    assert left.cytoplasm_area_px + right.cytoplasm_area_px == int((cm == 1).sum())
    assert not left.touches_border


def test_lobed_nucleus_stays_one_cell():
    cm = np.zeros((120, 120), np.uint8)
    cm[disk(cm.shape, 60, 60, 40)] = 1
    for cy, cx in [(48, 46), (48, 74), (72, 60)]:  # three lobes with ~6 px gaps
        cm[disk(cm.shape, cy, cx, 11)] = 2
    inst, cells = find_cells(cm)
    assert len(cells) == 1
    assert cells[0].nucleus_area_px == int((cm == 2).sum())
    assert set(np.unique(inst)) == {0, 1}


def test_pale_lobes_far_apart_stay_one_cell():
    # a pale nucleus segmented as two fragments ~24 px apart inside one cell (BCCD fields)
    cm = np.zeros((120, 120), np.uint8)
    cm[disk(cm.shape, 60, 60, 42)] = 1
    for cy, cx in [(60, 40), (60, 80)]:
        cm[disk(cm.shape, cy, cx, 8)] = 2
    assert len(find_cells(cm)[1]) == 1


def test_scale_sets_size_rules_in_model_pixels():
    # the same lobed cell drawn 3x larger: at scale 1/3 it is still one cell
    cm = np.zeros((360, 360), np.uint8)
    cm[disk(cm.shape, 180, 180, 120)] = 1
    for cy, cx in [(144, 138), (144, 222), (216, 180)]:
        cm[disk(cm.shape, cy, cx, 33)] = 2
    assert len(find_cells(cm, scale=1 / 3)[1]) == 1
    assert len(find_cells(cm, scale=1.0)[1]) == 3  # at model scale the gaps are too wide


def test_specks_and_nucleus_free_blobs_are_dropped():
    cm = np.zeros((200, 200), np.uint8)
    cm[disk(cm.shape, 50, 50, 30)] = 1
    cm[disk(cm.shape, 50, 50, 12)] = 2
    cm[150:153, 20:23] = 2  # 9 px nucleus speck
    cm[disk(cm.shape, 150, 80, 18)] = 1  # red-cell sized cytoplasm only
    cm[disk(cm.shape, 140, 160, 32)] = 1  # large nucleus-free blob (~3200 px^2)
    inst, cells = find_cells(cm)
    assert len(cells) == 1 and cells[0].nucleus_area_px > 0
    assert inst[150, 80] == 0 and inst[151, 21] == 0 and inst[140, 160] == 0


def test_one_nucleus_does_not_claim_a_clump_of_touching_red_cells():
    cm = np.zeros((120, 300), np.uint8)
    for cx in range(40, 300, 45):  # a chain of touching "red cells" marked as cytoplasm
        cm[disk(cm.shape, 60, cx, 24)] = 1
    cm[disk(cm.shape, 60, 40, 30)] = 1
    cm[disk(cm.shape, 60, 40, 14)] = 2
    inst, cells = find_cells(cm)
    (c,) = cells
    assert c.bbox[2] < 40 + 14 + 16  # reach: about one nucleus radius beyond the nucleus
    assert inst[60, 200] == 0


def test_border_and_bbox_convention():
    cm = np.zeros((80, 80), np.uint8)
    cm[disk(cm.shape, 40, 5, 20)] = 1
    cm[disk(cm.shape, 40, 8, 8)] = 2
    inst, cells = find_cells(cm)
    (c,) = cells
    x0, y0, x1, y1 = c.bbox
    ys, xs = np.nonzero(inst == 1)
    assert (x0, y0, x1, y1) == (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
    assert c.touches_border


@pytest.mark.parametrize("name", ["002", "004", "007", "011", "088"])
def test_expert_masks_give_one_cell_each(name):
    cm = read_mask(FIX / "cellavision" / "masks" / f"{name}.png")
    inst, cells = find_cells(cm, scale=0.3)  # cellavision WBCs are ~200 px; ~60 at model scale
    assert len(cells) == 1, [c.bbox for c in cells]
    assert cells[0].nucleus_area_px > 1000

