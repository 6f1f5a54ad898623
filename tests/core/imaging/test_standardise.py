"""Colour standardisation: casts and vignetting mapped away, a reference-like image left alone."""

from __future__ import annotations

import numpy as np

from wbc_desktop.core.imaging.standardise import ColourReference, load_references, standardise


def field(plasma=(240, 228, 215), rbc=(205, 130, 135), side: int = 240, seed: int = 0) -> np.ndarray:
    """Plasma with a grid of red discs and one purple nucleus."""
    rng = np.random.default_rng(seed)
    img = np.empty((side, side, 3), np.float32)
    img[:] = plasma
    yy, xx = np.mgrid[0:side, 0:side]
    for cy in range(20, side, 38):
        for cx in range(20, side, 40):
            img[np.hypot(yy - cy - rng.uniform(-2, 2), xx - cx) < 14] = rbc
    img[np.hypot(yy - side / 2, xx - side / 2) < 12] = (90, 40, 140)
    return np.clip(img + rng.normal(0, 1.5, img.shape), 0, 255).astype(np.uint8)


def ref_of(img: np.ndarray, name: str = "lab") -> ColourReference:
    """A reference measured on ``img`` itself (what training/make_colour_reference.py does per lab)."""
    from wbc_desktop.core.imaging.standardise import measure_anchors

    a = measure_anchors(img)
    return ColourReference(name, -np.log(a.plasma_rgb / 255.0), a.rbc_od, a.nucleus_od_norm or 1.0)


def test_reference_like_image_is_left_alone():
    img = field()
    s = standardise(img, [ref_of(img)])
    assert not s.applied and s.reference == "" and s.pixels is img or np.array_equal(s.pixels, img)


def test_a_cast_is_mapped_back_to_the_reference():
    img = field()
    ref = ref_of(img)
    cast = np.clip(img * np.array([1.0, 0.8, 1.05]), 0, 255).astype(np.uint8)  # pink-violet
    s = standardise(cast, [ref])
    assert s.applied and "plasma + red cells" in s.reference
    before = np.abs(cast.astype(float) - img).mean()
    after = np.abs(s.pixels.astype(float) - img).mean()
    assert after < 0.35 * before


def test_vignetting_is_divided_out():
    img = field()
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    r2 = ((yy - h / 2) ** 2 + (xx - w / 2) ** 2) / (h / 2) ** 2
    dark = (img * (1 - 0.3 * np.clip(r2 / 2, 0, 1))[..., None]).astype(np.uint8)
    s = standardise(dark, [ref_of(img)])
    assert s.applied and "illumination" in s.note
    corner, centre = s.pixels[:6, :6].astype(float).mean(), s.pixels[110:116, 60:66].astype(float).mean()
    assert abs(corner - centre) < 12  # both plasma: close after, ~70 levels apart before


def test_no_plasma_no_change():
    img = np.full((100, 100, 3), 60, np.uint8)
    s = standardise(img, [ref_of(field())])
    assert not s.applied and np.array_equal(s.pixels, img)


def test_shipped_references_load():
    refs = load_references()
    assert {r.name for r in refs} == {"cellavision", "pbc"}
    assert all(r.rbc_od.shape == (3,) and np.all(r.rbc_od > 0) for r in refs)


def test_the_fitted_map_applies_at_any_size_for_the_one_pass_plug():
    from wbc_desktop.core.imaging.standardise import ColourMap

    img = field()
    cast = np.clip(img * np.array([1.0, 0.8, 1.05]), 0, 255).astype(np.uint8)
    s = standardise(cast, [ref_of(img)])
    assert isinstance(s.map, ColourMap) and np.array_equal(s.map.apply(cast), s.pixels)
    half = s.map.apply(cast[::2, ::2])
    assert half.shape == (120, 120, 3) and np.abs(half.astype(int) - s.pixels[::2, ::2]).mean() < 2
