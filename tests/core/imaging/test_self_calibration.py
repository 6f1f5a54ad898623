"""Stain self-calibration: the reference round-trips; a shifted stain is pulled back toward it."""

from __future__ import annotations

import numpy as np

from wbc_desktop.core.imaging.self_calibration import StainReference, self_calibrate

COLOURS = np.array([[235, 200, 190], [170, 150, 200], [90, 40, 140]], float)  # plasma, cytoplasm, nucleus


def _scene(colours: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    cm = np.zeros((120, 120), np.uint8)
    yy, xx = np.mgrid[:120, :120]
    r = np.hypot(yy - 60, xx - 60)
    cm[r < 40] = 1
    cm[r < 22] = 2
    rng = np.random.default_rng(seed)
    rgb = colours[cm] + rng.normal(0, 4, (120, 120, 3))
    return np.clip(rgb, 0, 255).astype(np.uint8), cm


def test_reference_round_trips_through_json():
    ref = StainReference.from_pairs([_scene(COLOURS, s) for s in range(3)])
    back = StainReference.from_json(ref.to_json())
    assert np.allclose(back.means, ref.means, atol=1e-3) and np.allclose(back.covs, ref.covs, atol=1e-3)
    assert np.allclose(ref.means, COLOURS, atol=2.0)
    assert ref.shift(_scene(COLOURS, 9)[0]) < 5.0


def test_a_shifted_stain_is_pulled_back_toward_the_reference():
    ref = StainReference.from_pairs([_scene(COLOURS, s) for s in range(3)])
    shifted = COLOURS @ np.array([[0.8, 0.1, 0.1], [0.0, 0.9, 0.1], [0.2, 0.0, 0.8]]).T + [0, -10, 20]
    rgb, cm = _scene(np.clip(shifted, 0, 255), 5)
    assert ref.shift(rgb) > 5
    cal = self_calibrate(rgb, cm, ref)
    assert cal is not None
    out = cal.apply(rgb).astype(float)
    for c in range(3):
        before = np.linalg.norm(rgb[cm == c].mean(0) - COLOURS[c])
        after = np.linalg.norm(out[cm == c].mean(0) - COLOURS[c])
        assert after < 0.3 * before + 3.0


def test_no_calibration_without_enough_sure_pixels_of_each_class():
    ref = StainReference.from_pairs([_scene(COLOURS)])
    rgb, cm = _scene(COLOURS)
    cm[cm == 2] = 1  # no nucleus in the first pass
    assert self_calibrate(rgb, cm, ref) is None
