"""Colours and display names per cell type, shared by boxes, gallery headers, counts and the report."""

from __future__ import annotations

from PySide6.QtGui import QColor

from wbc_desktop.core.analysis import UNIDENTIFIED
from wbc_desktop.core.review.store import REVIEW_TYPES

# Chosen to stay distinguishable on pink/purple stained backgrounds and for common colour-blindness.
_TYPE_HEX = {
    "neutrophil": "#1f77b4",
    "lymphocyte": "#2ca02c",
    "monocyte": "#ff7f0e",
    "eosinophil": "#d62728",
    "basophil": "#7b3fb5",
    "ig": "#8c564b",
    "erythroblast": "#e377c2",
    "platelet": "#17becf",
    UNIDENTIFIED: "#7f7f7f",
}
_NAMES = {"ig": "Immature granulocyte (IG)", UNIDENTIFIED: "Unidentified"}

DEFAULT_NUCLEUS = "#3b1fd1"
DEFAULT_CYTOPLASM = "#19c3a6"


def type_color(cell_type: str) -> QColor:
    """A stable colour for a type; unknown types (a retrained model's new class) get grey."""
    return QColor(_TYPE_HEX.get(cell_type, "#555555"))


def display_name(cell_type: str) -> str:
    return _NAMES.get(cell_type, cell_type.capitalize())


def shortcut_key(cell_type: str) -> str:
    """The digit that assigns a type: 1..8 in REVIEW_TYPES order, 0 for unidentified."""
    if cell_type == UNIDENTIFIED:
        return "0"
    i = REVIEW_TYPES.index(cell_type) if cell_type in REVIEW_TYPES else -1
    return str(i + 1) if 0 <= i < 9 else ""


def cell_summary(cell, include_border: bool = False) -> tuple[str, list[str], str]:
    """(title, detail lines, border note or "") of one cell, shared by the hover label and the
    gallery tooltip so both say the same thing in the same words."""
    title = f"Cell {cell.cell_id}: {display_name(cell.final_type)}"
    lines = []
    if cell.reviewed_type:
        lines.append(f"set by reviewer (model: {display_name(cell.cell_type)})")
    if cell.top3:
        lines.append(" · ".join(f"{display_name(n)} {p:.0%}" for n, p in cell.top3))
    elif cell.confidence:
        lines.append(f"confidence {cell.confidence:.2f}")
    border = ("cut by the image border: " + ("counted (as asked)" if include_border else "not counted")
              if cell.touches_border else "")
    if getattr(cell, "doubt", "") and not cell.reviewed_type:
        lines.append(f"doubtful: {cell.doubt}")
    return title, lines, border
