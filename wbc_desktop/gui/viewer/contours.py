"""Cell and nucleus outlines as polygons in image coordinates (pure numpy/scikit-image, no Qt).

Vector outlines drawn with a cosmetic pen stay one screen pixel wide and crisp at any zoom,
unlike raster outlines; computed once per analysis in the worker, with collinear points
dropped so drawing hundreds of cells stays within a frame.
"""

from __future__ import annotations

import numpy as np


def drop_collinear(poly: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Remove points lying on a straight line between their neighbours (vectorised).

    Contours of a binary mask run in straight horizontal, vertical and 45-degree pieces, so
    this keeps the exact shape with a fraction of the points (skimage's approximate_polygon
    does the same job in a slow Python loop).
    """
    closed = len(poly) > 2 and np.allclose(poly[0], poly[-1])
    p = poly[:-1] if closed else poly
    if len(p) < 4:
        return poly
    prev, nxt = np.roll(p, 1, axis=0), np.roll(p, -1, axis=0)
    a, b = p - prev, nxt - p
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    keep = np.abs(cross) > eps
    if not closed:
        keep[0] = keep[-1] = True
    out = p[keep]
    return np.vstack([out, out[:1]]) if closed and len(out) else out


def cell_outlines_by_cell(class_map: np.ndarray, instances: np.ndarray, cells) -> dict[int, dict[str, list]]:
    """``{cell_id: {"cell": [xy...], "nucleus": [xy...]}}``, each xy an Nx2 float32 (x, y) array.

    Works per cell box so the cost scales with the cells, not the image size.
    """
    from skimage.measure import find_contours

    out: dict[int, dict[str, list]] = {}
    h, w = instances.shape
    for c in cells:
        x0, y0, x1, y1 = c.bbox
        x0, y0, x1, y1 = max(0, x0 - 1), max(0, y0 - 1), min(w, x1 + 1), min(h, y1 + 1)
        inst = instances[y0:y1, x0:x1] == c.cell_id
        nuc = inst & (class_map[y0:y1, x0:x1] == 2)
        parts: dict[str, list] = {"cell": [], "nucleus": []}
        for part, mask in (("cell", inst), ("nucleus", nuc)):
            if not mask.any():
                continue
            for poly in find_contours(np.pad(mask.astype(np.float32), 1), 0.5):
                if len(poly) < 4:
                    continue
                poly = drop_collinear(poly)
                # (row, col) in the padded crop -> (x, y) in image pixels (pixel centres at +0.5)
                xy = np.stack([poly[:, 1] - 1 + x0 + 0.5, poly[:, 0] - 1 + y0 + 0.5], axis=1)
                parts[part].append(xy.astype(np.float32))
        out[c.cell_id] = parts
    return out
