"""After an edit: the cells of the touched region, recomputed from the edited class map.

The same rules as the analysis (:func:`~wbc_desktop.core.cells.instances.find_cells`) run only
on a crop around the edit; cells outside it keep their pixels, ids and types. A recomputed cell
keeps the id of the old cell it overlaps most (so a person's type for it stays), new cells get
fresh ids, and the ids of new or reshaped cells are returned to be retyped by the model process.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from scipy import ndimage as ndi

from wbc_desktop.core.analysis import Analysis, Cell
from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.editing.edits import Box, MaskPatch

CONTEXT = 24.0  # model px of context around the edit, so a cell cut by the crop's edge is rare


@dataclass
class CellsChange:
    """What an edit did to the cells: enough to undo and redo it without recomputing."""

    box: Box
    inst_before: np.ndarray
    inst_after: np.ndarray
    cells_before: list[Cell]
    cells_after: list[Cell]
    changed_ids: list[int] = field(default_factory=list)  # new or reshaped: to be retyped
    removed_ids: list[int] = field(default_factory=list)

    def apply(self, analysis: Analysis) -> None:
        y0, y1, x0, x1 = self.box
        analysis.instances[y0:y1, x0:x1] = self.inst_after
        analysis.cells = list(self.cells_after)

    def revert(self, analysis: Analysis) -> None:
        y0, y1, x0, x1 = self.box
        analysis.instances[y0:y1, x0:x1] = self.inst_before
        analysis.cells = list(self.cells_before)


def _grow(box: Box, pad: int, shape: tuple[int, int]) -> Box:
    y0, y1, x0, x1 = box
    return max(0, y0 - pad), min(shape[0], y1 + pad), max(0, x0 - pad), min(shape[1], x1 + pad)


def _union(a: Box, b: Box) -> Box:
    return min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3])


def _cell_box(c: Cell) -> Box:
    x0, y0, x1, y1 = c.bbox
    return y0, y1, x0, x1


def measure(inst: np.ndarray, cm: np.ndarray, ids: list[int], offset: tuple[int, int],
            shape: tuple[int, int]) -> dict[int, dict]:
    """Box, centroid, areas and border flag of ``ids`` in a crop (placed at ``offset`` in an image of ``shape``)."""
    oy, ox = int(offset[0]), int(offset[1])
    H, W = shape
    out: dict[int, dict] = {}
    boxes = ndi.find_objects(inst) if inst.size and inst.max() > 0 else []  # one pass, not one scan per cell
    for k in ids:
        s = boxes[k - 1] if 0 < k <= len(boxes) else None
        if s is None:
            continue
        ys, xs = np.nonzero(inst[s] == k)
        ys, xs = ys + s[0].start, xs + s[1].start
        na = int((cm[ys, xs] == 2).sum())
        x0, y0, x1, y1 = int(xs.min()) + ox, int(ys.min()) + oy, int(xs.max()) + ox + 1, int(ys.max()) + oy + 1
        out[k] = dict(bbox=(x0, y0, x1, y1), centroid=(float(xs.mean()) + ox, float(ys.mean()) + oy),
                      nucleus_area_px=na, cytoplasm_area_px=int(len(ys)) - na,
                      touches_border=bool(x0 == 0 or y0 == 0 or x1 == W or y1 == H))
    return out


def _claim_painted(new: np.ndarray, cm: np.ndarray, painted: np.ndarray) -> None:
    """Give foreground a person painted, left out by the reach rule, to the nearest cell it touches.

    The reach rule drops the model's cytoplasm far from a nucleus (red-cell clumps); a person who
    paints cytoplasm onto a cell means it to be part of it.
    """
    loose = painted & (cm > 0) & (new == 0)
    if not loose.any() or not new.any():
        return
    fg_lab, _ = ndi.label(cm > 0, structure=np.ones((3, 3), bool))
    _, (iy, ix) = ndi.distance_transform_edt(new == 0, return_indices=True)
    ys, xs = np.nonzero(loose)
    ny, nx = iy[ys, xs], ix[ys, xs]
    same = fg_lab[ny, nx] == fg_lab[ys, xs]
    new[ys[same], xs[same]] = new[ny[same], nx[same]]


def _relabel_region(analysis: Analysis, box: Box, painted: np.ndarray) -> tuple[Box, np.ndarray, dict[int, int]]:
    """find_cells on a crop around ``box``; returns the crop box, its new instances and new->old ids.

    ``painted`` (box-sized) marks the pixels the edit changed."""
    shape = analysis.class_map.shape
    inst = analysis.instances
    s = analysis.scale if analysis.scale and analysis.scale > 0 else 1.0
    y0, y1, x0, x1 = box
    region = _grow(box, int(np.ceil(CONTEXT / s)), shape)
    touched = set(np.unique(inst[region[0]:region[1], region[2]:region[3]]).tolist()) - {0}
    for c in analysis.cells:
        if c.cell_id in touched:
            region = _union(region, _cell_box(c))
    ry0, ry1, rx0, rx1 = region
    old = inst[ry0:ry1, rx0:rx1]
    frozen = (old > 0) & ~np.isin(old, list(touched))
    cm = np.where(frozen, 0, analysis.class_map[ry0:ry1, rx0:rx1]).astype(np.uint8)
    new, cells = find_cells(cm, scale=s)
    p = np.zeros(cm.shape, bool)
    p[y0 - ry0:y1 - ry0, x0 - rx0:x1 - rx0] = painted
    _claim_painted(new, cm, p & ~frozen)
    # match each new cell to the touched old cell it overlaps most, largest overlaps first
    pairs = []
    for c in cells:
        m = new == c.cell_id
        ov = np.bincount(old[m], minlength=1)
        for oid in touched:
            if oid < len(ov) and ov[oid]:
                pairs.append((int(ov[oid]), c.cell_id, oid))
    pairs.sort(reverse=True)
    mapping: dict[int, int] = {}
    used: set[int] = set()
    for _, nid, oid in pairs:
        if nid not in mapping and oid not in used:
            mapping[nid] = oid
            used.add(oid)
    nxt = max([int(inst.max())] + [c.cell_id for c in analysis.cells]) + 1
    for c in cells:
        if c.cell_id not in mapping:
            mapping[c.cell_id], nxt = nxt, nxt + 1
    lut = np.zeros(len(cells) + 1, np.int32)
    for nid, gid in mapping.items():
        lut[nid] = gid
    after = np.where(frozen, old, lut[new]).astype(inst.dtype)
    return region, after, mapping


def recompute(analysis: Analysis, patch: MaskPatch) -> CellsChange:
    """Update instances and cells after ``patch`` was applied (class map and, if any, instances).

    A patch carrying instances (a cell operation) is measured as drawn; otherwise the region's
    instances are recomputed by the analysis' rules.
    """
    shape = analysis.class_map.shape
    before_cells = list(analysis.cells)
    if patch.inst_after is not None and patch.inst_before is not None:
        box = patch.box
        ids = set(np.unique(patch.inst_before).tolist()) | set(np.unique(patch.inst_after).tolist())
        ids.discard(0)
        region = box
        for c in before_cells:
            if c.cell_id in ids:
                region = _union(region, _cell_box(c))
        ry0, ry1, rx0, rx1 = region
        inst_after = analysis.instances[ry0:ry1, rx0:rx1].copy()  # the patch is applied already
        inst_before = inst_after.copy()
        y0, y1, x0, x1 = box
        inst_before[y0 - ry0:y1 - ry0, x0 - rx0:x1 - rx0] = patch.inst_before
    else:
        region, inst_after, mapping = _relabel_region(analysis, patch.box, patch.changed)
        ry0, ry1, rx0, rx1 = region
        inst_before = analysis.instances[ry0:ry1, rx0:rx1].copy()
        ids = (set(np.unique(inst_before).tolist()) | set(mapping.values())) - {0}
        analysis.instances[ry0:ry1, rx0:rx1] = inst_after
    ry0, ry1, rx0, rx1 = region
    geo = measure(inst_after, analysis.class_map[ry0:ry1, rx0:rx1], sorted(ids), (ry0, rx0), shape)
    by_id = {c.cell_id: c for c in before_cells}
    changed, removed = [], []
    after_cells = [c for c in before_cells if c.cell_id not in ids]
    for k in sorted(ids):
        old = by_id.get(k)
        if k not in geo:
            if old is not None:
                removed.append(k)
            continue
        g = geo[k]
        if old is not None and all(getattr(old, f) == v for f, v in g.items() if f != "centroid"):
            after_cells.append(old)
            continue
        after_cells.append(replace(old, **g) if old is not None else Cell(cell_id=k, **g))
        changed.append(k)
    after_cells.sort(key=lambda c: c.cell_id)
    analysis.cells = after_cells
    return CellsChange(region, inst_before, inst_after, before_cells, list(after_cells), changed, removed)


def recompute_cells(analysis: Analysis, box: Box) -> list[int]:
    """Recompute the cells around ``box`` of an edited ``analysis.class_map``; the ids to retype.

    For scripts that edit ``class_map`` directly; the app goes through
    :class:`~wbc_desktop.core.editing.mask_edit.MaskEdit`, which also keeps the change for undo.
    """
    y0, y1, x0, x1 = box
    cm = analysis.class_map[y0:y1, x0:x1]
    return recompute(analysis, MaskPatch(box, cm.copy(), cm.copy())).changed_ids
