"""Cell operations and mask edits in the review history: one undo stack, cells recomputed."""

import numpy as np
import pytest

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.editing.cell_ops import (
    add_cell, delete_cell, merge_cells, revert_to_model, split_cell,
)
from wbc_desktop.core.editing.edits import paint_disks
from wbc_desktop.core.review.history import History, Reclassify, ReviewLocked, Sign
from wbc_desktop.core.editing.mask_edit import MaskEdit
from wbc_desktop.core.editing.recompute import recompute_cells
from wbc_desktop.core.review.store import ImageReview


def _analysis():
    cm = np.zeros((200, 360), np.uint8)
    yy, xx = np.mgrid[:200, :360]
    for cx, cy in [(60, 60), (200, 120), (340, 40)]:
        d = np.hypot(xx - cx, yy - cy)
        cm[d < 30] = 1
        cm[d < 14] = 2
    inst, cells = find_cells(cm)
    a = Analysis("field.png", cm.shape, cm, inst, cells)
    for c in a.cells:
        c.cell_type = "neutrophil"
    return a


def test_retype_and_stroke_share_one_history():
    a = _analysis()
    model = a.class_map.copy()
    r = ImageReview("field.png", user="dr who")
    h = History(r)
    h.do(Reclassify((1,), "lymphocyte"))
    assert r.set_by[1][0] == "dr who"
    h.do(MaskEdit(a, paint_disks(a.class_map, [(100, 150), (130, 150)], 4, 1)))
    assert a.class_map[150, 110] == 1
    assert h.undo_text.startswith("brush")
    h.undo()  # the stroke first
    assert np.array_equal(a.class_map, model) and r.reviewed == {1: "lymphocyte"}
    h.undo()  # then the retype
    assert r.reviewed == {} and 1 not in r.set_by
    h.redo()
    h.redo()
    assert a.class_map[150, 110] == 1 and r.reviewed == {1: "lymphocyte"}
    assert len(r.pending_patches) == 3  # applied, undone, applied: what a journal records


def test_delete_cell_undo_restores_cell_and_person_type():
    a = _analysis()
    r = ImageReview("f")
    h = History(r)
    cid = int(a.instances[120, 200])
    h.do(Reclassify((cid,), "monocyte"))
    ids = [c.cell_id for c in a.cells]
    h.do(MaskEdit(a, delete_cell(a.class_map, a.instances, cid)))
    assert cid not in [c.cell_id for c in a.cells] and cid not in r.reviewed
    assert not (a.instances == cid).any() and a.class_map[120, 200] == 0
    h.undo()
    assert [c.cell_id for c in a.cells] == ids and r.reviewed == {cid: "monocyte"}
    assert a.class_map[120, 200] == 2


def test_brush_reshapes_a_cell_keeping_its_id_and_type():
    a = _analysis()
    cid = int(a.instances[60, 60])
    before = a.cell(cid)
    others = [c for c in a.cells if c.cell_id != cid]
    e = MaskEdit(a, paint_disks(a.class_map, [(90, 60), (100, 60)], 6, 1))
    History(ImageReview("f")).do(e)
    c = a.cell(cid)
    assert e.changed_ids == [cid]
    assert c.cell_type == "neutrophil"  # kept until the model process retypes it
    assert c.bbox[2] > before.bbox[2] and c.cytoplasm_area_px > before.cytoplasm_area_px
    assert all(a.cell(o.cell_id) is o for o in others)  # untouched cells are the same records
    assert a.cell(int(a.instances[40, 340])).touches_border


def test_add_split_merge():
    a = _analysis()
    h = History(ImageReview("f"))
    e = MaskEdit(a, add_cell(a.class_map, [(110, 150), (130, 150), (130, 170), (110, 170)], instances=a.instances))
    h.do(e)
    new = e.changed_ids[0]
    c = a.cell(new)
    assert new == 4 and c.nucleus_area_px > 300 and c.cytoplasm_area_px > 0
    # split cell 2 with a vertical stroke through it
    cid = int(a.instances[120, 200])
    whole = a.cell(cid).area_px
    e = MaskEdit(a, split_cell(a.class_map, a.instances, [(200, 80), (200, 160)]))
    h.do(e)
    assert len(a.cells) == 5 and set(e.changed_ids) == {cid, 5}
    assert whole - 200 < a.cell(cid).area_px + a.cell(5).area_px < whole  # less the cut
    assert abs(a.cell(cid).area_px - a.cell(5).area_px) < 100
    e = MaskEdit(a, merge_cells(a.class_map, a.instances, cid, 5))
    h.do(e)
    assert len(a.cells) == 4 and not (a.instances == 5).any()
    for _ in range(3):
        h.undo()
    assert len(a.cells) == 3
    assert split_cell(a.class_map, a.instances, [(5, 190), (20, 190)]) is None  # over background


def test_revert_to_model_one_cell_and_whole_image():
    a = _analysis()
    model = a.class_map.copy()
    model_inst = a.instances.copy()
    h = History(ImageReview("f"))
    h.do(MaskEdit(a, paint_disks(a.class_map, [(60, 60)], 10, 0)))
    h.do(MaskEdit(a, paint_disks(a.class_map, [(200, 120)], 10, 1)))
    cid = int(a.instances[60, 44])
    assert cid > 0
    h.do(MaskEdit(a, revert_to_model(a.class_map, model, a.instances, cell_id=cid, model_instances=model_inst)))
    assert np.array_equal(a.class_map[:100, :100], model[:100, :100])
    assert not np.array_equal(a.class_map, model)
    h.do(MaskEdit(a, revert_to_model(a.class_map, model)))
    assert np.array_equal(a.class_map, model)
    assert [c.nucleus_area_px for c in a.cells] == [c.nucleus_area_px for c in _analysis().cells]


def test_signed_image_refuses_mask_edits():
    a = _analysis()
    h = History(ImageReview("f"))
    h.do(Sign("dr"))
    with pytest.raises(ReviewLocked):
        h.do(MaskEdit(a, paint_disks(a.class_map, [(10, 10)], 3, 2)))
    assert a.class_map[10, 10] == 0


def test_recompute_cells_after_direct_edit_finds_a_new_cell():
    a = _analysis()
    a.class_map[150:185, 20:55] = 1
    a.class_map[160:175, 30:45] = 2
    ids = recompute_cells(a, (150, 185, 20, 55))
    assert ids == [4] and a.cell(4).nucleus_area_px == 225 and 900 < a.cell(4).cytoplasm_area_px <= 35 * 35 - 225  # less the corners beyond reach
    assert [c.cell_id for c in a.cells] == [1, 2, 3, 4]
