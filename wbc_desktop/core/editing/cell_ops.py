"""Cell operations a person does on the mask: delete a false cell, add a missed one, split, merge,
and go back to the model's output.

Each returns a :class:`~wbc_desktop.core.editing.edits.MaskPatch`; those that decide which cell a
pixel belongs to (delete, add, split, merge) also carry the instances of the box, so the person's
decision is kept as drawn instead of re-derived by the automatic rules.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from scipy import ndimage as ndi

from wbc_desktop.core.editing.edits import (
    MaskPatch, PointsXY, bbox_of, fill_polygon, stroke_mask, values_patch,
)


def _box_of_ids(instances: np.ndarray, ids: list[int]) -> Optional[tuple[int, int, int, int]]:
    return bbox_of(np.isin(instances, ids))


def _patch(class_map: np.ndarray, instances: np.ndarray, box, new_cm: np.ndarray, new_inst: np.ndarray,
           text: str) -> Optional[MaskPatch]:
    y0, y1, x0, x1 = box
    before, ib = class_map[y0:y1, x0:x1].copy(), instances[y0:y1, x0:x1].copy()
    if np.array_equal(before, new_cm) and np.array_equal(ib, new_inst):
        return None
    return MaskPatch(box, before, new_cm, text, ib, new_inst)


def delete_cell(class_map: np.ndarray, instances: np.ndarray, cell_id: int) -> Optional[MaskPatch]:
    """A false cell: its pixels become background."""
    box = _box_of_ids(instances, [int(cell_id)])
    if box is None:
        return None
    y0, y1, x0, x1 = box
    inst = instances[y0:y1, x0:x1].copy()
    cm = class_map[y0:y1, x0:x1].copy()
    m = inst == cell_id
    cm[m], inst[m] = 0, 0
    return _patch(class_map, instances, box, cm, inst, f"delete cell {cell_id}")


def next_cell_id(instances: np.ndarray) -> int:
    return int(instances.max()) + 1 if instances.size else 1


def add_cell(class_map: np.ndarray, nucleus_polygon_xy: PointsXY, grow_px: Optional[float] = None,
             instances: Optional[np.ndarray] = None) -> Optional[MaskPatch]:
    """A missed cell: the drawn nucleus, with a cytoplasm ring of ``grow_px`` grown over background only.

    ``grow_px`` defaults to 0.6 x the nucleus' equivalent radius (a typical WBC's cytoplasm
    rim). With ``instances`` the new cell gets the next free id in the patch.
    """
    nuc = fill_polygon(class_map, nucleus_polygon_xy, 2)
    pts = np.asarray(nucleus_polygon_xy, float).reshape(-1, 2)
    if len(pts) < 3:
        return None
    from skimage.draw import polygon as draw_polygon

    rr, cc = draw_polygon(pts[:, 1], pts[:, 0], shape=class_map.shape)
    if not len(rr) or (nuc is None and instances is None):
        return nuc
    area = len(rr)
    g = float(grow_px) if grow_px is not None else max(2.0, 0.6 * np.sqrt(area / np.pi))
    k = int(np.ceil(g)) + 1
    H, W = class_map.shape
    y0, y1 = max(0, int(rr.min()) - k), min(H, int(rr.max()) + k + 1)
    x0, x1 = max(0, int(cc.min()) - k), min(W, int(cc.max()) + k + 1)
    nmask = np.zeros((y1 - y0, x1 - x0), bool)
    nmask[rr - y0, cc - x0] = True
    ring = (ndi.distance_transform_edt(~nmask) <= g) & ~nmask
    cm = class_map[y0:y1, x0:x1].copy()
    free = cm == 0
    if instances is not None:
        free &= instances[y0:y1, x0:x1] == 0
    cm[ring & free] = 1
    cm[nmask] = 2
    if instances is None:
        return values_patch(class_map, np.ones_like(nmask), cm, "add cell", (y0, x0))
    inst = instances[y0:y1, x0:x1].copy()
    new_id = next_cell_id(instances)
    inst[(ring & free) | nmask] = new_id
    return _patch(class_map, instances, (y0, y1, x0, x1), cm, inst, f"add cell {new_id}")


def split_cell(class_map: np.ndarray, instances: np.ndarray, stroke_xy: PointsXY,
               width: float = 2.0) -> Optional[MaskPatch]:
    """Cut the cell under the stroke in two along it (the cut becomes background).

    The larger part keeps the cell's id (and a person's type for it), the rest gets a new id.
    ``None`` when the stroke does not cross a cell from edge to edge.
    """
    pts = np.asarray(stroke_xy, float).reshape(-1, 2)
    H, W = instances.shape
    m, (sy0, sy1, sx0, sx1) = stroke_mask((H, W), [(float(x), float(y)) for x, y in pts], max(0.5, width / 2.0))
    if m is None:
        return None
    under = instances[sy0:sy1, sx0:sx1][m]
    under = under[under > 0]
    if not len(under):
        return None
    cid = int(np.bincount(under).argmax())  # the cell the stroke crosses most
    box = _box_of_ids(instances, [cid])
    y0, y1, x0, x1 = box  # type: ignore[misc]
    cell = instances[y0:y1, x0:x1] == cid
    cut = np.zeros_like(cell)
    oy0, oy1, ox0, ox1 = max(y0, sy0), min(y1, sy1), max(x0, sx0), min(x1, sx1)
    if oy0 >= oy1 or ox0 >= ox1:
        return None
    cut[oy0 - y0:oy1 - y0, ox0 - x0:ox1 - x0] = m[oy0 - sy0:oy1 - sy0, ox0 - sx0:ox1 - sx0]
    cut &= cell
    parts, n = ndi.label(cell & ~cut, structure=np.ones((3, 3), bool))
    if n < 2:
        return None
    sizes = np.bincount(parts.ravel(), minlength=n + 1)
    sizes[0] = 0
    keep = int(sizes.argmax())
    new_id = next_cell_id(instances)
    inst = instances[y0:y1, x0:x1].copy()
    cm = class_map[y0:y1, x0:x1].copy()
    inst[cut], cm[cut] = 0, 0
    inst[(parts > 0) & (parts != keep)] = new_id
    return _patch(class_map, instances, box, cm, inst, f"split cell {cid}")


def merge_cells(class_map: np.ndarray, instances: np.ndarray, id_a: int, id_b: int) -> Optional[MaskPatch]:
    """Two parts of one cell become one: ``id_b``'s pixels join ``id_a`` (the class map is kept)."""
    if id_a == id_b:
        return None
    box = _box_of_ids(instances, [int(id_a), int(id_b)])
    if box is None:
        return None
    y0, y1, x0, x1 = box
    inst = instances[y0:y1, x0:x1].copy()
    if not (inst == id_b).any() or not (inst == id_a).any():
        return None
    inst[inst == id_b] = id_a
    return _patch(class_map, instances, box, class_map[y0:y1, x0:x1].copy(), inst,
                  f"merge cells {id_a} and {id_b}")


def revert_to_model(class_map: np.ndarray, model_class_map: np.ndarray, instances: Optional[np.ndarray] = None,
                    cell_id: Optional[int] = None, model_instances: Optional[np.ndarray] = None) -> Optional[MaskPatch]:
    """Back to the model's output: the whole image, or one cell (its pixels and the model's cells under them)."""
    if model_class_map.shape != class_map.shape:
        raise ValueError("the model's class map has another size than the edited one")
    if cell_id is None:
        return values_patch(class_map, class_map != model_class_map, model_class_map, "revert image to the model")
    if instances is None:
        raise ValueError("reverting one cell needs the instances")
    mine = instances == cell_id
    region = mine.copy()
    if model_instances is not None:
        under = np.unique(model_instances[mine])
        under = under[under > 0]
        if len(under):
            region |= np.isin(model_instances, under)
    box = bbox_of(region)
    if box is None:
        return None
    y0, y1, x0, x1 = box
    return values_patch(class_map, region[y0:y1, x0:x1], model_class_map[y0:y1, x0:x1],
                        f"revert cell {cell_id} to the model", (y0, x0))
