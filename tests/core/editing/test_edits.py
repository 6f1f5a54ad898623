"""Mask editing primitives: patches hold only the touched box, apply/revert round-trip."""

import numpy as np
import pytest

from wbc_desktop.core.editing.edits import (
    MaskPatch, StrokeRecorder, fill_polygon, flood_fill, paint_disks,
)
from wbc_desktop.core.editing.snap import snap_superpixels


def _map(h=120, w=160):
    cm = np.zeros((h, w), np.uint8)
    cm[20:60, 20:60] = 1
    cm[30:50, 30:50] = 2
    return cm


def test_paint_disks_patch_is_the_stroke_box_and_round_trips():
    cm = _map()
    orig = cm.copy()
    p = paint_disks(cm, [(100, 80), (130, 80)], radius=5, value=2)
    assert p is not None
    assert np.array_equal(cm, orig)  # primitives never change the map
    y0, y1, x0, x1 = p.box
    assert (y0, y1) == (75, 86) and (x0, x1) == (95, 136)
    assert p.before.shape == p.after.shape == (11, 41)
    p.apply(cm)
    assert cm[80, 100] == 2 and cm[80, 130] == 2 and cm[80, 115] == 2  # no gap between points
    assert cm[70, 115] == 0
    p.revert(cm)
    assert np.array_equal(cm, orig)


def test_nothing_changed_gives_none_and_bad_value_raises():
    cm = _map()
    assert paint_disks(cm, [(100, 100)], 3, 0) is None
    with pytest.raises(ValueError):
        paint_disks(cm, [(100, 100)], 3, 7)
    assert paint_disks(cm, [(-50, -50)], 3, 1) is None  # off the image


def test_flood_fill_sets_the_connected_region_only():
    cm = _map()
    p = flood_fill(cm, 25, 25, 0)  # the cytoplasm ring
    p.apply(cm)
    assert (cm[20:60, 20:60] != 1).all() and (cm[30:50, 30:50] == 2).all()
    assert p.box == (20, 60, 20, 60)


def test_fill_polygon():
    cm = _map()
    p = fill_polygon(cm, [(100, 10), (140, 10), (140, 40), (100, 40)], 1)
    p.apply(cm)
    assert cm[25, 120] == 1 and cm[5, 120] == 0
    assert fill_polygon(cm, [(1, 1), (2, 2)], 1) is None


def test_stroke_recorder_paints_live_and_gives_one_patch():
    cm = _map()
    orig = cm.copy()
    rec = StrokeRecorder(cm, radius=4, value=1, grow=8)
    for x in range(70, 150, 5):
        rec.add([(x, 100)])
    assert cm[100, 110] == 1  # painted while the mouse moves
    p = rec.finish()
    assert p is not None and p.box[1] - p.box[0] <= 9
    p.revert(cm)
    assert np.array_equal(cm, orig)
    p.apply(cm)
    rec2 = StrokeRecorder(cm, radius=4, value=2)
    rec2.add([(10, 10), (12, 12)])
    rec2.cancel()
    assert cm[10, 10] == 0


def test_patch_rejects_values_that_do_not_fit_the_box():
    with pytest.raises(ValueError):
        MaskPatch((0, 2, 0, 2), np.zeros((3, 3), np.uint8), np.zeros((3, 3), np.uint8))


def test_snap_sets_whole_superpixels_along_edges():
    rng = np.random.default_rng(0)
    rgb = np.full((200, 200, 3), 230, np.uint8)
    rgb[60:140, 60:140] = (120, 60, 160)  # a purple square on a pale field
    rgb = np.clip(rgb + rng.normal(0, 3, rgb.shape), 0, 255).astype(np.uint8)
    cm = np.zeros((200, 200), np.uint8)
    pts = [(x, 100) for x in range(64, 137, 4)]
    p = snap_superpixels(cm, rgb, pts, 2)
    p.apply(cm)
    inside = cm[60:140, 60:140] == 2
    outside = cm == 2
    outside[60:140, 60:140] = False
    assert inside.sum() >= 19 * 8  # whole superpixels (about 16 px each), not single pixels
    assert outside.sum() == 0  # superpixels stop at the square's edge
    with pytest.raises(ValueError):
        snap_superpixels(cm, rgb[:10], pts, 1)


def test_snap_at_model_scale_follows_edges_of_a_large_image():
    """At scale 1/3 (a 3x larger image) SLIC runs on model pixels: the same square, three times the size."""
    rng = np.random.default_rng(0)
    rgb = np.full((600, 600, 3), 230, np.uint8)
    rgb[180:420, 180:420] = (120, 60, 160)
    rgb = np.clip(rgb + rng.normal(0, 3, rgb.shape), 0, 255).astype(np.uint8)
    cm = np.zeros((600, 600), np.uint8)
    p = snap_superpixels(cm, rgb, [(x, 300) for x in range(192, 411, 12)], 2, scale=1 / 3)
    p.apply(cm)
    outside = cm == 2
    outside[177:423, 177:423] = False  # a model pixel is 3 input pixels: edges within one of them
    assert (cm[180:420, 180:420] == 2).sum() >= 19 * 8 * 9 and outside.sum() == 0


def test_snap_superpixels_follow_the_brush_size():
    from wbc_desktop.core.editing.snap import MAX_AREA, MIN_AREA, snap_area_for

    assert snap_area_for(2.0, 1.0) == 16.0  # a 4 px wide brush: the segmenter's own S
    assert snap_area_for(1.0, 0.5) == MIN_AREA and snap_area_for(100.0, 1.0) == MAX_AREA
    assert snap_area_for(6.0, 0.5) < snap_area_for(6.0, 1.0)  # the same brush covers fewer model px
    rng = np.random.default_rng(1)
    rgb = np.clip(rng.normal(180, 25, (120, 120, 3)), 0, 255).astype(np.uint8)  # texture: SLIC decides by size
    small, large = (snap_superpixels(np.zeros((120, 120), np.uint8), rgb, [(60, 60)], 1, mean_area=a)
                    for a in (snap_area_for(1.5, 1.0), snap_area_for(8.0, 1.0)))
    assert small.changed.sum() < large.changed.sum()


def test_union_patch_is_one_step_for_disjoint_patches():
    from wbc_desktop.core.editing.edits import union_patch

    cm = _map()
    orig = cm.copy()
    a = paint_disks(cm, [(100, 20)], 3, 2)
    b = paint_disks(cm, [(140, 100)], 3, 1)
    u = union_patch(cm, [a, None, b], "two")
    u.apply(cm)
    assert cm[20, 100] == 2 and cm[100, 140] == 1 and u.text == "two"
    u.revert(cm)
    assert np.array_equal(cm, orig)
    assert union_patch(cm, [a], "one") is a and union_patch(cm, [], "none") is None
