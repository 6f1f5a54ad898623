"""Cell and nucleus outlines as polygons in image coordinates (pure numpy/scikit-image, no Qt).

Vector outlines drawn with a cosmetic pen stay one screen pixel wide and crisp at any zoom,
unlike raster outlines; computed once per analysis (in the worker or on demand).
"""

from __future__ import annotations

import numpy as np


def cell_outlines(class_map: np.ndarray, instances: np.ndarray, cells) -> dict[str, list[np.ndarray]]:
    """Outlines per part: ``{"cell": [...], "nucleus": [...]}``, each an Nx2 array of (x, y).

    Works per cell box so the cost scales with the cells, not the image size.
    """
    from skimage.measure import find_contours

    out: dict[str, list[np.ndarray]] = {"cell": [], "nucleus": []}
    h, w = instances.shape
    for c in cells:
        x0, y0, x1, y1 = c.bbox
        x0, y0, x1, y1 = max(0, x0 - 1), max(0, y0 - 1), min(w, x1 + 1), min(h, y1 + 1)
        inst = instances[y0:y1, x0:x1] == c.cell_id
        nuc = inst & (class_map[y0:y1, x0:x1] == 2)
        for part, mask in (("cell", inst), ("nucleus", nuc)):
            if not mask.any():
                continue
            padded = np.pad(mask.astype(np.float32), 1)
            for poly in find_contours(padded, 0.5):
                if len(poly) < 4:
                    continue
                # (row, col) in the padded crop -> (x, y) at pixel centres in the image
                xy = np.stack([poly[:, 1] - 1 + x0 + 0.5, poly[:, 0] - 1 + y0 + 0.5], axis=1)
                out[part].append(xy.astype(np.float32))
    return out
