"""Which type a cell shows, and the model's own masks kept for "revert": rules of a review session.

The model's decision is remembered per cell (``model_types``) so that the confidence threshold
can move both ways and a retype by the model can be shown; a person's type (the review) always
lies on top of it. The masks the model made are copied once, before the first edit changes them,
so "revert to the model" has them. Plain Python + numpy: the window's ``Document`` calls these.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

import numpy as np

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.review.counts import apply_threshold
from wbc_desktop.core.review.store import ImageReview

Masks = tuple[np.ndarray, Optional[np.ndarray]]  # class map, instances (or None: the owner keeps them)


def model_types(analysis: Analysis, cell_ids: Optional[Iterable[int]] = None) -> dict[int, str]:
    """The model's type of each cell (of ``cell_ids`` only, when given): what the threshold restores."""
    ids = None if cell_ids is None else set(cell_ids)
    return {c.cell_id: c.cell_type for c in analysis.cells if ids is None or c.cell_id in ids}


def show_types(analysis: Analysis, types: dict[int, str], threshold: float,
               review: Optional[ImageReview]) -> None:
    """Put on the cells the type they show: above ``threshold`` the model's best class (0: the
    model's own decision, ``types``), and a person's type from ``review`` over it."""
    if threshold > 0:
        apply_threshold(analysis, threshold)
    else:
        for c in analysis.cells:
            c.cell_type = types.get(c.cell_id, c.cell_type)
    if review is not None:
        review.apply_to(analysis)


def masks_copy(analysis: Analysis) -> Masks:
    """The analysis' masks as they are now (the model's, before anything is replayed on them)."""
    return analysis.class_map.copy(), analysis.instances.copy()


def masks_before(analysis: Analysis, patch: Any) -> Masks:
    """The model's masks under a stroke already painted live on the class map: the stroke is taken
    out of a copy (``patch.revert``, a core.editing ``MaskPatch``), the shown map is left alone."""
    cm = analysis.class_map.copy()
    patch.revert(cm)
    return cm, analysis.instances.copy()
