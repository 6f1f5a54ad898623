"""Augmentation: HED round trip matches skimage, outputs stay valid, masks follow geometry."""

from __future__ import annotations

import numpy as np
import torch
from skimage.color import rgb2hed

from wbc_desktop.core.cells.augment import AugmentSettings, augment_batch, hed_jitter, hed_to_rgb, rgb_to_hed


def test_hed_matches_skimage_and_round_trips():
    rng = np.random.default_rng(0)
    rgb = rng.uniform(0.2, 1.0, (8, 8, 3))
    ours = rgb_to_hed(torch.tensor(rgb, dtype=torch.float32).permute(2, 0, 1)[None])[0].permute(1, 2, 0).numpy()
    assert np.allclose(ours, rgb2hed(rgb), atol=1e-4)
    t = torch.tensor(rgb, dtype=torch.float32).permute(2, 0, 1)[None]
    back = hed_to_rgb(rgb_to_hed(t, clip=False))
    assert torch.allclose(back, t, atol=1e-3)


def test_hed_jitter_changes_colour_but_not_structure():
    g = torch.Generator().manual_seed(0)
    nucleus = torch.rand(4, 1, 16, 16) < 0.3  # stained pixels on a light background
    x = torch.where(nucleus, torch.tensor([0.35, 0.25, 0.55]).view(1, 3, 1, 1), torch.tensor([0.9, 0.85, 0.8]).view(1, 3, 1, 1))
    x = (x + 0.03 * torch.randn(4, 3, 16, 16)).clamp(0, 1)
    y = hed_jitter(x, 0.2, 0.05, g)
    assert y.shape == x.shape and 0 <= y.min() and y.max() <= 1
    assert (y - x).abs().mean() > 1e-3
    # per-image colour change: pixel ordering of the luminance largely preserved
    cx, cy = x.mean(1).flatten(1), y.mean(1).flatten(1)
    corr = torch.corrcoef(torch.stack([cx[0], cy[0]]))[0, 1]
    assert corr > 0.8


def test_augment_batch_is_seeded_valid_and_moves_masks_with_rgb():
    crops = np.zeros((6, 96, 96, 5), np.uint8)
    crops[..., :3] = 220
    crops[:, 30:66, 30:66, :3] = 60  # dark "nucleus"
    crops[:, 30:66, 30:66, 3] = 255
    t = torch.as_tensor(crops)
    s = AugmentSettings()
    a = augment_batch(t, 64, s, torch.Generator().manual_seed(1))
    b = augment_batch(t, 64, s, torch.Generator().manual_seed(1))
    assert a.shape == (6, 5, 64, 64)
    assert torch.equal(a, b)
    assert 0 <= a.min() and a.max() <= 1
    # wherever the mask says nucleus the RGB is dark, wherever it says none it is light
    m = a[:, 3] > 0.9
    lum = a[:, :3].mean(1)
    assert lum[m].mean() < 0.45 < lum[a[:, 3] < 0.1].mean()
    plain = augment_batch(t, 64, None)
    assert torch.allclose(plain[:, 3, 0, 0], torch.zeros(6)) and plain[0, 3, 32, 32] == 1


def test_cytoplasm_stretch_lowers_nc_ratio_and_keeps_cell_size():
    """k > 1 widens the cytoplasm rim: the nucleus shrinks in the crop, the cell does not."""
    from wbc_desktop.core.cells.augment import AugmentSettings, geometric

    size = 96
    yy, xx = torch.meshgrid(torch.arange(size) - size / 2 + 0.5, torch.arange(size) - size / 2 + 0.5, indexing="ij")
    rr = (yy ** 2 + xx ** 2).sqrt()
    x = torch.zeros(1, 5, size, size)
    x[0, 3] = (rr <= 12).float()
    x[0, 4] = ((rr > 12) & (rr <= 24)).float()
    base = AugmentSettings(scale=(1.0, 1.0), shift=0.0)
    same = geometric(x, 64, base, torch.Generator().manual_seed(0))
    stretch = AugmentSettings(scale=(1.0, 1.0), shift=0.0, cyto_p=1.0, cyto_stretch=(2.0, 2.0))
    out = geometric(x, 64, stretch, torch.Generator().manual_seed(0))
    nuc0, cell0 = same[0, 3].sum(), same[0, 3].sum() + same[0, 4].sum()
    nuc1, cell1 = out[0, 3].sum(), out[0, 3].sum() + out[0, 4].sum()
    assert abs(float(cell1 / cell0) - 1) < 0.05  # same normalised cell size
    # nucleus radius 12 of 24 -> 12 of 36, scaled back to 24: radius 8, area x 4/9
    assert abs(float(nuc1 / nuc0) - 4 / 9) < 0.05


def test_stain_vector_jitter_shifts_hue_and_nucleus_jitter_stays_in_the_nucleus():
    x = torch.full((8, 3, 16, 16), 0.85)
    x[:, :, 4:12, 4:12] = torch.tensor([0.35, 0.25, 0.55]).view(1, 3, 1, 1)  # a violet nucleus
    nucleus = torch.zeros(8, 1, 16, 16)
    nucleus[:, :, 4:12, 4:12] = 1
    same = hed_jitter(x, 0.0, 0.0, torch.Generator().manual_seed(0), vector_sigma=0.0)
    assert torch.allclose(same, x, atol=2e-3)  # no jitter: the colours come back unchanged
    hue = hed_jitter(x, 0.0, 0.0, torch.Generator().manual_seed(0), vector_sigma=0.1)
    ratios = hue[:, 2, 8, 8] / hue[:, 0, 8, 8]  # blue/red of the nucleus differs between images
    assert ratios.std() > 0.02 and 0 <= hue.min() and hue.max() <= 1
    dark = hed_jitter(x, 0.0, 0.0, torch.Generator().manual_seed(0), nucleus=nucleus, nucleus_sigma=0.3)
    outside = torch.ones(16, 16, dtype=torch.bool)
    outside[4:12, 4:12] = False
    assert torch.allclose(dark[:, :, outside], x[:, :, outside], atol=2e-3)
    assert (dark[:, :, 8, 8] - x[:, :, 8, 8]).abs().max() > 0.02


def test_robust_preset_is_valid_and_seeded():
    from wbc_desktop.core.cells.augment import PRESETS

    crops = torch.zeros((4, 72, 72, 5), dtype=torch.uint8)
    crops[..., :3] = 210
    crops[:, 24:48, 24:48, :3] = 70
    crops[:, 24:48, 24:48, 3] = 255
    a = augment_batch(crops, 48, PRESETS["robust"], torch.Generator().manual_seed(3))
    b = augment_batch(crops, 48, PRESETS["robust"], torch.Generator().manual_seed(3))
    assert torch.equal(a, b) and a.shape == (4, 5, 48, 48) and 0 <= a.min() and a.max() <= 1
