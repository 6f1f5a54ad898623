"""What a count rests on: one rule for which cells are counted, and the caveats a reader must see.

Why: a differential printed alone reads as finished. On images unlike the training data cells are
missed, clumps counted, types doubtful; the reviewer and whoever reads the report must see how many
cells are unidentified or doubtful, how many images were flagged, how many cells on the image border
were left out, and whether the scale (and so every size rule) was assumed. The counts panel, the
gallery and the PDF all ask :func:`is_counted` so a cell cannot count in one place and not another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from wbc_desktop.core.analysis import UNIDENTIFIED, Analysis, Cell
from wbc_desktop.core.imaging.familiarity import FLAG_BELOW

ASSUMED_SCALE = ("assumed", "")


def is_counted(cell: Cell, include_border: bool = False) -> bool:
    """The one rule: a cell cut by the image border is left out unless the reviewer asked for it."""
    return include_border or not cell.touches_border


def is_doubtful(cell: Cell) -> bool:
    """Typed, but the model itself doubts it (``Cell.doubt``), and no person has decided since."""
    return bool(getattr(cell, "doubt", "")) and not cell.reviewed_type and cell.final_type != UNIDENTIFIED


def counts(analysis: Analysis, include_border: bool = False) -> dict[str, int]:
    """Cells per final type under :func:`is_counted` (the differential's numbers)."""
    out: dict[str, int] = {}
    for c in analysis.cells:
        if is_counted(c, include_border):
            out[c.final_type] = out.get(c.final_type, 0) + 1
    return out


def is_flagged(analysis: Analysis) -> bool:
    """The image looks unlike the training data (its familiarity under the flag line, or a warning)."""
    f = getattr(analysis, "familiarity", None)
    return bool(getattr(analysis, "warning", "")) or (f is not None and f < FLAG_BELOW)


def scale_assumed(analysis: Analysis) -> bool:
    """No pixel size and no measurement: the training scale was taken as it is."""
    return (getattr(analysis, "scale_method", "") or "") in ASSUMED_SCALE


@dataclass
class Caveats:
    """Numbers behind a count (one image or a batch)."""

    images: int = 0
    counted: int = 0  # cells in the count
    unidentified: int = 0  # counted cells left unidentified
    doubtful: int = 0  # counted cells typed but doubtful (Cell.doubt), not decided by a person
    flagged: int = 0  # images unlike the training data
    border_excluded: int = 0  # cells cut by the border, not counted
    scale_assumed: int = 0  # images whose scale was assumed
    signed: int = 0

    @property
    def clean(self) -> bool:
        return not (self.unidentified or self.doubtful or self.flagged or self.border_excluded or self.scale_assumed)


def caveats(analyses: Iterable[Analysis], include_border: bool = False, signed: int = 0) -> Caveats:
    out = Caveats(signed=signed)
    for a in analyses:
        out.images += 1
        out.flagged += is_flagged(a)
        out.scale_assumed += scale_assumed(a)
        for c in a.cells:
            if not is_counted(c, include_border):
                out.border_excluded += 1
                continue
            out.counted += 1
            out.unidentified += c.final_type == UNIDENTIFIED
            out.doubtful += is_doubtful(c)
    return out


def plural(n: int, one: str, many: str = "") -> str:
    """'1 cell', '3 cells' (``many`` for irregular plurals)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def lines(c: Caveats, include_border: bool = False) -> list[str]:
    """The caveats as short sentences, most important first; empty when there is nothing to say."""
    out: list[str] = []
    of = f" of {c.images}" if c.images > 1 else ""
    if c.flagged:
        out.append(f"{plural(c.flagged, 'image')}{of} flagged as unlike the training data: cells may be missed "
                   "or counted wrongly; check every field")
    if c.unidentified:
        out.append(f"{plural(c.unidentified, 'cell')} of {c.counted} unidentified (counted in the total, "
                   "in no type)")
    if c.doubtful:
        out.append(f"{plural(c.doubtful, 'cell')} typed but doubtful (not confirmed by a reviewer)")
    if c.border_excluded and not include_border:
        out.append(f"{plural(c.border_excluded, 'cell')} cut by the image border not counted")
    if c.scale_assumed:
        out.append(f"scale assumed on {plural(c.scale_assumed, 'image')}{of}: sizes and size checks rest on "
                   "the training scale; set the pixel size to be sure")
    return out


def summary(analyses: Sequence[Analysis], include_border: bool = False) -> list[str]:
    """:func:`lines` of :func:`caveats` in one call."""
    return lines(caveats(analyses, include_border), include_border)
