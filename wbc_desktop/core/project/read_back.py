"""Reading an image's stored analysis back from a project folder (masks, cell ids, cells.csv rows).

Why apart from ``project.py``: reopening has its own rules (the person's masks over the model's,
cell ids kept only when they are the ids of ``cells.csv``, a damaged doubt map only loses its
overlay), and the project class stays about the project's life cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import numpy as np
from PIL import Image

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.io.images import read_mask
from wbc_desktop.core.project import cells_table
from wbc_desktop.core.project.manifest import ProjectImage
from wbc_desktop.core.project.recovery import read_instances

if TYPE_CHECKING:
    from wbc_desktop.core.project.project import Project


def read_analysis(project: "Project", im: ProjectImage) -> Optional[Analysis]:
    """The stored analysis of ``im`` (not open in this session); ``None`` if never analysed."""
    from wbc_desktop.core.project.project import DOUBT_DIR, INSTANCES_DIR, MASKS_DIR, MODEL_DIR, MODEL_INSTANCES_DIR

    png, rows = project._png, project.rows
    edited = png(MASKS_DIR, im)
    src = edited if edited.is_file() else png(MODEL_DIR, im)
    if not src.is_file():
        return None
    cm = read_mask(src, tuple(im.size) if im.size else None)
    inst = None
    ip = png(INSTANCES_DIR, im)
    if edited.is_file() and ip.is_file():
        inst = read_instances(ip, cm.shape)
    elif not edited.is_file() and png(MODEL_INSTANCES_DIR, im).is_file():
        inst = read_instances(png(MODEL_INSTANCES_DIR, im), cm.shape)
        if inst is not None and sorted(set(np.unique(inst).tolist()) - {0}) != \
                sorted(int(r["cell_id"]) for r in rows.get(im.key, [])):
            inst = None  # not the cells of cells.csv: find them again
    cells = cells_table.cells_from_rows(rows.get(im.key, []))
    if inst is None:
        inst, found = find_cells(cm, scale=im.scale)
        if [c.cell_id for c in found] != [c.cell_id for c in cells]:
            cells = found  # no usable rows: geometry from the mask, types to be redone
    a = Analysis(image_name=im.name or im.key, shape=cm.shape, class_map=cm, instances=inst.astype(np.int32),
                 cells=cells, scale=im.scale, models=dict(im.models), scale_method=im.scale_method,
                 scale_confidence=im.scale_confidence, familiarity=im.familiarity, warning=im.warning)
    dp = png(DOUBT_DIR, im)
    if dp.is_file():
        try:
            u = np.asarray(Image.open(dp).convert("L"))
            a.uncertainty = u if u.shape == cm.shape else None
        except OSError:  # a damaged doubt map only loses the overlay
            pass
    return a
