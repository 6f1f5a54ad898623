"""A whole-slide image analysed in tiles for the app: one Analysis on the slide's overview picture.

The app cannot hold a 50k x 50k plane, so it shows the slide's overview (``io.slides.read_overview``)
and this module analyses the slide at full resolution tile by tile (the batch's geometry,
``io.tiles``: cores with a halo, a cell kept by the tile whose core holds its centroid, seam cells
checked once more), then maps each tile's masks and cells onto the overview. The cells keep their
full-resolution areas (and N:C ratio); their gallery crops are cut at full resolution, so a person
reviews real cells, not overview pixels. ``partial`` is called after each tile with the result so
far (a copy), so the gallery can fill as tiles finish.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.io.images import ImageData
from wbc_desktop.core.io.slides import read_window, slide_info
from wbc_desktop.core.io.tiles import HALO, TILE, SeamGuard, grid, window_of
from wbc_desktop.core.progress import ProgressFn, check_cancel, no_progress

CROP_SIDE = 128  # full-resolution crops sent to the gallery are at most this many px a side


@dataclass
class SlideResult:
    """The slide's analysis on overview coordinates, and full-resolution crops of its cells."""

    analysis: Analysis
    crops: dict[int, np.ndarray] = field(default_factory=dict)  # cell id -> RGB crop around the cell
    tiles_done: int = 0
    tiles: int = 0

    def snapshot(self) -> "SlideResult":
        """A copy that later tiles do not change (the app draws it while the next tile runs)."""
        a = dataclasses.replace(self.analysis, class_map=self.analysis.class_map.copy(),
                                instances=self.analysis.instances.copy(),
                                cells=[dataclasses.replace(c) for c in self.analysis.cells],
                                notes=list(self.analysis.notes), timings_ms=dict(self.analysis.timings_ms))
        return SlideResult(a, dict(self.crops), self.tiles_done, self.tiles)


def _sample(core: np.ndarray, box: tuple[int, int, int, int], factor: float, shape: tuple[int, int]):
    """The part of the overview a tile's core covers, and the core sampled onto it (nearest)."""
    x0, y0, x1, y1 = box
    ox0, oy0 = int(round(x0 * factor)), int(round(y0 * factor))
    ox1, oy1 = min(shape[1], int(round(x1 * factor))), min(shape[0], int(round(y1 * factor)))
    if ox1 <= ox0 or oy1 <= oy0:
        return None
    ys = np.clip(((np.arange(oy0, oy1) + 0.5) / factor).astype(int) - y0, 0, core.shape[0] - 1)
    xs = np.clip(((np.arange(ox0, ox1) + 0.5) / factor).astype(int) - x0, 0, core.shape[1] - 1)
    return (oy0, oy1, ox0, ox1), core[ys[:, None], xs[None, :]]


def _crop(window: np.ndarray, bbox: tuple[int, int, int, int]) -> np.ndarray:
    """The cell with a quarter of its size as margin, at most CROP_SIDE a side (strided)."""
    x0, y0, x1, y1 = bbox
    m = max(x1 - x0, y1 - y0) // 4
    h, w = window.shape[:2]
    c = window[max(0, y0 - m):min(h, y1 + m), max(0, x0 - m):min(w, x1 + m)]
    step = max(1, int(np.ceil(max(c.shape[:2]) / CROP_SIDE)))
    return np.ascontiguousarray(c[::step, ::step])


def analyze_slide(pipeline, path: str | Path, shape: tuple[int, int], factor: float,
                  progress: ProgressFn = no_progress, cancel: Optional[threading.Event] = None,
                  pixel_size_um: Optional[float] = None, scale: Optional[float] = None,
                  partial: Optional[Callable[[SlideResult], None]] = None, partial_every_s: float = 0.0,
                  tile: int = TILE, halo: int = HALO) -> SlideResult:
    """Analyse ``path`` tile by tile with ``pipeline`` (a core Pipeline); ``shape``/``factor``:
    the overview the app shows (``read_overview``); ``partial`` gets a copy of the result so far
    at most every ``partial_every_s`` (a copy costs the overview's arrays). Raises Cancelled
    between tiles."""
    t0 = time.perf_counter()
    info = slide_info(path)
    if info is None:
        from wbc_desktop.core.errors import InputError

        raise InputError(f"{Path(path).name}: not a TIFF slide")
    W, H = info.width, info.height
    pixel = pixel_size_um or info.pixel_size_um
    if not scale:  # one scale for every tile, from a central window (as the batch does)
        side = min(2 * tile, W, H)
        cx0, cy0 = (W - side) // 2, (H - side) // 2
        scale, how = pipeline.segmenter.choose_scale(read_window(path, cx0, cy0, cx0 + side, cy0 + side), pixel, None)
    else:
        how = f"scale {scale:g} given"
    boxes = grid(W, H, tile)
    class_map = np.zeros(shape, np.uint8)
    instances = np.zeros(shape, np.int32)
    a = Analysis(image_name=Path(path).name, shape=(H, W), class_map=class_map, instances=instances,
                 scale=float(scale), models=pipeline.models_info(), overview_factor=float(factor),
                 notes=[how, f"whole-slide image {W}x{H}: {len(boxes)} tiles of {tile} px, shown at "
                             f"{factor:.3g}x; cell areas are at full resolution"])
    result = SlideResult(a, tiles=len(boxes))
    seams = SeamGuard(tile)
    fields_set = False
    last_partial = time.monotonic()
    for k, box in enumerate(boxes):
        check_cancel(cancel)
        progress(k, len(boxes), f"tile {k + 1}/{len(boxes)}")
        wx0, wy0, wx1, wy1 = window_of(box, halo, W, H)
        window = read_window(path, wx0, wy0, wx1, wy1)
        t = pipeline.analyze(ImageData(window, Path(path)), cancel=cancel, scale=scale)
        if not fields_set:
            a.device = t.device
            a.scale_method, a.scale_confidence, a.familiarity, a.warning = (t.scale_method, t.scale_confidence,
                                                                           t.familiarity, t.warning)
            fields_set = True
        x0, y0, x1, y1 = box
        kept = []
        for c in t.cells:
            cx, cy = c.centroid[0] + wx0, c.centroid[1] + wy0
            if x0 <= cx < x1 and y0 <= cy < y1:
                kept.append(c)
        rows = [{"x0": c.bbox[0] + wx0, "y0": c.bbox[1] + wy0, "x1": c.bbox[2] + wx0, "y1": c.bbox[3] + wy0, "cell": c}
                for c in kept]
        ids = np.zeros(int(t.instances.max()) + 1, np.int32)  # tile id -> slide id (0: not this tile's)
        for r in seams.unique(box, rows):
            c = r["cell"]
            new_id = len(a.cells) + 1
            ids[c.cell_id] = new_id
            result.crops[new_id] = _crop(window, c.bbox)
            bx0, by0, bx1, by1 = r["x0"], r["y0"], r["x1"], r["y1"]
            ob = (int(bx0 * factor), int(by0 * factor), max(int(bx0 * factor) + 1, int(np.ceil(bx1 * factor))),
                  max(int(by0 * factor) + 1, int(np.ceil(by1 * factor))))
            a.cells.append(dataclasses.replace(c, cell_id=new_id, bbox=ob,
                                               centroid=((c.centroid[0] + wx0) * factor, (c.centroid[1] + wy0) * factor)))
        core = (slice(y0 - wy0, y1 - wy0), slice(x0 - wx0, x1 - wx0))
        placed = _sample(t.class_map[core], box, factor, shape)
        if placed is not None:
            (oy0, oy1, ox0, ox1), cm = placed
            class_map[oy0:oy1, ox0:ox1] = cm
            instances[oy0:oy1, ox0:ox1] = ids[_sample(t.instances[core], box, factor, shape)[1]]
        for name, ms in t.timings_ms.items():
            a.timings_ms[name] = a.timings_ms.get(name, 0.0) + ms
        result.tiles_done = k + 1
        if partial is not None and result.tiles_done < result.tiles \
                and time.monotonic() - last_partial >= partial_every_s:
            partial(result.snapshot())
            last_partial = time.monotonic()
    progress(len(boxes), len(boxes), "slide analysed")
    a.timings_ms["total"] = (time.perf_counter() - t0) * 1e3
    return result
