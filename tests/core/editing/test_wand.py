"""The learned magic wand and the boundary refinement on a synthetic cell with known edges."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage as ndi

from wbc_desktop.core.analysis import NodeEmbeddings
from wbc_desktop.core.editing.refine import refine_band
from wbc_desktop.core.editing.wand import region_at, wand_click

H = W = 120


def _scene():
    """A cell (cytoplasm disk r=40, nucleus disk r=18) on plasma; its grid superpixels (4x4 model px
    at scale 0.5) with embeddings that say each one's true class (plus noise)."""
    yy, xx = np.mgrid[:H, :W]
    d = np.hypot(yy - 60, xx - 60)
    truth = np.where(d <= 18, 2, np.where(d <= 40, 1, 0)).astype(np.uint8)
    colours = np.array([[235, 210, 200], [180, 170, 215], [90, 40, 140]], np.uint8)
    rgb = colours[truth]
    my, mx = np.mgrid[:H // 2, :W // 2]
    labels = ((my // 4) * (W // 8) + mx // 4).astype(np.int32)
    rng = np.random.default_rng(0)
    protos = rng.normal(size=(3, 16))
    centre = truth[1::2, 1::2]  # each model pixel's class
    n = int(labels.max()) + 1
    major = np.array([np.bincount(centre[labels == i], minlength=3).argmax() for i in range(n)])
    vectors = (protos[major] + 0.05 * rng.normal(size=(n, 16))).astype(np.float16)
    return truth, rgb, [NodeEmbeddings((0, H, 0, W), labels, vectors)]


def test_click_spreads_over_the_cell_and_stops_at_its_edge():
    truth, rgb, nodes = _scene()
    cm = np.where(truth == 2, 2, 0).astype(np.uint8)  # the cytoplasm was missed
    p = wand_click(cm, rgb, nodes, 60, 30, 1, reach=80, scale=0.5)
    p.apply(cm)
    assert ((cm == 1) & (truth == 1)).sum() / (truth == 1).sum() > 0.97  # the whole ring, one click
    assert ((cm == 1) & (truth != 1)).sum() < 0.01 * (truth == 1).sum()  # and not into the plasma
    assert (cm[truth == 2] == 2).all()  # the nucleus (another class) is not touched
    p.revert(cm)
    assert not (cm == 1).any()


def test_reach_clips_the_spread():
    truth, rgb, nodes = _scene()
    cm = np.where(truth == 2, 2, 0).astype(np.uint8)
    p = wand_click(cm, rgb, nodes, 60, 30, 1, reach=8, scale=0.5)
    ys, xs = np.nonzero(p.changed)
    d = np.hypot(ys + p.box[0] - 30, xs + p.box[2] - 60)
    assert d.max() <= 8 + 2 * 2 + 1  # the reach, plus the refinement's band along the new edge


def test_negative_click_gives_background_back():
    truth, rgb, nodes = _scene()
    cm = np.where(truth > 0, truth, 0).astype(np.uint8)
    cm[(cm == 0) & (np.abs(np.arange(W)[None, :] - 110) < 8)] = 1  # a false cytoplasm strip at the right
    p = wand_click(cm, rgb, nodes, 110, 10, 0, reach=120, scale=0.5)
    p.apply(cm)
    assert (cm == truth).mean() > 0.995


def test_without_embeddings_the_colour_wand_works():
    truth, rgb, _ = _scene()
    cm = np.where(truth == 2, 2, 0).astype(np.uint8)
    p = wand_click(cm, rgb, [], 60, 30, 1, reach=80, scale=0.5)
    p.apply(cm)
    assert ((cm == 1) & (truth == 1)).sum() / (truth == 1).sum() > 0.9
    assert ((cm == 1) & (truth == 0)).sum() < 0.05 * (truth == 1).sum()


def test_outside_the_image_or_nothing_to_change():
    truth, rgb, nodes = _scene()
    assert wand_click(truth.copy(), rgb, nodes, -1, 5, 1, 10) is None
    assert wand_click(truth.copy(), rgb, nodes, 60, 60, 2, 10, scale=0.5) is None  # already nucleus
    assert region_at(nodes, 200, 5) is None and region_at(nodes, 5, 5) is nodes[0]


@pytest.mark.parametrize("shift, x, value", [(2, 79, 1), (-2, 77, 2)])
def test_refinement_moves_a_thin_band_onto_the_colour_edge(shift, x, value):
    truth, rgb, _ = _scene()
    yy, xx = np.mgrid[:H, :W]
    d = np.hypot(yy - 60, xx - 60)
    cm = np.where(d <= 18 + shift, 2, np.where(d <= 40, 1, 0)).astype(np.uint8)  # the nucleus edge 2 px off
    wrong = cm != truth
    assert truth[60, x] == value != cm[60, x]  # the click is on the wrong band
    p = refine_band(cm, rgb, np.ones((1, 1), bool), (60, x), value, (60, x), reach=30)
    p.apply(cm)
    near = np.hypot(yy - 60, xx - x) <= 25
    assert (cm[near] == truth[near]).all()  # the band within reach follows the image's edge
    assert (cm != truth).sum() < wrong.sum()


def test_refinement_keeps_what_the_person_painted():
    truth, rgb, _ = _scene()
    yy, xx = np.mgrid[:H, :W]
    d = np.hypot(yy - 60, xx - 60)
    cm = np.where(d <= 20, 2, truth).astype(np.uint8)  # the nucleus 2 px too big
    locked = (d > 18.5) & (d <= 20) & (yy >= 68) & (yy <= 74) & (xx > 70)  # painted nucleus by hand there
    assert locked.sum() >= 4
    p = refine_band(cm, rgb, np.ones((1, 1), bool), (60, 79), 1, (60, 79), reach=30, locked=locked)
    p.apply(cm)
    assert (cm[locked] == 2).all()  # kept, against the colours
    away = ndi.distance_transform_edt(~locked) > 2
    free = (d > 18.5) & (d <= 20) & (np.hypot(yy - 60, xx - 79) <= 25) & away
    assert (cm[free] == 1).all()  # the rest of the band moved


def test_margin_wand_follows_the_models_hesitation():
    """With the segmenter's logits kept, a click takes the connected pixels at least as much the new
    class as the clicked one: a thin band where the model hesitated flips, the sure nucleus stays."""
    truth, rgb, nodes = _scene()
    yy, xx = np.mgrid[:H // 2, :W // 2]
    d = np.hypot(yy * 2 + 0.5 - 60, xx * 2 + 0.5 - 60)  # model px centres, in input px from the cell centre
    logits = np.stack([(d - 40) / 4, np.minimum(40 - d, d - 18) / 4, (18 - d) / 4])  # edges at 18 and 40
    n = NodeEmbeddings(nodes[0].box, nodes[0].labels, nodes[0].vectors, logits.astype(np.float16))
    cm = truth.copy()
    D = np.hypot(*np.mgrid[-60:60, -60:60])
    cm[(D > 18) & (D <= 21)] = 2  # the nucleus drawn 3 px too wide (an earlier wrong edit)
    p = wand_click(cm, rgb, [n], 60 + 20, 60, 1, reach=40, scale=0.5)
    p.apply(cm)
    assert ((cm != truth) & (D <= 40)).sum() < 0.2 * ((D > 18) & (D <= 21)).sum()  # the band is mostly fixed
    assert (cm[D <= 16] == 2).all()  # the sure nucleus is not touched


def test_wand_does_not_spread_over_what_a_person_painted():
    from types import SimpleNamespace

    from wbc_desktop.core.editing.edits import make_patch
    from wbc_desktop.core.editing.wand import painted_by_hand

    truth, rgb, nodes = _scene()
    cm = np.where(truth == 2, 2, 0).astype(np.uint8)
    strip = np.zeros(cm.shape, bool)
    strip[50:70, 95:99] = True  # background painted by hand inside the cell's right side
    brush = make_patch(cm, strip, 0, "brush background")
    brush = brush or make_patch(np.ones_like(cm), strip, 0, "brush background")  # (already 0 here: a no-op edit)
    wand_before = make_patch(cm, truth == 1, 1, "wand cytoplasm")
    steps = [SimpleNamespace(patch=brush, text="brush background"), SimpleNamespace(patch=wand_before, text="wand cytoplasm")]
    locked = painted_by_hand(cm.shape, steps)
    assert locked[strip].all() and locked.sum() == strip.sum()  # wand steps are not locked
    p = wand_click(cm, rgb, nodes, 60, 30, 1, reach=80, scale=0.5, locked=locked)
    p.apply(cm)
    assert (cm[strip] == 0).all()  # kept
    assert ((cm == 1) & (truth == 1)).sum() / (truth == 1).sum() > 0.95  # the rest spread as before
    assert painted_by_hand(cm.shape, []) is None
