"""Which cells to look at first: the classifier's and the segmenter's doubt, combined and ranked.

A cell's classifier doubt is ``1 - (p1 - p2)``, one minus the margin between its two most likely
types (a 0.48 / 0.46 call is a coin toss even though its top probability looks middling); with no
second type it is ``1 - p1``. Its segmenter doubt is the mean normalised entropy of the segmenter
over the cell's pixels (``Analysis.uncertainty``; 0 when not kept). The two combine as the chance
that at least one is wrong, ``1 - (1 - c)(1 - s)``, so a cell sure on both counts ranks last and
a cell doubtful on either ranks high. Cells a person already typed are left out: they are done.

A typed cell marked doubtful (``Cell.doubt``: far from its type's training cells, or typed on an
unfamiliar stain; core.cells.type_doubt) comes before every other cell: its type is shown as if
sure, so it is the one a reviewer would otherwise trust by mistake (issue 23).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Hashable, Iterable, Optional

import numpy as np
from scipy import ndimage

from wbc_desktop.core.analysis import Analysis, Cell


@dataclass(frozen=True)
class Doubt:
    """One cell's doubt: ``score`` in 0..1 (higher = look first) and its two parts."""

    key: Hashable  # which image (an entry index, a project key)
    cell_id: int
    score: float
    classifier: float
    segmenter: float
    typed_doubt: bool = False  # the cell is typed but marked doubtful (Cell.doubt): visited first


def classifier_doubt(cell: Cell) -> float:
    probs = sorted((float(p) for _, p in (cell.top3 or [])), reverse=True)
    if len(probs) >= 2:
        return float(np.clip(1.0 - (probs[0] - probs[1]), 0.0, 1.0))
    p1 = probs[0] if probs else float(cell.confidence)
    return float(np.clip(1.0 - p1, 0.0, 1.0)) if p1 > 0 else 1.0  # never typed: fully doubtful


def segmenter_doubt(analysis: Analysis) -> dict[int, float]:
    """Mean normalised entropy over each cell's pixels (one labelled-mean pass for all cells)."""
    u = analysis.uncertainty
    ids = [c.cell_id for c in analysis.cells]
    if u is None or not ids or u.shape != analysis.instances.shape:
        return {i: 0.0 for i in ids}
    means = ndimage.mean(u.astype(np.float32), labels=analysis.instances, index=ids)
    return {i: float(m) / 255.0 if np.isfinite(m) else 0.0 for i, m in zip(ids, np.atleast_1d(means))}


def cell_doubts(key: Hashable, analysis: Analysis, skip_reviewed: bool = True,
                seg: Optional[dict[int, float]] = None) -> list[Doubt]:
    """``seg``: the image's :func:`segmenter_doubt` when the caller keeps it (it changes only with the masks)."""
    seg = segmenter_doubt(analysis) if seg is None else seg
    out = []
    for c in analysis.cells:
        if skip_reviewed and c.reviewed_type:
            continue
        cd, sd = classifier_doubt(c), seg.get(c.cell_id, 0.0)
        out.append(Doubt(key, c.cell_id, 1.0 - (1.0 - cd) * (1.0 - sd), cd, sd, bool(getattr(c, "doubt", ""))))
    return out


def rank(images: Iterable[tuple[Hashable, Analysis]], skip_reviewed: bool = True,
         seg_of: Optional[Callable[[Hashable, Analysis], dict[int, float]]] = None) -> list[Doubt]:
    """Every cell of these images: typed-but-doubtful cells first, then most doubtful first (ties: image
    order, then cell id).

    ``seg_of(key, analysis)``: a cache of :func:`segmenter_doubt` (the one costly part on big fields)."""
    out: list[Doubt] = []
    order: dict = {}
    for n, (key, a) in enumerate(images):
        order[key] = n
        out.extend(cell_doubts(key, a, skip_reviewed, seg_of(key, a) if seg_of is not None else None))
    out.sort(key=lambda d: (not d.typed_doubt, -d.score, order[d.key], d.cell_id))
    return out


def next_doubtful(ranked: list[Doubt], seen: set, current: Optional[tuple] = None) -> Optional[Doubt]:
    """The most doubtful cell not yet ``seen`` ((key, cell id) pairs), other than ``current``."""
    for d in ranked:
        k = (d.key, d.cell_id)
        if k not in seen and k != current:
            return d
    return None
