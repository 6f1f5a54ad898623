"""Retype after an edit: the snapshot sent to the model process types cells exactly as the whole image does."""

from __future__ import annotations

import numpy as np

from wbc_desktop.core.cells.classifier import CellClassifier
from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.pipeline import Pipeline
from wbc_desktop.core.cells.retype import apply_types, make_request

from ..cells.test_classifier import _tiny_model, _two_cells


def _analysis():
    rgb, cm = _two_cells()
    inst, cells = find_cells(cm)
    return rgb, Analysis("two", cm.shape, cm, inst, cells)


def test_request_holds_only_the_cells_box_and_rebuilds_a_full_size_analysis():
    rgb, a = _analysis()
    cid = a.cells[-1].cell_id
    req = make_request(a, [cid, 999])
    assert req.cell_ids == [cid]
    y0, y1, x0, x1 = req.box
    assert req.class_map.shape == (y1 - y0, x1 - x0) and req.class_map.size < a.class_map.size
    full = req.to_analysis()
    mine = a.instances == cid
    assert np.array_equal(full.instances == cid, mine)
    assert np.array_equal(full.class_map[mine], a.class_map[mine]) and not full.class_map[~mine].any()
    assert make_request(a, [999]) is None


def test_retype_of_the_snapshot_equals_typing_the_whole_image(tmp_path):
    rgb, a = _analysis()
    pipe = Pipeline(segmenter=None, classifier=CellClassifier.load(str(_tiny_model(tmp_path / "m")), device="cpu"))
    ids = [c.cell_id for c in a.cells]
    whole = pipe.retype(rgb, a, ids)
    req = make_request(a, ids[-1:])
    part = pipe.retype(rgb, req.to_analysis(), req.cell_ids)
    got, want = dict(part[ids[-1]]), dict(whole[ids[-1]])
    assert np.allclose(got.pop("embedding"), want.pop("embedding"), atol=1e-5)  # the new shape's embedding comes too
    assert got == want
    assert all(c.top3 == [] for c in a.cells)  # the analysis itself is not touched
    a.cells[-1].reviewed_type = "basophil"
    assert apply_types(a, part) == ids[-1:]
    assert a.cells[-1].predicted_type == part[ids[-1]]["predicted_type"]
    assert a.cells[-1].final_type == "basophil"  # a person's type wins
    assert Pipeline(segmenter=None).retype(rgb, a, ids) == {}  # no classifier: nothing to say
