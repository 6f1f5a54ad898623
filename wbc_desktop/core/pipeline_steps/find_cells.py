"""Step 3: one instance per white blood cell in the class map (``core.cells.instances``)."""

from __future__ import annotations

import time

import numpy as np

from wbc_desktop.core.analysis import Cell
from wbc_desktop.core.cells.instances import find_cells


def find(class_map: np.ndarray, scale: float, timings: dict[str, float]) -> tuple[np.ndarray, list[Cell]]:
    t = time.perf_counter()
    instances, cells = find_cells(class_map, scale=scale)
    timings["cells"] = timings.get("cells", 0.0) + (time.perf_counter() - t) * 1e3
    return instances, cells
