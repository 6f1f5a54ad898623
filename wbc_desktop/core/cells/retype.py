"""What the model process needs to retype cells after a mask edit, cut small enough to send.

A retype runs in the model process while the person keeps painting, so the request is a
snapshot taken in the window's thread: the cells' own box of the class map and instances (a
cell's crop depends only on its own pixels and the image's RGB), plus copies of the cells. The
image's RGB is sent once per image and cached by the model process (it never changes when masks
are edited), so a retype sends kilobytes, not the whole field.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from wbc_desktop.core.analysis import Analysis, Cell

TYPE_FIELDS = ("cell_type", "confidence", "top3", "predicted_type", "embedding", "doubt")  # embedding: core.lab.prototypes; doubt: core.cells.type_doubt


@dataclass
class RetypeRequest:
    """The cells to retype with their pixels' box of the masks (y0, y1, x0, x1)."""

    shape: tuple[int, int]
    box: tuple[int, int, int, int]
    class_map: np.ndarray
    instances: np.ndarray
    cells: list[Cell]
    scale: float = 1.0
    image_name: str = "image"
    tag: object = None  # the asker's bookkeeping (entry, mask version); never read by the model side
    models: dict = field(default_factory=dict)
    familiarity: Optional[float] = None  # core.imaging.familiarity: unfamiliar images are typed as at analysis
    standardisation: str = ""  # core.imaging.standardise: a standardised image is retyped in the same colours

    @property
    def cell_ids(self) -> list[int]:
        return [c.cell_id for c in self.cells]

    def to_analysis(self) -> Analysis:
        """A full-size analysis holding only these cells (zeros elsewhere; calloc'd, so cheap)."""
        H, W = self.shape
        y0, y1, x0, x1 = self.box
        cm = np.zeros((H, W), np.uint8)
        inst = np.zeros((H, W), np.int32)
        cm[y0:y1, x0:x1] = self.class_map
        inst[y0:y1, x0:x1] = self.instances
        return Analysis(self.image_name, (H, W), cm, inst, [copy.copy(c) for c in self.cells], scale=self.scale,
                        familiarity=self.familiarity, standardisation=self.standardisation)


def make_request(analysis: Analysis, cell_ids: list[int], tag: object = None) -> Optional[RetypeRequest]:
    """Snapshot ``cell_ids`` of ``analysis`` (those still present); ``None`` when none is."""
    want = set(int(i) for i in cell_ids)
    cells = [copy.copy(c) for c in analysis.cells if c.cell_id in want]
    if not cells:
        return None
    H, W = analysis.class_map.shape
    x0 = max(0, min(c.bbox[0] for c in cells))
    y0 = max(0, min(c.bbox[1] for c in cells))
    x1 = min(W, max(c.bbox[2] for c in cells))
    y1 = min(H, max(c.bbox[3] for c in cells))
    inst = analysis.instances[y0:y1, x0:x1]
    keep = np.isin(inst, [c.cell_id for c in cells])
    return RetypeRequest((H, W), (y0, y1, x0, x1), np.where(keep, analysis.class_map[y0:y1, x0:x1], 0).astype(np.uint8),
                         np.where(keep, inst, 0).astype(np.int32), cells, float(analysis.scale or 1.0),
                         analysis.image_name, tag, familiarity=getattr(analysis, "familiarity", None),
                         standardisation=getattr(analysis, "standardisation", ""))


def type_fields(cell: Cell) -> dict:
    """The classifier's decision for one cell, as sent back to the window."""
    return {f: copy.copy(getattr(cell, f)) for f in TYPE_FIELDS}


def apply_types(analysis: Analysis, results: dict[int, dict]) -> list[int]:
    """Put retype results on the cells still present; a person's ``reviewed_type`` is never touched.

    Returns the ids updated."""
    done = []
    for c in analysis.cells:
        r = results.get(c.cell_id)
        if r is None:
            continue
        for f in TYPE_FIELDS:
            if f in r:
                setattr(c, f, r[f])
        done.append(c.cell_id)
    return done
