"""Red-cell scale estimate: equivariance, graceful failure, factor priorities."""

from __future__ import annotations

import glob
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from wbc_desktop.core.imaging.rbc_size import INSCRIBED_TO_CONSENSUS, estimate_rbc_size
from wbc_desktop.core.imaging.scale import MAX_FACTOR, estimate_rbc_diameter, scale_factor

FIX = Path(__file__).resolve().parents[2] / "fixtures"
SHARED = Path(os.environ.get("WBC_DATA", Path(__file__).resolve().parents[4] / "shared" / "data"))


def load(p) -> np.ndarray:
    return np.asarray(Image.open(p).convert("RGB"))


def resize(a: np.ndarray, s: float) -> np.ndarray:
    h, w = a.shape[:2]
    return np.asarray(Image.fromarray(a).resize((round(w * s), round(h * s)), Image.LANCZOS))


@pytest.mark.parametrize("path", ["cellavision/images/002.png", "bccd/BloodImage_00000.jpg"])
def test_half_size_gives_half_diameter(path):
    a = load(FIX / path)
    full = estimate_rbc_diameter(a)
    half = estimate_rbc_diameter(resize(a, 0.5))
    assert full.ok and half.ok, (full, half)
    assert abs(half.diameter_px / (0.5 * full.diameter_px) - 1) < 0.15


def test_field_estimate_is_a_red_cell():
    # The fixture field's uncut VOC RBC boxes are ~100 px; a red cell is not a speck nor a WBC.
    e = estimate_rbc_diameter(load(FIX / "bccd/BloodImage_00000.jpg"))
    assert 50 < e.diameter_px < 150 and e.n_measured >= 3


@pytest.mark.parametrize("value", [0, 128, 255])
def test_uniform_image_is_none(value):
    e = estimate_rbc_diameter(np.full((200, 300, 3), value, np.uint8))
    assert e.diameter_px is None and not e.ok and e.method


def test_noise_image_is_not_trusted():
    rng = np.random.default_rng(0)
    e = estimate_rbc_diameter(rng.integers(0, 256, (240, 320, 3), dtype=np.uint8))
    assert not e.ok


def test_grayscale_input():
    a = load(FIX / "cellavision/images/002.png")
    gray = np.asarray(Image.fromarray(a).convert("L"))
    eg, ec = estimate_rbc_diameter(gray), estimate_rbc_diameter(a)
    assert eg.diameter_px is not None and ec.diameter_px is not None
    assert abs(eg.diameter_px / ec.diameter_px - 1) < 0.25


def test_scale_factor_priorities(monkeypatch):
    monkeypatch.setenv("WBC_FIRST_CONTACT", "1")  # the consensus ruler (off by default: its cost)
    a = load(FIX / "bccd/BloodImage_00000.jpg")
    f, note = scale_factor(a, 40.0, override=0.5)
    assert f == 0.5 and "user" in note
    f, note = scale_factor(a, 40.0, pixel_size_um=0.2, model_pixel_size_um=0.1)
    assert f == pytest.approx(2.0) and "pixel size" in note
    est = estimate_rbc_size(a)  # the consensus ruler, the anchor converted to its units
    f, note = scale_factor(a, 40.0)
    assert f == pytest.approx(40.0 * INSCRIBED_TO_CONSENSUS / est.diameter_px) and "red cells" in note
    f, note = scale_factor(np.full((100, 100, 3), 200, np.uint8), 40.0)
    assert f == 1.0 and "assumed" in note
    f, note = scale_factor(a, 40.0, override=1e6)
    assert f == MAX_FACTOR and "clamped" in note


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "pbc").is_dir(), reason="needs ../shared/data")
def test_pbc_and_cellavision_agree_roughly():
    # Both are CellaVision crops of similar magnification: medians should be within 30 %.
    cv = [estimate_rbc_diameter(load(p)) for p in sorted(glob.glob(str(SHARED / "wbc-seg-cellavision/images/*.png")))[:20]]
    pbc = [estimate_rbc_diameter(load(p)) for p in sorted(glob.glob(str(SHARED / "pbc/neutrophil/*.jpg")))[:20]]
    m1 = np.median([e.diameter_px for e in cv if e.ok])
    m2 = np.median([e.diameter_px for e in pbc if e.ok])
    assert 0.7 < m1 / m2 < 1.3


@pytest.mark.parametrize("diameter", [20, 40, 80])
def test_known_diameter_on_synthetic_discs(diameter):
    # Overlapping pink discs of known size on pale plasma, as in a thick part of a smear.
    rng = np.random.default_rng(diameter)
    img = np.full((600, 800, 3), (235, 225, 215), np.uint8)
    yy, xx = np.mgrid[:600, :800]
    for cy, cx in rng.uniform((0, 0), (600, 800), size=(40, 2)):
        img[(yy - cy) ** 2 + (xx - cx) ** 2 < (diameter / 2) ** 2] = (200, 130, 140)
    e = estimate_rbc_diameter(img)
    assert e.ok and abs(e.diameter_px / diameter - 1) < 0.1, e


def test_float_input_like_uint8():
    a = load(FIX / "cellavision/images/002.png")
    e8, ef = estimate_rbc_diameter(a), estimate_rbc_diameter(a.astype(np.float32) / 255.0)
    assert e8.diameter_px is not None and ef.diameter_px == pytest.approx(e8.diameter_px, rel=0.02)


def test_the_consensus_ruler_is_off_unless_asked(monkeypatch):
    """Off by default (it made analyze 3.3x slower); WBC_FIRST_CONTACT=1 turns it on."""
    from wbc_desktop.core.imaging.scale import consensus_ruler

    monkeypatch.delenv("WBC_FIRST_CONTACT", raising=False)
    assert not consensus_ruler()
    a = load(FIX / "bccd/BloodImage_00000.jpg")
    est = estimate_rbc_diameter(a)
    f, note = scale_factor(a, 40.0)
    assert f == pytest.approx(40.0 / est.diameter_px) and "red cells" in note
    monkeypatch.setenv("WBC_FIRST_CONTACT", "1")
    assert consensus_ruler()
