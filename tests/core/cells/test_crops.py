"""Crop normalisation: same cell at two magnifications gives the same crop; cache == inference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image
from scipy import ndimage as ndi

from wbc_desktop.core.cells.augment import augment_batch
from wbc_desktop.core.cells.crops import CropSpec, cell_crops, cell_geometry, context_spec, crop_cell, to_tensor
from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.io.images import read_image, read_mask

FIX = Path(__file__).resolve().parents[2] / "fixtures"


def _fixture(name="004"):
    rgb = read_image(FIX / "cellavision" / "images" / f"{name}.png").pixels
    cm = read_mask(FIX / "cellavision" / "masks" / f"{name}.png")
    return rgb, cm


def test_crop_is_invariant_to_magnification_and_position():
    rgb, cm = _fixture()
    spec = CropSpec(size=64, fill=0.6, white_balance=False)
    inst, cells = find_cells(cm, scale=0.3)
    a = cell_crops(rgb, cm, inst, [c.cell_id for c in cells], spec)[0]
    # the same image at half size, shifted into a larger canvas
    small = np.asarray(Image.fromarray(rgb).resize((150, 150), Image.BILINEAR))
    cm_s = np.asarray(Image.fromarray(cm).resize((150, 150), Image.NEAREST))
    rgb2 = np.full((200, 260, 3), 230, np.uint8)
    cm2 = np.zeros((200, 260), np.uint8)
    rgb2[30:180, 90:240] = small
    cm2[30:180, 90:240] = cm_s
    inst2, cells2 = find_cells(cm2, scale=0.6)
    b = cell_crops(rgb2, cm2, inst2, [c.cell_id for c in cells2], spec)[0]
    assert a.shape == b.shape == (64, 64, 5)
    # masks agree closely; the nucleus sits in the same place
    assert np.abs(a[..., 3].astype(int) - b[..., 3].astype(int)).mean() < 12
    assert np.abs(a[..., :3].astype(int) - b[..., :3].astype(int)).mean() < 12


def test_cell_fills_the_requested_fraction():
    rgb, cm = _fixture("002")
    spec = CropSpec(size=64, fill=0.5)
    inst, cells = find_cells(cm, scale=0.3)
    crop = cell_crops(rgb, cm, inst, [cells[0].cell_id], spec)[0]
    cell = (crop[..., 3].astype(int) + crop[..., 4]) > 127
    _, _, d = cell_geometry(cell)
    assert abs(d / 64 - 0.5) < 0.05


def test_context_cache_centre_equals_inference_crop():
    rgb, cm = _fixture("007")
    spec = CropSpec(size=64, fill=0.6)
    inst, cells = find_cells(cm, scale=0.3)
    ids = [cells[0].cell_id]
    direct = cell_crops(rgb, cm, inst, ids, spec)
    cached = cell_crops(rgb, cm, inst, ids, context_spec(spec))
    assert cached.shape[1] == 96
    centre = augment_batch(torch.as_tensor(cached), 64, None)
    d = to_tensor(direct)
    d[:, :3] = d[:, :3] * 0.25 + 0.5
    assert (centre - d).abs().mean() < 0.02


def test_border_cell_gets_edge_padding_not_black():
    rgb = np.full((100, 100, 3), 200, np.uint8)
    nuc = np.zeros((100, 100), bool)
    nuc[40:60, 0:10] = True
    crop = crop_cell(rgb, nuc, np.zeros_like(nuc), (5.0, 50.0), 30.0, CropSpec())
    assert crop[..., :3].min() == 200


def test_image_only_mode_has_three_channels():
    rgb, cm = _fixture()
    inst, cells = find_cells(cm, scale=0.3)
    out = cell_crops(rgb, cm, inst, [1], CropSpec(size=48, mode="image"))
    assert out.shape == (1, 48, 48, 3)
    assert CropSpec.from_card(CropSpec(mode="image").to_card()).channels == 3


def test_min_diameter_keeps_tiny_objects_small():
    rgb = np.full((200, 200, 3), 220, np.uint8)
    cm = np.zeros((200, 200), np.uint8)
    yy, xx = np.indices(cm.shape)
    cm[(yy - 100) ** 2 + (xx - 100) ** 2 <= 8 ** 2] = 2  # a platelet-sized object, 16 px across
    inst = (cm > 0).astype(np.int32)
    spec = CropSpec(size=64, fill=0.6, min_diameter=30.0)
    small = cell_crops(rgb, cm, inst, [1], spec, scale=1.0)[0]
    blown = cell_crops(rgb, cm, inst, [1], CropSpec(size=64, fill=0.6, min_diameter=0.0), scale=1.0)[0]
    d_small = cell_geometry(small[..., 3] > 127)[2]
    assert abs(d_small / 64 - 0.6 * 16 / 30) < 0.05  # shown at its true size relative to 30 px
    assert cell_geometry(blown[..., 3] > 127)[2] / 64 > 0.55


def test_balancing_the_crop_matches_balancing_the_whole_image():
    """cell_crops balances the resampled crop; cutting from a balanced image gives the same up to
    rounding and clipping (on real PBC crops: mean 0.17, max 4 levels; pure noise is the worst case)."""
    from wbc_desktop.core.cells.crops import white_balance

    rng = np.random.default_rng(1)
    rgb = rng.integers(60, 230, size=(90, 120, 3), dtype=np.uint8)
    cm = np.zeros((90, 120), np.uint8)
    yy, xx = np.indices(cm.shape)
    cell = (yy - 40) ** 2 + (xx - 100) ** 2 <= 18 ** 2  # reaches past the right border
    cm[cell] = 1
    cm[(yy - 40) ** 2 + (xx - 100) ** 2 <= 8 ** 2] = 2
    inst = cell.astype(np.int32)
    spec = CropSpec(size=32)
    got = cell_crops(rgb, cm, inst, [1], spec)[0]
    cx, cy, d = cell_geometry(cell)
    want = crop_cell(white_balance(rgb), cell & (cm == 2), cell & (cm == 1), (cx, cy), max(d, spec.min_diameter), spec)
    assert got.shape == (32, 32, 5)
    diff = np.abs(got.astype(int) - want.astype(int))
    assert diff[..., 3:].max() == 0 and diff.mean() < 1.0 and diff.max() <= 8


def test_cell_boxes_give_the_same_crops_and_a_stale_box_falls_back():
    rgb, cm = _fixture("002")
    rgb, cm = np.concatenate([rgb, rgb], 1), np.concatenate([cm, cm], 1)  # two cells
    inst, cells = find_cells(cm, scale=0.33)
    spec = CropSpec(size=48)
    ids = [c.cell_id for c in cells]
    scanned = cell_crops(rgb, cm, inst, ids, spec, 0.33)
    assert len(cells) == 2
    assert np.array_equal(cell_crops(rgb, cm, inst, ids, spec, 0.33, boxes=[c.bbox for c in cells]), scanned)
    stale = [(0, 0, 3, 3), cells[1].bbox]  # e.g. a cell edited after its box was measured
    assert np.array_equal(cell_crops(rgb, cm, inst, ids, spec, 0.33, boxes=stale), scanned)


def test_one_band_mask_resample_equals_resampling_the_masks_as_rgb_bands():
    # crop_cell resamples each mask alone; training caches were cut when both masks were bands
    # of one RGB image, so the two must give the same bytes
    from wbc_desktop.core.cells.crops import _resample

    rng = np.random.default_rng(3)
    nuc = np.zeros((157, 203), bool)
    nuc[40:90, 50:120] = True
    cyto = ndi.binary_dilation(nuc, iterations=12) & ~nuc & (rng.random(nuc.shape) > 0.05)
    rgb = np.zeros(nuc.shape + (3,), np.uint8)
    rgb[..., 0], rgb[..., 1] = nuc * 255, cyto * 255
    for box, size in (((10.3, 5.7, 150.2, 145.6), 96), ((0.5, 2.5, 150.5, 152.5), 64), ((20.0, 20.0, 60.0, 60.0), 128)):
        both = _resample(Image.fromarray(rgb), box, size)
        assert np.array_equal(_resample(Image.fromarray(nuc.astype(np.uint8) * 255), box, size), both[..., 0])
        assert np.array_equal(_resample(Image.fromarray(cyto.astype(np.uint8) * 255), box, size), both[..., 1])


def test_white_tables_equal_the_arithmetic_and_geometry_equals_the_pixel_mean():
    from wbc_desktop.core.cells.crops import apply_white, white_tables

    rng = np.random.default_rng(3)
    values = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)[None]
    for _ in range(20):
        white = np.maximum(rng.random(3).astype(np.float32) * 255, 40.0)
        tables = white_tables(white)
        looked_up = np.stack([tables[c][values[..., c]] for c in range(3)], -1)
        assert np.array_equal(looked_up, apply_white(values, white))
    for _ in range(50):
        m = rng.random((int(rng.integers(1, 80)), int(rng.integers(1, 80)))) > rng.random()
        if m.any():
            ys, xs = np.nonzero(m)
            assert cell_geometry(m) == (float(xs.mean()), float(ys.mean()), float(2.0 * np.sqrt(len(xs) / np.pi)))
