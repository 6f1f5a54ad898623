"""Stain calibration: a lab's colours are carried back to the reference's, for its images only."""

from __future__ import annotations

import numpy as np

from wbc_desktop.core.imaging.calibration import ColourMap, fit_colour_map

REF = {0: (245, 228, 205), 1: (200, 170, 200), 2: (110, 50, 140)}  # plasma, cytoplasm, nucleus
LAB = {0: (240, 200, 220), 1: (170, 160, 215), 2: (40, 50, 150)}  # a bluer stain on a pinker plasma


def _pair(colours, rng, n=64):
    mask = np.zeros((n, n), np.uint8)
    mask[16:48, 16:48] = 1
    mask[24:40, 24:40] = 2
    rgb = np.zeros((n, n, 3), np.float32)
    for c, col in colours.items():
        rgb[mask == c] = col
    rgb += rng.normal(0, 4, rgb.shape)
    return np.clip(rgb, 0, 255).astype(np.uint8), mask


def test_fit_maps_lab_colours_to_reference_and_only_for_the_lab(rng):
    lab = [_pair(LAB, rng) for _ in range(3)]
    ref = [_pair(REF, rng) for _ in range(3)]
    cmap = fit_colour_map(lab, ref, per_class=2000)
    assert cmap is not None
    out = cmap.apply(lab[0][0]).astype(np.float32)
    for c, col in REF.items():
        before = np.abs(lab[0][0][lab[0][1] == c].mean(0) - col).max()
        after = np.abs(out[lab[0][1] == c].mean(0) - col).max()
        assert after < 10 and after < before / 4, (c, before, after)
    assert cmap.applies(lab[1][0]) and not cmap.applies(ref[1][0])
    again = ColourMap.from_card(cmap.to_card())
    assert np.abs(again.apply(lab[0][0]).astype(int) - cmap.apply(lab[0][0]).astype(int)).max() <= 1


def test_same_stain_needs_no_map(rng):
    assert fit_colour_map([_pair(REF, rng)], [_pair(REF, rng)]) is None


def test_segmenter_applies_its_calibration_to_its_lab_only(cell_pair):
    from wbc_desktop.core.imaging.calibration import signature
    from wbc_desktop.core.segmentation.segmenter import Segmenter

    rgb, _ = cell_pair
    base = Segmenter.load("default", device="cpu")
    w = np.zeros((10, 3))
    w[1:4] = np.eye(3)  # identity map: the figures must not change, only the note
    lab_like = signature(rgb)
    card = dict(base.card, colour=dict(base.card["colour"], calibration=ColourMap(
        w, 2, lab_like, lab_like + 80.0).to_card()))
    seg = Segmenter(base.model, card, base.device)
    r = seg.segment(rgb)
    assert any("calibration" in n for n in r.notes)
    assert (r.class_map == base.segment(rgb).class_map).mean() > 0.999
    card["colour"]["calibration"] = ColourMap(w, 2, lab_like + 80.0, lab_like).to_card()  # another lab's
    assert not any("calibration" in n for n in Segmenter(base.model, card, base.device).segment(rgb).notes)


def test_classifier_crops_calibrated_only_when_they_look_like_the_lab(rng):
    from wbc_desktop.core.cells.classifier import calibrate_crops, crop_classes

    def crop(colours):
        rgb, m = _pair(colours, rng, n=32)
        masks = np.stack([(m == 2) * 255, (m == 1) * 255], -1).astype(np.uint8)
        return np.concatenate([rgb, masks], -1)

    lab, ref = np.stack([crop(LAB) for _ in range(4)]), np.stack([crop(REF) for _ in range(4)])
    assert (crop_classes(lab)[0] == _pair(LAB, rng, n=32)[1]).all()
    cmap = fit_colour_map([(x[..., :3], m) for x, m in zip(lab, crop_classes(lab))],
                          [(x[..., :3], m) for x, m in zip(ref, crop_classes(ref))], per_class=2000)
    out = calibrate_crops(np.concatenate([lab[:1], ref[:1]]), cmap)
    nuc = crop_classes(lab)[0] == 2
    assert np.abs(out[0][nuc][:, :3].mean(0) - REF[2]).max() < 12  # the lab's crop now looks like the reference
    assert (out[1] == ref[0]).all() and (out[0][..., 3:] == lab[0][..., 3:]).all()  # others and masks untouched
    assert calibrate_crops(lab, None) is lab
