"""Consensus red-cell size: equivariance, robustness to vignetting and blur, honest confidence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from wbc_desktop.core.imaging.rbc_size import agreement_confidence, consensus, estimate_rbc_size, flatten

FIX = Path(__file__).resolve().parents[2] / "fixtures"


def field() -> np.ndarray:
    return np.asarray(Image.open(FIX / "bccd/BloodImage_00000.jpg").convert("RGB"))


def synthetic(d: float = 30.0, side: int = 320, seed: int = 0) -> np.ndarray:
    """Touching pale-centred red discs of diameter ``d`` on light plasma."""
    rng = np.random.default_rng(seed)
    img = np.full((side, side, 3), (235, 225, 215), np.float32)
    yy, xx = np.mgrid[0:side, 0:side]
    step = d * 0.95
    for cy in np.arange(d / 2, side, step * 1.1):
        for cx in np.arange(d / 2, side, step * 1.2):
            cy2, cx2 = cy + rng.uniform(-2, 2), cx + rng.uniform(-2, 2)
            r = np.hypot(yy - cy2, xx - cx2)
            img[r < d / 2] = (200, 110, 120)
            img[r < d / 6] = (220, 160, 160)  # central pallor
    return img.astype(np.uint8)


def test_doubling_the_image_doubles_the_size():
    a = field()
    one = estimate_rbc_size(a)
    two = estimate_rbc_size(np.asarray(Image.fromarray(a).resize((a.shape[1] * 2, a.shape[0] * 2), Image.BILINEAR)))
    assert one.diameter_px and two.diameter_px
    assert abs(two.diameter_px / (2 * one.diameter_px) - 1) < 0.1


def test_vignetting_and_blur_barely_move_it():
    a = synthetic()
    base = estimate_rbc_size(a).diameter_px
    yy, xx = np.mgrid[0:a.shape[0], 0:a.shape[1]]
    r2 = ((yy - a.shape[0] / 2) ** 2 + (xx - a.shape[1] / 2) ** 2) / (a.shape[0] / 2) ** 2
    dark = (a * (1 - 0.4 * np.clip(r2 / 2, 0, 1))[..., None]).astype(np.uint8)
    soft = np.asarray(Image.fromarray(dark).filter(ImageFilter.GaussianBlur(2.5)))
    got = estimate_rbc_size(soft).diameter_px
    assert base and got and abs(got / base - 1) < 0.1


def test_size_of_synthetic_discs_is_a_red_cell_not_a_pallor():
    e = estimate_rbc_size(synthetic(d=30.0))
    assert e.diameter_px is not None and 27 < e.diameter_px < 38  # box-like: a little over the disc


def test_blank_image_is_not_measured():
    e = estimate_rbc_size(np.full((200, 200, 3), 230, np.uint8))
    assert e.diameter_px is None and e.confidence == 0.0 and not e.ok


def test_confidence_needs_agreement_and_cells():
    assert agreement_confidence([50, 51, 49], 30) >= 0.9
    assert agreement_confidence([50, 51, 49], 3) < 0.5  # too few cells
    assert agreement_confidence([50, 70, 35], 30) < 0.3  # methods disagree
    assert agreement_confidence([50, 51, 90], 30) < 0.9  # one method strays: never .9
    assert consensus([50, 51, 90]) == 50.5 and consensus([49, 50, 51]) == 50


def test_flatten_divides_out_a_gradient():
    g = np.full((64, 64), 200.0)
    ramp = g * np.linspace(0.6, 1.0, 64)[None, :]
    f = flatten(ramp)
    assert np.ptp(f) < 0.1
