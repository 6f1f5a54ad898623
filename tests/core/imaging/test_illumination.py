import numpy as np

from wbc_desktop.core.imaging.illumination import apply_gain, background_colour, background_gain, normalise_background


def test_background_is_the_bright_plasma(cell_pair):
    rgb, mask = cell_pair
    bg = background_colour(rgb)
    assert bg.mean() > np.median(rgb.reshape(-1, 3), 0).mean()  # brighter than the typical pixel


def test_grey_blue_lab_is_brought_to_the_reference(cell_pair):
    rgb, _ = cell_pair
    ref = background_colour(rgb)
    other = np.clip(rgb.astype(np.float32) * np.array([0.8, 0.9, 1.0]), 0, 255).astype(np.uint8)
    fixed = normalise_background(other, ref)
    assert np.abs(background_colour(fixed) - ref).max() < 4
    assert np.abs(fixed.astype(int) - rgb.astype(int)).mean() < 3


def test_no_change_when_already_at_reference(cell_pair):
    rgb, _ = cell_pair
    assert background_gain(rgb, background_colour(rgb)) is None
    assert apply_gain(rgb, None) is rgb
