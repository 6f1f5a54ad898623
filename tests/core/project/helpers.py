"""A small analysed image for the project's module tests: two cells on a 60x90 class map."""

from __future__ import annotations

import numpy as np

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.cells.instances import find_cells


def two_cells(name: str = "a.png") -> Analysis:
    cm = np.zeros((60, 90), np.uint8)
    yy, xx = np.mgrid[:60, :90]
    for cx, cy in ((22, 30), (66, 30)):
        d = (yy - cy) ** 2 + (xx - cx) ** 2
        cm[d < 15 ** 2] = 1  # cytoplasm
        cm[d < 7 ** 2] = 2  # nucleus
    inst, cells = find_cells(cm)
    for c, t in zip(cells, ("neutrophil", "lymphocyte")):
        c.cell_type, c.predicted_type, c.confidence = t, t, 0.9
        c.top3 = [(t, 0.9), ("monocyte", 0.05)]
    return Analysis(name, cm.shape, cm, inst.astype(np.int32), cells, scale=0.5,
                    models={"segmenter": {"name": "test", "version": "1"}})
