"""Reading an image's stored analysis back from a project folder (masks, cell ids, cells.csv rows).

Why apart from ``project.py``: reopening has its own rules (the person's masks over the model's,
cell ids kept only when they are the ids of ``cells.csv``, a damaged doubt map only loses its
overlay), and the project class stays about the project's life cycle.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from PIL import Image

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.io.images import read_mask
from wbc_desktop.core.project import cells_table
from wbc_desktop.core.project.cell_ids import read_instances
from wbc_desktop.core.project.layout import ProjectLayout
from wbc_desktop.core.project.manifest import ProjectImage


def read_analysis(layout: ProjectLayout, im: ProjectImage, rows: dict[str, list[dict]]) -> Optional[Analysis]:
    """The stored analysis of ``im`` (not open in this session); ``None`` if never analysed.

    ``rows`` are the project's cell-table rows by image key (the cells' types and geometry)."""
    edited = layout.corrected_mask(im.key)
    src = edited if edited.is_file() else layout.model_mask(im.key)
    if not src.is_file():
        return None
    cm = read_mask(src, (int(im.size[0]), int(im.size[1])) if im.size else None)
    inst = None
    ip = layout.instances(im.key)
    if edited.is_file() and ip.is_file():
        inst = read_instances(ip, cm.shape)
    elif not edited.is_file() and layout.model_instances(im.key).is_file():
        inst = read_instances(layout.model_instances(im.key), cm.shape)
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
    from wbc_desktop.core.lab import embeddings as embedding_store  # lab learning: prototypes, find similar

    embedding_store.read(layout.embeddings(im.key), a.cells)
    dp = layout.doubt(im.key)
    if dp.is_file():
        try:
            u = np.asarray(Image.open(dp).convert("L"))
            a.uncertainty = u if u.shape == cm.shape else None
        except OSError:  # a damaged doubt map only loses the overlay
            pass
    return a
