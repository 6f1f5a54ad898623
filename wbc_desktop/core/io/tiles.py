"""Tile geometry for images too large for one pass: a grid of cores, each read with a halo.

Shared by the batch's whole-slide path (``core.batch.slides``) and the app's slide view
(``core.slide_view``): a cell belongs to the tile whose core holds its centroid, and
:class:`SeamGuard` drops the rare seam cell that two tiles both kept.
"""

from __future__ import annotations

TILE = 2048  # the side of a tile's core (and of a slide mask's TIFF tiles), px
HALO = 256  # context read around each core, px: wider than a cell, so a seam cell is seen whole
SLIDE_MIN_TILES = 4  # a tiled TIFF larger than this many cores is analysed as a slide, in tiles

Box = tuple[int, int, int, int]  # x0, y0, x1, y1


def grid(width: int, height: int, core: int) -> list[Box]:
    """Core squares in row-major order (the order of the mask's TIFF tiles)."""
    return [(x, y, min(x + core, width), min(y + core, height))
            for y in range(0, height, core) for x in range(0, width, core)]


def window_of(box: Box, halo: int, width: int, height: int) -> Box:
    x0, y0, x1, y1 = box
    return max(0, x0 - halo), max(0, y0 - halo), min(width, x1 + halo), min(height, y1 + halo)


def _iou(a: Box, b: Box) -> float:
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


class SeamGuard:
    """The second line of defence for seam cells.

    Two tiles see a seam cell with different context, so its outline (and centroid) can differ
    by a few pixels and both centroids may fall in their own cores. A cell whose box crosses its
    tile's core edge is compared with those kept from earlier tiles in this and the previous row
    of tiles; a box overlapping one by IoU > ``iou`` is the same cell and is dropped. Memory: the
    seam cells of two rows of tiles.
    """

    def __init__(self, core: int, iou: float = 0.3) -> None:
        self.core, self.iou = core, iou
        self.seen: list[tuple[int, Box]] = []

    def unique(self, box: Box, rows: list[dict]) -> list[dict]:
        x0, y0, x1, y1 = box
        row = y0 // self.core
        self.seen = [(r, b) for r, b in self.seen if r >= row - 1]
        kept = []
        for r in rows:
            b = (int(r["x0"]), int(r["y0"]), int(r["x1"]), int(r["y1"]))
            on_seam = b[0] < x0 or b[1] < y0 or b[2] > x1 or b[3] > y1
            if on_seam and any(_iou(b, o) > self.iou for _, o in self.seen):
                continue
            kept.append(r)
            if on_seam:
                self.seen.append((row, b))
        return kept
