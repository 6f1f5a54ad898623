"""A synthetic tiled BigTIFF: analysed in overlapping tiles, seam cells counted once, never read whole."""

import numpy as np
import pytest
import tifffile

from wbc_desktop.core.batch import slides as slides_mod
from wbc_desktop.core.batch.job import BatchSettings
from wbc_desktop.core.batch.runner import run_batch
from wbc_desktop.core.io import slides as io_slides
from wbc_desktop.core.io.images import ImageData, MAX_PIXELS, read_image
from wbc_desktop.core.pipeline import Pipeline

CORE, HALO = 768, 256


def _make_slide(path, fixtures):
    """2304x2048 px, TIFF tiles of 256: one cell centred on each vertical and horizontal seam, one inside."""
    cell = read_image(fixtures / "cellavision" / "images" / "002.png").pixels[40:260, 40:260]
    img = np.empty((2048, 2304, 3), np.uint8)
    img[:] = np.median(read_image(fixtures / "cellavision" / "images" / "002.png").pixels[:20].reshape(-1, 3), 0)
    centres = [(CORE, 300), (2 * CORE, 1100), (400, CORE), (1500, 2 * CORE), (CORE, CORE), (1150, 380)]
    for cx, cy in centres:
        img[cy - 110:cy + 110, cx - 110:cx + 110] = cell
    tifffile.imwrite(path, img, bigtiff=True, tile=(256, 256), photometric="rgb", compression="zlib")
    return img, centres


@pytest.mark.slow
def test_seam_cells_are_counted_once_and_the_plane_is_never_read_whole(tmp_path, fixtures, monkeypatch):
    path = tmp_path / "slide.tif"
    img, centres = _make_slide(path, fixtures)
    settings = BatchSettings(classifier=None, scale=0.5, tile=CORE, halo=HALO)
    assert settings.is_slide(path)
    windows = []
    real_read = io_slides.read_window

    def spy(p, x0, y0, x1, y1, level=0):
        windows.append((x1 - x0) * (y1 - y0))
        return real_read(p, x0, y0, x1, y1, level)

    def refuse(*a, **k):
        raise AssertionError("the whole plane was read")
    monkeypatch.setattr(io_slides, "read_window", spy)
    monkeypatch.setattr(tifffile.TiffPage, "asarray", refuse)
    out = tmp_path / "out"
    rep = run_batch([path], out, settings, say=lambda s: None)
    monkeypatch.undo()
    assert rep.analysed == 1 and rep.failed == 0
    assert windows and max(windows) <= (CORE + 2 * HALO) ** 2 < img.shape[0] * img.shape[1] / 2
    rows = [r.split(",") for r in (out / "cells.csv").read_text().splitlines()[1:]]
    found = [(float(r[6]), float(r[7])) for r in rows if r[8] != "platelet"]
    # the same image analysed in one go, at the same scale: the same cells, none twice
    whole = Pipeline.load("default", None).analyze(ImageData(img, path), scale=0.5)
    once = [c.centroid for c in whole.cells]
    assert len(rows) == len(whole.cells) and [r[1] for r in rows] == [str(k) for k in range(1, len(rows) + 1)]
    for cx, cy in centres:
        near = [f for f in found if abs(f[0] - cx) < 60 and abs(f[1] - cy) < 60]
        assert len(near) == 1, (cx, cy, found)
    for c in once:
        assert min(abs(c[0] - f[0]) + abs(c[1] - f[1]) for f in [(float(r[6]), float(r[7])) for r in rows]) < 25  # cells ~190 px
    mask = tifffile.imread(out / "masks" / "slide.tif")
    assert mask.shape == img.shape[:2] and set(np.unique(mask)) <= {0, 128, 255}
    assert (mask[300 - 5:300 + 5, CORE - 5:CORE + 5] > 0).any()  # the seam cell is in the mask
    assert len((out / "images.csv").read_text().splitlines()) == 2
    # a rerun trusts the checked record
    assert run_batch([path], out, settings, say=lambda s: None).resumed == 1


def test_tiffs_over_the_single_read_limit_take_the_tile_path(tmp_path):
    side = int(MAX_PIXELS ** 0.5) + 512
    side -= side % 512
    p = tmp_path / "huge.tif"
    tile = np.full((512, 512, 3), 255, np.uint8)
    n = (side // 512) ** 2
    tifffile.imwrite(p, (tile for _ in range(n)), shape=(side, side, 3), dtype=np.uint8, tile=(512, 512),
                     photometric="rgb", compression="zlib", bigtiff=True)
    assert side * side > MAX_PIXELS and BatchSettings().is_slide(p)
    assert io_slides.read_window(p, side - 100, side - 50, side, side).shape == (50, 100, 3)
    assert slides_mod.grid(5000, 3000, 2048)[-1] == (4096, 2048, 5000, 3000)

