"""Redraw what a mask edit (applied, undone or redone) touched: fill, outlines, boxes, thumbnails.

Only the edit's box of the fill and the cells of its region are redrawn; the rest of the
display data is kept, so an edit on a 4000x3000 field costs about what the cells it touched cost.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wbc_desktop.gui.viewer.fill import image_array
from wbc_desktop.gui.viewer.prepare import _path, focus_box, thumbnail


def touched_ids(edit: Any) -> set[int]:
    """Cells present in the edit's region before or after it."""
    ch = edit.change
    if ch is None:
        return set()
    ids = set(np.unique(ch.inst_before).tolist()) | set(np.unique(ch.inst_after).tolist())
    ids.discard(0)
    return ids


def refresh_after_edit(entry: Any, edit: Any, viewer: Any) -> None:
    """Bring ``entry.display`` and the viewer's layers up to date with ``entry.analysis``."""
    from wbc_desktop.gui.viewer.contours import cell_outlines_by_cell

    a = entry.analysis
    if a is None or entry.display is None:
        return
    ids = touched_ids(edit)
    present = [c for c in a.cells if c.cell_id in ids]
    removed = ids - {c.cell_id for c in present}
    outlines = cell_outlines_by_cell(a.class_map, a.instances, present)
    paths = {cid: (_path(p["cell"]), _path(p["nucleus"])) for cid, p in outlines.items()}
    d = entry.display
    for cid in removed:
        d.cell_paths.pop(cid, None)
        d.nucleus_paths.pop(cid, None)
        d.thumbs.pop(cid, None)
    for cid, (cell, nucleus) in paths.items():
        d.cell_paths[cid], d.nucleus_paths[cid] = cell, nucleus
    pixels = entry.image.pixels
    for c in present:
        d.thumbs[c.cell_id] = thumbnail(pixels, focus_box(a, c))
    box = edit.change.box if edit.change is not None else edit.patch.box
    shown = viewer.masks._classes is not None and viewer.masks._classes is d.classes
    if not shown and d.classes is not None:  # not on screen (yet): keep its masks in step for later
        y0, y1, x0, x1 = box
        image_array(d.classes)[y0:y1, x0:x1] = a.class_map[y0:y1, x0:x1]
    if shown:
        viewer.masks.update_region(a.class_map, box)
        viewer.masks.set_outlines(paths, removed)
        viewer.boxes.selected = set(viewer.doc.selected)
        viewer.boxes.update_cells(a.cells, ids)
