"""Counts over a batch and the confidence threshold below which a type is shown as unidentified."""

from __future__ import annotations

from typing import Sequence

from wbc_desktop.core.analysis import UNIDENTIFIED, Analysis


def apply_threshold(analysis: Analysis, threshold: float) -> None:
    """Show the model's type only at or above ``threshold``; below it a cell is unidentified.

    Uses ``Cell.predicted_type`` (the model's best class), so the threshold can move both ways
    without re-running the classifier. Cells without a prediction are left alone.
    """
    for c in analysis.cells:
        if c.predicted_type:
            c.cell_type = c.predicted_type if c.confidence >= threshold else UNIDENTIFIED


def batch_counts(analyses: Sequence[Analysis], include_border: bool = False) -> dict[str, int]:
    """Final-type counts summed over images (the batch column of the differential)."""
    out: dict[str, int] = {}
    for a in analyses:
        for t, n in a.counts(include_border=include_border).items():
            out[t] = out.get(t, 0) + n
    return out
