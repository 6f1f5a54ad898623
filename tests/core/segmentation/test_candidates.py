"""WBC candidates: the fixture WBCs are found whole, blank images give nothing, boxes merge."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training.lib.voc import covers, read_voc_boxes
from wbc_desktop.core.segmentation.candidates import Candidate, find_candidates, merge_overlapping

FIX = Path(__file__).resolve().parents[2] / "fixtures"


def load(p) -> np.ndarray:
    return np.asarray(Image.open(p).convert("RGB"))


def wbc_boxes(xml: Path) -> list[list[int]]:
    return [[int(v) for v in b] for b in read_voc_boxes(xml, "WBC")]



def test_bccd_field_wbc_found():
    a = load(FIX / "bccd/BloodImage_00000.jpg")
    gts = wbc_boxes(FIX / "bccd/BloodImage_00000.xml")
    cands = find_candidates(a)
    assert gts and cands
    assert all(isinstance(c, Candidate) and c.nucleus_area_px > 0 for c in cands)
    for g in gts:
        assert any(covers(g, c.box) for c in cands), (g, [c.box for c in cands])
    # A field with one WBC should not flood the segmenter with crops.
    assert len(cands) <= 2


def test_bccd_field_upscaled_maps_boxes_back():
    a = load(FIX / "bccd/BloodImage_00000.jpg")
    big = np.asarray(Image.fromarray(a).resize((1920, 1440), Image.BILINEAR))
    g = [v * 3 for v in wbc_boxes(FIX / "bccd/BloodImage_00000.xml")[0]]
    cands = find_candidates(big)
    assert any(covers(g, c.box) for c in cands)
    for c in cands:
        x0, y0, x1, y1 = c.box
        assert 0 <= x0 < x1 <= 1920 and 0 <= y0 < y1 <= 1440


@pytest.mark.parametrize("stem", ["002", "088"])
def test_cellavision_centre_wbc(stem):
    a = load(FIX / f"cellavision/images/{stem}.png")
    m = np.asarray(Image.open(FIX / f"cellavision/masks/{stem}.png"))
    m = m[..., 0] if m.ndim == 3 else m
    ys, xs = np.nonzero(m > 192)
    cands = find_candidates(a)
    assert len(cands) == 1
    x0, y0, x1, y1 = cands[0].box
    assert x0 <= xs.mean() < x1 and y0 <= ys.mean() < y1
    cell = m > 64
    assert cell[y0:y1, x0:x1].sum() >= 0.95 * cell.sum()


@pytest.mark.parametrize("value", [0, 200, 255])
def test_blank_gives_nothing(value):
    assert find_candidates(np.full((480, 640, 3), value, np.uint8)) == []


def test_red_cells_only_gives_nothing():
    # Pink discs on pale plasma, no purple nucleus anywhere.
    rng = np.random.default_rng(1)
    img = np.full((480, 640, 3), (235, 225, 215), np.uint8)
    yy, xx = np.mgrid[:480, :640]
    for cy, cx in rng.uniform((0, 0), (480, 640), size=(30, 2)):
        img[(yy - cy) ** 2 + (xx - cx) ** 2 < 30**2] = (205, 135, 145)
    assert find_candidates(img) == []


def test_merge_overlapping():
    boxes = [(0, 0, 10, 10), (2, 2, 12, 12), (50, 50, 60, 60), (11, 0, 20, 10)]
    out = merge_overlapping(boxes)
    assert (0, 0, 12, 12) in out and (50, 50, 60, 60) in out and len(out) == 3
    assert merge_overlapping([]) == []
