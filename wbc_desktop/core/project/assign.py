"""After an import of masks: every labelled pixel belongs to a cell, or is reported.

The analysis' rule makes a cell of a nucleus and the cytoplasm connected to it; cytoplasm an expert
drew with a thin gap to its nucleus (or a fragment cut off by the crop) belonged to no cell, so its
area and the N:C ratio in the exports were wrong. :func:`orphan_assignment` gives each connected
piece of such pixels to the cell nearest to it when it lies within that cell's radius, and reports
the rest; :class:`AssignPixels` applies it as one undoable step of the image's History (journalled
like a stroke: the class map is unchanged, the instances change).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from scipy import ndimage as ndi

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.editing.edits import MaskPatch
from wbc_desktop.core.review.history import ReviewLocked
from wbc_desktop.core.review.store import ImageReview

_EIGHT = np.ones((3, 3), bool)


@dataclass
class Assignment:
    """Instances to set in ``box`` and what could not be assigned."""

    box: tuple[int, int, int, int]
    before: np.ndarray
    after: np.ndarray
    assigned_px: int = 0
    cells: list[int] = field(default_factory=list)  # cells that grew (to be measured and typed again)
    unassigned_px: int = 0
    unassigned_regions: int = 0


def orphan_assignment(a: Analysis) -> Optional[Assignment]:
    """Labelled pixels outside every cell, given by connected piece to the nearest cell within its radius.

    None when every labelled pixel already belongs to a cell."""
    orphan = (a.class_map > 0) & (a.instances == 0)
    if not orphan.any():
        return None
    lab, n = ndi.label(orphan, structure=_EIGHT)
    after_full = a.instances.copy()
    out = Assignment((0, 0, 0, 0), np.zeros((0, 0), np.int32), np.zeros((0, 0), np.int32))
    if not a.instances.any():
        out.unassigned_px, out.unassigned_regions = int(orphan.sum()), n
        return out
    dist, (iy, ix) = ndi.distance_transform_edt(a.instances == 0, return_indices=True)
    area = {c.cell_id: c.area_px for c in a.cells}
    grown: set[int] = set()
    boxes = ndi.find_objects(lab)
    for k, sl in enumerate(boxes, 1):
        m = lab[sl] == k
        d = np.where(m, dist[sl], np.inf)
        j = np.unravel_index(int(np.argmin(d)), d.shape)
        gy, gx = j[0] + sl[0].start, j[1] + sl[1].start
        cid = int(a.instances[iy[gy, gx], ix[gy, gx]])
        reach = np.sqrt(max(area.get(cid, 0), 1) / np.pi)  # the cell's own radius
        if cid and dist[gy, gx] <= reach:
            after_full[sl][m] = cid
            out.assigned_px += int(m.sum())
            grown.add(cid)
        else:
            out.unassigned_px += int(m.sum())
            out.unassigned_regions += 1
    if not grown:
        return out
    changed = after_full != a.instances
    ys, xs = np.nonzero(changed)
    for cid in grown:  # the box holds the grown cells whole, so they are measured whole
        c = next((c for c in a.cells if c.cell_id == cid), None)
        if c is not None:
            x0, y0, x1, y1 = c.bbox
            ys, xs = np.concatenate([ys, [y0, y1 - 1]]), np.concatenate([xs, [x0, x1 - 1]])
    box = (int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1)
    y0, y1, x0, x1 = box
    out.box, out.before, out.after = box, a.instances[y0:y1, x0:x1].copy(), after_full[y0:y1, x0:x1].copy()
    out.cells = sorted(grown)
    return out


@dataclass
class AssignPixels:
    """Set the instances of ``assignment.box`` (cells measured again) as one undo step."""

    analysis: Analysis
    assignment: Assignment
    text: str = "attach cytoplasm to its cells"
    _cells_before: list = field(default_factory=list)
    _cells_after: list = field(default_factory=list)

    def apply(self, review: ImageReview) -> None:
        from wbc_desktop.core.project.recovery import _remeasure

        if review.signed:
            raise ReviewLocked("the image is signed; remove the signature to change it")
        a, s = self.analysis, self.assignment
        y0, y1, x0, x1 = s.box
        if not self._cells_after:
            self._cells_before = [_copy(c) for c in a.cells]
            a.instances[y0:y1, x0:x1] = s.after
            _remeasure(a, s.box)
            self._cells_after = [_copy(c) for c in a.cells]
        else:
            a.instances[y0:y1, x0:x1] = s.after
            a.cells = [_copy(c) for c in self._cells_after]
        self._record(review, s.before, s.after)

    def revert(self, review: ImageReview) -> None:
        a, s = self.analysis, self.assignment
        y0, y1, x0, x1 = s.box
        a.instances[y0:y1, x0:x1] = s.before
        a.cells = [_copy(c) for c in self._cells_before]
        self._record(review, s.after, s.before)

    def _record(self, review: ImageReview, before: np.ndarray, after: np.ndarray) -> None:
        y0, y1, x0, x1 = self.assignment.box
        cm = self.analysis.class_map[y0:y1, x0:x1].copy()
        review.pending_patches.append(MaskPatch(self.assignment.box, cm, cm, self.text, before, after))
        review.mask_version += 1


def _copy(c):
    from dataclasses import replace

    return replace(c, top3=list(c.top3))
