"""Ranking cells by the classifier's and the segmenter's doubt."""

import numpy as np
import torch

from wbc_desktop.core.analysis import Analysis, Cell
from wbc_desktop.core.review.doubt import classifier_doubt, next_doubtful, rank, segmenter_doubt
from wbc_desktop.core.segmentation.uncertainty import entropy_u8


def cell(i, top3, x0):
    return Cell(i, (x0, 0, x0 + 10, 10), (x0 + 5, 5), 30, 50, False, top3[0][0], top3[0][1], top3=top3,
                predicted_type=top3[0][0])


def analysis(cells, uncertainty=None):
    inst = np.zeros((10, 40), np.int32)
    for c in cells:
        inst[:, c.bbox[0]:c.bbox[2]] = c.cell_id
    return Analysis("x", inst.shape, (inst > 0).astype(np.uint8), inst, cells, uncertainty=uncertainty)


def test_entropy_is_0_for_a_sure_pixel_and_255_for_three_equal_classes():
    logits = torch.zeros(3, 2, 2)
    logits[0, 0, 0] = 50.0
    u = entropy_u8(logits)
    assert u.dtype == np.uint8 and u[0, 0] == 0 and u[1, 1] == 255


def test_margin_not_top_probability_drives_classifier_doubt():
    coin = cell(1, [("neutrophil", 0.48), ("monocyte", 0.46)], 0)
    clear = cell(2, [("lymphocyte", 0.55), ("monocyte", 0.05)], 10)
    assert classifier_doubt(coin) > 0.95 > 0.6 > classifier_doubt(clear)
    assert classifier_doubt(Cell(3, (0, 0, 1, 1), (0, 0), 1, 1, False, confidence=0.0)) == 1.0


def test_segmenter_doubt_is_the_mean_entropy_over_the_cell():
    cells = [cell(1, [("a", 0.9), ("b", 0.05)], 0), cell(2, [("a", 0.9), ("b", 0.05)], 10)]
    u = np.zeros((10, 40), np.uint8)
    u[:5, 10:20] = 255  # half of cell 2 is fully unsure
    seg = segmenter_doubt(analysis(cells, u))
    assert seg[1] == 0.0 and abs(seg[2] - 0.5) < 1e-6
    assert segmenter_doubt(analysis(cells)) == {1: 0.0, 2: 0.0}  # no map kept: classifier only


def test_rank_puts_either_doubt_first_skips_reviewed_and_walks_unseen():
    sure = cell(1, [("a", 0.98), ("b", 0.01)], 0)
    cls_doubt = cell(2, [("a", 0.5), ("b", 0.45)], 10)
    seg_doubt = cell(3, [("a", 0.98), ("b", 0.01)], 20)
    done = cell(4, [("a", 0.4), ("b", 0.39)], 30)
    done.reviewed_type = "a"
    u = np.zeros((10, 40), np.uint8)
    u[:, 20:30] = 230
    r = rank([("img", analysis([sure, cls_doubt, seg_doubt, done], u))])
    assert [d.cell_id for d in r] == [2, 3, 1]  # 4 was typed by a person
    assert r[0].score >= r[1].score >= r[2].score and r[1].segmenter > 0.8 and r[1].classifier < 0.1
    first = next_doubtful(r, set())
    assert (first.key, first.cell_id) == ("img", 2)
    assert next_doubtful(r, {("img", 2)}).cell_id == 3
    assert next_doubtful(r, {("img", 2), ("img", 3), ("img", 1)}) is None


def test_rank_spans_images():
    a = analysis([cell(1, [("a", 0.9), ("b", 0.05)], 0)])
    b = analysis([cell(1, [("a", 0.5), ("b", 0.49)], 0)])
    r = rank([(0, a), (1, b)])
    assert [(d.key, d.cell_id) for d in r] == [(1, 1), (0, 1)]


def test_rank_uses_the_callers_segmenter_doubt_cache():
    a = analysis([cell(1, [("a", 0.9), ("b", 0.05)], 0)])
    calls = []

    def seg_of(key, an):
        calls.append(key)
        return {1: 0.9}

    r = rank([("k", a)], seg_of=seg_of)
    assert calls == ["k"] and abs(r[0].segmenter - 0.9) < 1e-9


def test_typed_but_doubtful_cells_come_first():
    coin = cell(1, [("a", 0.5), ("b", 0.45)], 0)  # the most doubtful by margin
    far = cell(2, [("eosinophil", 0.97), ("neutrophil", 0.02)], 10)
    far.doubt = "far from its type's training cells (2.3x their spread)"
    sure = cell(3, [("a", 0.98), ("b", 0.01)], 20)
    r = rank([("img", analysis([coin, far, sure]))])
    assert [d.cell_id for d in r] == [2, 1, 3] and r[0].typed_doubt and not r[1].typed_doubt
    far.reviewed_type = "neutrophil"  # once a person typed it, it is done
    assert [d.cell_id for d in rank([("img", analysis([coin, far, sure]))])] == [1, 3]
