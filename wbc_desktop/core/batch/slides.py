"""A whole-slide image analysed as overlapping tiles, each a task, merged into one image's outputs.

The slide is cut into a grid of *core* squares; each task analyses its core plus a *halo* of
context on every side, and keeps only the cells whose centroid lies in its core. Every cell has
one centroid, so a cell on a seam is counted once, by exactly one tile, and (with a halo wider
than a cell) is seen whole by that tile. The scale is chosen once per slide (from a central
window, or the pixel size, or ``--scale``) so that every tile sees the same model scale.
Outputs: the usual table rows (slide coordinates, cell ids in tile order) and
``masks/<stem>.tif``, a tiled 0/128/255 TIFF written tile by tile in grid order.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterator

import numpy as np

from wbc_desktop.core.batch.job import BatchSettings, pipeline
from wbc_desktop.core.errors import InputError
from wbc_desktop.core.export.layout import mask_file
from wbc_desktop.core.io.atomic import sha256_file

from wbc_desktop.core.io.tiles import Box, SeamGuard, grid, window_of  # noqa: F401 (re-exported)


def plan_slide(path: str, settings: BatchSettings) -> dict:
    """Size, pixel size and the one scale every tile uses (a task: it needs the models)."""
    from wbc_desktop.core.io.slides import read_window, slide_info

    info = slide_info(path)
    if info is None:
        raise InputError(f"{Path(path).name}: not a TIFF slide")
    pixel = settings.pixel_size or info.pixel_size_um
    if settings.scale:
        scale, how = settings.scale, f"scale {settings.scale:g} given"
    else:
        side = min(2 * settings.tile, info.width, info.height)
        x0, y0 = (info.width - side) // 2, (info.height - side) // 2
        centre = read_window(path, x0, y0, x0 + side, y0 + side)
        scale, how = pipeline(settings).segmenter.choose_scale(centre, pixel, None)
    return {"width": info.width, "height": info.height, "scale": float(scale), "how": how, "pixel_size": pixel}


def analyze_tile(path: str, box: Box, plan: dict, settings: BatchSettings) -> dict:
    """One tile: its core's class map and the cells whose centroid is in its core (slide coordinates)."""
    from wbc_desktop.core.io.images import ImageData
    from wbc_desktop.core.io.slides import read_window
    from wbc_desktop.core.export.tables import cell_rows

    wx0, wy0, wx1, wy1 = window_of(box, settings.halo, plan["width"], plan["height"])
    x0, y0, x1, y1 = box
    img = ImageData(read_window(path, wx0, wy0, wx1, wy1), Path(path))
    a = pipeline(settings).analyze(img, scale=plan["scale"])
    kept = []
    for c in a.cells:
        cx, cy = c.centroid[0] + wx0, c.centroid[1] + wy0
        if x0 <= cx < x1 and y0 <= cy < y1:
            bx0, by0, bx1, by1 = c.bbox
            kept.append(dataclasses.replace(c, bbox=(bx0 + wx0, by0 + wy0, bx1 + wx0, by1 + wy0), centroid=(cx, cy)))
    core = np.ascontiguousarray(a.class_map[y0 - wy0:y1 - wy0, x0 - wx0:x1 - wx0])
    # cell_rows reads only a record's image_name and cells: the kept cells, in slide coordinates
    rows = cell_rows([SimpleNamespace(image_name=Path(path).name, cells=kept)])  # type: ignore[list-item]
    return {"box": box, "core": core, "cells": rows,
            "ms": float(a.timings_ms.get("total", 0.0)),
            "fields": {k: getattr(a, k, None) for k in ("scale_method", "scale_confidence", "familiarity", "warning")}}


def _tiles(path: str, boxes: list[Box], plan: dict, settings: BatchSettings, client, ahead: int) -> Iterator[dict]:
    """Tile results in grid order, computed here or as cluster tasks ``ahead`` of the one awaited."""
    if client is None:
        for b in boxes:
            yield analyze_tile(path, b, plan, settings)
        return
    from collections import deque

    queue: deque = deque()
    it = iter(boxes)

    def submit() -> None:
        b = next(it, None)
        if b is not None:
            queue.append(client.submit(analyze_tile, path, b, plan, settings, pure=False,
                                       key=f"wbc-tile-{Path(path).name}-{b[0]}-{b[1]}"))
    for _ in range(ahead):
        submit()
    while queue:
        fut = queue.popleft()
        try:
            res = fut.result()
        finally:
            fut.release()
        submit()
        yield res


def run_slide(path: Path, out: Path, settings: BatchSettings, client=None, ahead: int = 4,
              tick: Callable[[int, int], None] = lambda done, total: None) -> dict:
    """Analyse a slide tile by tile; write its tiled mask; return its result (rows, no pixels)."""
    import tifffile

    from wbc_desktop.core.io.images import MASK_LEVELS

    plan = plan_slide(str(path), settings) if client is None else client.submit(
        plan_slide, str(path), settings, pure=False).result()
    w, h, core = plan["width"], plan["height"], settings.tile
    boxes = grid(w, h, core)
    rows: list[dict] = []
    totals: dict[str, int] = {}
    state: dict[str, Any] = {"ms": 0.0, "fields": {}}
    levels = MASK_LEVELS.astype(np.uint8)
    seams = SeamGuard(core)

    def mask_tiles() -> Iterator[np.ndarray]:
        for k, t in enumerate(_tiles(str(path), boxes, plan, settings, client, ahead)):
            for r in seams.unique(t["box"], t["cells"]):
                r["cell_id"] = len(rows) + 1
                rows.append(r)
                if not int(r["touches_border"]):
                    totals[r["cell_type"]] = totals.get(r["cell_type"], 0) + 1
            state["ms"] += t["ms"]
            state["fields"] = state["fields"] or t["fields"]
            tile = np.zeros((core, core), np.uint8)  # TIFF tiles are whole squares; the edge is padded
            c = t["core"]
            tile[:c.shape[0], :c.shape[1]] = levels[np.clip(c, 0, 2)]
            tick(k + 1, len(boxes))
            yield tile

    rel = mask_file(path.stem, ".tif")
    dest = out / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    try:
        tifffile.imwrite(tmp, mask_tiles(), shape=(h, w), dtype=np.uint8, tile=(core, core), bigtiff=True,
                         photometric="minisblack", compression="zlib")
        digest = sha256_file(Path(tmp))
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    f = state["fields"]
    image = {"image": path.name, "width": w, "height": h, "scale": f"{plan['scale']:.4f}",
             "scale_method": f.get("scale_method") or "", "scale_confidence": f"{f.get('scale_confidence') or 0.0:.2f}",
             "familiarity": "" if f.get("familiarity") is None else f"{f['familiarity']:.3f}", "n_cells": len(rows),
             "warning": f.get("warning") or ""}
    return {"path": str(path), "error": "", "written": {rel: digest}, "cells": rows, "image": image,
            "counts": totals, "notes": [plan["how"], f"whole-slide image: {len(boxes)} tiles of {core} px"],
            "n_cells": len(rows), "ms": state["ms"]}
