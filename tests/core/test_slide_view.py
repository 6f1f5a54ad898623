"""A whole slide for the app: tiles at full resolution, one analysis on the overview, crops at full resolution."""

import threading

import numpy as np
import pytest

from wbc_desktop.core.io.slides import read_overview
from wbc_desktop.core.pipeline import Pipeline
from wbc_desktop.core.progress import Cancelled

from .batch.test_slides import CORE, HALO, _make_slide


@pytest.mark.slow
def test_slide_is_analysed_in_tiles_onto_its_overview(tmp_path, fixtures):
    path = tmp_path / "slide.tif"
    img, centres = _make_slide(path, fixtures)
    overview, factor = read_overview(path, max_side=576)
    assert max(overview.shape[:2]) <= 576 and factor == pytest.approx(overview.shape[1] / img.shape[1])
    assert np.abs(overview.astype(int) - img[::4, ::4].astype(int)).mean() < 1.0  # subsampled level 0
    pipe = Pipeline.load("default", None, device="cpu")
    seen = []
    res = pipe.analyze_slide(path, overview.shape[:2], factor, scale=0.5, tile=CORE, halo=HALO,
                             partial=lambda r: seen.append((r.tiles_done, len(r.analysis.cells))))
    a = res.analysis
    assert a.overview_factor == pytest.approx(factor) and a.class_map.shape == overview.shape[:2]
    assert [t for t, _ in seen] == list(range(1, res.tiles)) and seen[-1][1] <= len(a.cells)
    for cx, cy in centres:  # every pasted cell found once, at its place on the overview
        near = [c for c in a.cells if abs(c.centroid[0] - cx * factor) < 20 and abs(c.centroid[1] - cy * factor) < 20]
        assert len(near) == 1, (cx, cy)
        c = near[0]
        assert (a.instances == c.cell_id).any() and (a.class_map[a.instances == c.cell_id] == 2).any()
        crop = res.crops[c.cell_id]
        assert crop.ndim == 3 and max(crop.shape[:2]) <= 128 and min(crop.shape[:2]) > 40
        assert c.nucleus_area_px > 1000  # full-resolution areas, not overview pixels
    assert [c.cell_id for c in a.cells] == list(range(1, len(a.cells) + 1))


def test_cancel_stops_between_tiles(tmp_path, fixtures):
    path = tmp_path / "slide.tif"
    _make_slide(path, fixtures)
    overview, factor = read_overview(path, max_side=576)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        Pipeline.load("default", None, device="cpu").analyze_slide(path, overview.shape[:2], factor, cancel=cancel,
                                                                  scale=0.5, tile=CORE, halo=HALO)
