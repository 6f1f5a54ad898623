"""A mask edit as one undoable step in the same :class:`~wbc_desktop.core.review.history.History`
as retyping, so Ctrl+Z undoes whichever came last.

The step holds the :class:`~wbc_desktop.core.editing.edits.MaskPatch` and, after its first
apply, the cells it changed (:class:`~wbc_desktop.core.editing.recompute.CellsChange`), so redo
restores exactly the same ids instead of recomputing. Each apply and revert appends the patch
as applied to ``review.pending_patches`` for the owner (a project) to journal and save.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.editing.edits import MaskPatch
from wbc_desktop.core.review.history import ReviewLocked
from wbc_desktop.core.editing.recompute import CellsChange, recompute
from wbc_desktop.core.review.store import ImageReview


@dataclass
class MaskEdit:
    """Apply ``patch`` to ``analysis`` (class map, instances, cells) as one undo step."""

    analysis: Analysis
    patch: MaskPatch
    text: str = ""
    change: Optional[CellsChange] = None
    dropped: dict[int, str] = field(default_factory=dict)  # person's types of cells the edit removed
    dropped_by: dict[int, tuple[str, str]] = field(default_factory=dict)
    applied: bool = False  # on the masks now (done or redone), False once undone: only then are its cells retyped

    def __post_init__(self) -> None:
        if not self.text:
            self.text = self.patch.text or "edit mask"

    @property
    def changed_ids(self) -> list[int]:
        """Cells that are new or reshaped after the first apply: the ones to retype."""
        return list(self.change.changed_ids) if self.change is not None else []

    def apply(self, review: ImageReview) -> None:
        if review.signed:
            raise ReviewLocked("the image is signed; remove the signature to change it")
        a = self.analysis
        self.patch.apply(a.class_map, a.instances)
        if self.change is None:
            self.change = recompute(a, self.patch)
        else:
            self.change.apply(a)
        self.dropped = {i: review.reviewed.pop(i) for i in self.change.removed_ids if i in review.reviewed}
        self.dropped_by = {i: review.set_by.pop(i) for i in self.change.removed_ids if i in review.set_by}
        review.pending_patches.append(self.region_patch())
        review.mask_version += 1
        self.applied = True

    def revert(self, review: ImageReview) -> None:
        a = self.analysis
        self.patch.revert(a.class_map, a.instances)
        if self.change is not None:
            self.change.revert(a)
        review.reviewed.update(self.dropped)
        review.set_by.update(self.dropped_by)
        review.pending_patches.append(self.region_patch().inverse())
        review.mask_version += 1
        self.applied = False

    def region_patch(self) -> MaskPatch:
        """The edit over its whole cells' region, class map and instances: what a journal replays."""
        assert self.change is not None
        y0, y1, x0, x1 = self.change.box
        py0, py1, px0, px1 = self.patch.box
        inner = slice(py0 - y0, py1 - y0), slice(px0 - x0, px1 - x0)
        after = self.analysis.class_map[y0:y1, x0:x1].copy()  # outside the patch: the same before and after
        before = after.copy()
        after[inner], before[inner] = self.patch.after, self.patch.before
        return MaskPatch(self.change.box, before, after, self.text, self.change.inst_before,
                         self.change.inst_after)
