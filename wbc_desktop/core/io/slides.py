"""Whole-slide and very large TIFFs (BigTIFF, OME-TIFF, SVS), read window by window.

A slide scanner's image does not fit one read; tifffile exposes its own tiling as a zarr array,
so a window reads only the tiles it touches and the whole plane is never in memory. Which
files take this path: any TIFF over the single-read limit (``images.MAX_PIXELS``), and tiled
TIFFs larger than a few analysis tiles (see ``core.batch.slides``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from wbc_desktop.core.errors import InputError
from wbc_desktop.core.io.images import MAX_PIXELS, PathLike, _tiff_pixel_size, to_rgb8

TIFF_SUFFIXES = (".tif", ".tiff", ".svs", ".btf", ".tf8")


@dataclass(frozen=True)
class SlideInfo:
    """Level 0's size, every pyramid level's size, the pixel size and whether the file is tiled."""

    width: int
    height: int
    levels: tuple[tuple[int, int], ...]  # (width, height) per level, level 0 first
    tiled: bool
    pixel_size_um: Optional[float]

    @property
    def pixels(self) -> int:
        return self.width * self.height


def _yx(series_or_level) -> tuple[int, int]:
    axes, shape = series_or_level.axes, series_or_level.shape
    return shape[axes.index("Y")], shape[axes.index("X")]


def slide_info(path: PathLike) -> Optional[SlideInfo]:
    """What a TIFF holds, from its header only; None when the file is not a TIFF."""
    p = Path(path)
    if p.suffix.lower() not in TIFF_SUFFIXES:
        return None
    import tifffile

    try:
        with tifffile.TiffFile(p) as tif:
            s = tif.series[0]
            levels = tuple((x, y) for y, x in (_yx(lv) for lv in s.levels))
            page = s.pages[0] if s.pages else tif.pages[0]
            assert isinstance(page, tifffile.TiffPage)  # a frame or nothing: not a slide (caught below)
            return SlideInfo(levels[0][0], levels[0][1], levels, bool(page.is_tiled), _tiff_pixel_size(page))
    except Exception:  # not a TIFF it can read: the ordinary reader gives the one-line error
        return None


def is_slide(path: PathLike, tiled_min_px: int) -> bool:
    """True for TIFFs analysed in tiles: over the single-read limit, or tiled and over ``tiled_min_px``."""
    info = slide_info(path)
    return info is not None and (info.pixels > MAX_PIXELS or (info.tiled and info.pixels > tiled_min_px))


def read_window(path: PathLike, x0: int, y0: int, x1: int, y1: int, level: int = 0) -> np.ndarray:
    """RGB uint8 pixels of ``[y0:y1, x0:x1]`` at ``level``, reading only the tiles it touches."""
    import tifffile
    import zarr

    p = Path(path)
    try:
        with tifffile.TiffFile(p) as tif:
            s = tif.series[0]
            z = zarr.open(s.aszarr(level=level), mode="r")
            axes = s.levels[level].axes
            index = tuple(slice(y0, y1) if a == "Y" else slice(x0, x1) if a == "X" else
                          slice(None) if a in "SC" else 0 for a in axes)
            arr = np.asarray(z[index])  # type: ignore[index]  # zarr types the opened store as a Group; it is one array
    except Exception as e:
        raise InputError(f"{p.name}: cannot read the window {x0},{y0}-{x1},{y1} ({str(e).splitlines()[0] if str(e) else type(e).__name__})") from None
    kept = [a for a in axes if a in "YXSC"]
    if "C" in kept and "S" not in kept:
        arr = np.moveaxis(arr, kept.index("C"), -1)  # planar channels (OME-TIFF CYX) last
    return to_rgb8(arr, [])


OVERVIEW_SIDE = 2048  # the app shows a slide at most this many pixels a side
_STRIP_PX = 512  # level-0 rows read at once when the file has no small enough pyramid level


def read_overview(path: PathLike, max_side: int = OVERVIEW_SIDE) -> tuple[np.ndarray, float]:
    """A picture of the whole slide at most ``max_side`` a side, and its factor (overview px per
    slide px). From the largest pyramid level that fits when the file has one; else level 0 read in
    strips and subsampled, so memory stays a strip's, never the plane's."""
    info = slide_info(path)
    if info is None:
        raise InputError(f"{Path(path).name}: not a TIFF slide")
    for level, (w, h) in enumerate(info.levels):
        if max(w, h) <= max_side:
            return read_window(path, 0, 0, w, h, level), w / info.width
    step = int(np.ceil(max(info.width, info.height) / max_side))
    chunk = step * int(np.ceil(_STRIP_PX / step))  # a multiple of the step: rows stay evenly spaced
    rows = []
    for y0 in range(0, info.height, chunk):
        strip = read_window(path, 0, y0, info.width, min(info.height, y0 + chunk))
        rows.append(strip[::step, ::step])
    out = np.ascontiguousarray(np.concatenate(rows, 0))
    return out, out.shape[1] / info.width
