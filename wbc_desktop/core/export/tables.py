"""Tables a lab keeps: one row per cell (cells.csv) and the differential count (summary.csv)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Sequence

from wbc_desktop.core.analysis import UNIDENTIFIED, Analysis
from wbc_desktop.core.export.differential import NOT_WBC, percent_of_wbc
from wbc_desktop.core.io.atomic import atomic_write_text

EXPORT_CELL_COLUMNS = [
    "image", "cell_id", "x0", "y0", "x1", "y1", "centroid_x", "centroid_y", "cell_type", "confidence",
    "top3", "nucleus_area_px", "cytoplasm_area_px", "nc_ratio", "touches_border",
]
SUMMARY_COLUMNS = ["image", "cell_type", "count", "percent"]
IMAGE_COLUMNS = ["image", "width", "height", "scale", "scale_method", "scale_confidence", "familiarity", "n_cells",
                 "warning", "standardisation"]
TOTAL = "ALL"


def cell_rows(analyses: Sequence[Analysis]) -> list[dict]:
    rows = []
    for a in analyses:
        for c in a.cells:
            x0, y0, x1, y1 = c.bbox
            rows.append({
                "image": a.image_name, "cell_id": c.cell_id, "x0": x0, "y0": y0, "x1": x1, "y1": y1,
                "centroid_x": f"{c.centroid[0]:.1f}", "centroid_y": f"{c.centroid[1]:.1f}",
                "cell_type": c.final_type, "confidence": f"{c.confidence:.3f}", "top3": c.top3_text(),
                "nucleus_area_px": c.nucleus_area_px, "cytoplasm_area_px": c.cytoplasm_area_px,
                "nc_ratio": f"{c.nc_ratio:.3f}", "touches_border": int(c.touches_border),
            })
    return rows


def count_rows(counts: dict[str, int], image: str) -> list[dict]:
    """Count and percentage per type: WBC types (unidentified last) sum to 100 %; platelets and
    erythroblasts follow, as counts per 100 WBC (see export.differential)."""
    pct = percent_of_wbc(counts)
    wbc = sorted((t for t in counts if t != UNIDENTIFIED and t not in NOT_WBC), key=lambda t: (-counts[t], t))
    order = wbc + ([UNIDENTIFIED] if UNIDENTIFIED in counts else []) + [t for t in NOT_WBC if t in counts]
    return [{"image": image, "cell_type": t, "count": counts[t], "percent": f"{pct[t][1]:.1f}"} for t in order]


def summary_rows(analyses: Sequence[Analysis], include_border: bool = False) -> list[dict]:
    """Per image, then the whole batch as image ``ALL``; border-cut cells excluded by default."""
    rows: list[dict] = []
    total: dict[str, int] = {}
    for a in analyses:
        counts = a.counts(include_border=include_border)
        rows += count_rows(counts, a.image_name)
        for t, n in counts.items():
            total[t] = total.get(t, 0) + n
    rows += count_rows(total, TOTAL)
    return rows


def image_row(a: Analysis) -> dict:
    """One row of images.csv: how each image was read, so a lab can see which ones to check."""
    h, w = a.shape
    return {
        "image": a.image_name, "width": w, "height": h, "scale": f"{a.scale:.4f}", "scale_method": a.scale_method,
        "scale_confidence": f"{a.scale_confidence:.2f}",
        "familiarity": "" if a.familiarity is None else f"{a.familiarity:.3f}", "n_cells": len(a.cells),
        "warning": a.warning,
        "standardisation": getattr(a, "standardisation", ""),  # the colour reference used (issue 23); "" = as read
    }


def _csv_text(rows: list[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def write_cells_csv(analyses: Sequence[Analysis], path: str | Path) -> None:
    atomic_write_text(path, _csv_text(cell_rows(analyses), EXPORT_CELL_COLUMNS))


def write_summary_csv(analyses: Sequence[Analysis], path: str | Path, include_border: bool = False) -> None:
    atomic_write_text(path, _csv_text(summary_rows(analyses, include_border), SUMMARY_COLUMNS))
