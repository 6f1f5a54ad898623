"""BCCD box matching on the fixture field (the full run needs the pipeline and /work/shared)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from training.eval.eval_bccd import box_iou, evaluate_fields, match_boxes, read_types, read_voc_boxes
from wbc_desktop.core.analysis import Analysis, Cell

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "bccd"


def test_read_voc_boxes_fixture():
    wbc = read_voc_boxes(FIX / "BloodImage_00000.xml")
    assert wbc == [(260.0, 177.0, 491.0, 376.0)]
    assert len(read_voc_boxes(FIX / "BloodImage_00000.xml", "RBC")) > 5


def test_iou_and_greedy_one_to_one_matching():
    assert box_iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert box_iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert box_iou((0, 0, 1, 1), (2, 2, 3, 3)) == 0.0
    gt = [(0, 0, 10, 10), (20, 0, 30, 10)]
    pred = [(1, 0, 11, 10), (0, 0, 10, 10), (50, 50, 60, 60)]
    m = match_boxes(gt, pred)
    assert [(g, p) for g, p, _ in m] == [(0, 1)]  # best pair first; the other gt has no partner
    assert match_boxes(gt, [(19, 0, 31, 10)], thr=0.9) == []


def _cell(cid, box, t):
    x0, y0, x1, y1 = box
    return Cell(cid, box, ((x0 + x1) / 2, (y0 + y1) / 2), 100, 100, False, cell_type=t, predicted_type=t)


def test_evaluate_fields_counts_recall_false_cells_and_types(tmp_path):
    z = np.zeros((480, 640), np.uint8)
    cells = [_cell(1, (262, 180, 488, 372), "neutrophil"), _cell(2, (10, 10, 40, 40), "platelet"),
             _cell(3, (100, 300, 160, 360), "lymphocyte")]
    a = Analysis("BloodImage_00000.jpg", (480, 640), z, z.astype(np.int32), cells)
    types = tmp_path / "t.csv"
    types.write_text("image,cell_type\r\nBloodImage_00000.jpg,neutrophil\r\n")
    r = evaluate_fields(lambda p: a, [(FIX / "BloodImage_00000.jpg", FIX / "BloodImage_00000.xml")], read_types(types))
    assert r["recall"] == 1.0 and r["matched"] == 1
    assert r["false_wbc_per_field"] == 2.0 and r["false_non_platelet_per_field"] == 1.0
    assert r["typing"] == {"n": 1, "correct": 1, "accuracy": 1.0, "best_guess_accuracy": 1.0, "confusion": {"neutrophil": {"neutrophil": 1}},
                           "typed_accuracy": 1.0, "unidentified_share": 0.0}
    assert r["platelet_or_erythroblast_share_of_boxes"] == 0.0 and sum(r["box_types"].values()) == r["wbc_boxes"]
