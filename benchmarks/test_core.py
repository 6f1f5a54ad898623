"""The core's speed, as a user's machine sees it: one 300x300 crop, one sample field, cells, tables.

The targets the README quotes are printed by ``wbc-desktop bench``; these are its pieces under
pytest-benchmark, so a slowdown shows as a figure, not as a failed unit test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wbc_desktop.cli.bench import _crops
from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.export.tables import cell_rows, summary_rows
from wbc_desktop.core.io.images import read_image, read_mask
from wbc_desktop.core.io.paths import samples_dir

FIX = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def test_stain_jitter_training_crop(benchmark):
    """HED stain jitter on a 128x128 training crop (was a wall-clock assert in tests/core/imaging)."""
    import numpy as np

    from wbc_desktop.core.imaging.stain import hed_jitter

    crop = np.ascontiguousarray(read_image(samples_dir() / "smear_field_bccd_00010.jpg").pixels[:128, :128])
    rng = np.random.default_rng(0)
    out = benchmark(hed_jitter, crop, rng, sigma=0.2, bias=0.03)
    assert out.shape == crop.shape


def test_find_cells_300x300(benchmark):
    """Class map -> cells on a CellaVision crop (was a wall-clock assert in tests/core/cells)."""
    cm = read_mask(FIX / "cellavision" / "masks" / "004.png")
    inst, cells = benchmark(find_cells, cm, scale=0.3)
    assert len(cells) >= 1


@pytest.fixture(scope="module")
def segmenter():
    from wbc_desktop.core.segmentation.segmenter import Segmenter

    return Segmenter.load("default", device="cpu")


@pytest.fixture(scope="module")
def pipeline():
    from wbc_desktop.core.pipeline import Pipeline

    return Pipeline.load("default", "default", device="cpu")


def test_segment_crop_300(benchmark, segmenter):
    """The segmenter on one 300x300 crop (``wbc-desktop bench``'s crop_300)."""
    crop = _crops(None)[0]
    segmenter.segment(crop)  # warm-up
    r = benchmark(segmenter.segment, crop)
    benchmark.extra_info.update({k: round(v, 2) for k, v in r.timings_ms.items()})


def test_analyze_sample_field(benchmark, pipeline):
    """Whole ``analyze`` of the bundled 640x480 BCCD field: segment, cells, types."""
    img = read_image(samples_dir() / "smear_field_bccd_00010.jpg")
    pipeline.analyze(img)
    a = benchmark.pedantic(pipeline.analyze, args=(img,), rounds=5, iterations=1)
    benchmark.extra_info["cells"] = len(a.cells)
    assert a.cells


def test_tables_of_a_batch(benchmark, pipeline):
    """cells.csv and summary.csv rows for 200 analysed fields (a long batch's table work)."""
    a = pipeline.analyze(read_image(samples_dir() / "smear_field_bccd_00010.jpg"))
    batch = [a] * 200
    rows = benchmark(lambda: (cell_rows(batch), summary_rows(batch)))
    assert len(rows[0]) == 200 * len(a.cells)
