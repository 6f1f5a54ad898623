"""The project's ``cells.csv`` (:data:`~.layout.CELLS_FILE`): every cell of every analysed image,
the model's type beside the person's, and who set it. Plain CSV, one row per cell, keyed by (image
key, cell id).

Not ``analyze``'s ``cells.csv``: that export table has the final type only (its columns are
``EXPORT_CELL_COLUMNS``); this one, :data:`PROJECT_CELL_COLUMNS`, keeps both decisions so a
reopened project knows what the person changed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable, Optional

from wbc_desktop.core.analysis import UNIDENTIFIED, Analysis, Cell
from wbc_desktop.core.io.atomic import atomic_write_text
from wbc_desktop.core.review.store import ImageReview

PROJECT_CELL_COLUMNS = [
    "image", "cell_id", "x0", "y0", "x1", "y1", "centroid_x", "centroid_y", "model_type", "confidence",
    "predicted_type", "top3", "person_type", "set_by", "set_at", "nucleus_area_px", "cytoplasm_area_px",
    "nc_ratio", "touches_border",
]


def rows_for(key: str, analysis: Analysis, review: Optional[ImageReview]) -> list[dict]:
    rows = []
    for c in analysis.cells:
        x0, y0, x1, y1 = c.bbox
        person = review.reviewed.get(c.cell_id) if review is not None else None
        by = review.set_by.get(c.cell_id, ("", "")) if (review is not None and person) else ("", "")
        rows.append({
            "image": key, "cell_id": c.cell_id, "x0": x0, "y0": y0, "x1": x1, "y1": y1,
            "centroid_x": f"{c.centroid[0]:.1f}", "centroid_y": f"{c.centroid[1]:.1f}",
            "model_type": c.cell_type, "confidence": f"{c.confidence:.3f}", "predicted_type": c.predicted_type or "",
            "top3": c.top3_text(), "person_type": person or "", "set_by": by[0], "set_at": by[1],
            "nucleus_area_px": c.nucleus_area_px, "cytoplasm_area_px": c.cytoplasm_area_px,
            "nc_ratio": f"{c.nc_ratio:.3f}", "touches_border": int(c.touches_border),
        })
    return rows


def cells_from_rows(rows: Iterable[dict]) -> list[Cell]:
    out = []
    for r in rows:
        top3 = []
        for part in (r.get("top3") or "").split(";"):
            if ":" in part:
                n, p = part.rsplit(":", 1)
                top3.append((n, float(p)))
        out.append(Cell(
            cell_id=int(r["cell_id"]), bbox=(int(r["x0"]), int(r["y0"]), int(r["x1"]), int(r["y1"])),
            centroid=(float(r["centroid_x"]), float(r["centroid_y"])),
            nucleus_area_px=int(r["nucleus_area_px"]), cytoplasm_area_px=int(r["cytoplasm_area_px"]),
            touches_border=bool(int(r["touches_border"])), cell_type=r.get("model_type") or UNIDENTIFIED,
            confidence=float(r.get("confidence") or 0.0), top3=top3, predicted_type=r.get("predicted_type") or None,
        ))
    return sorted(out, key=lambda c: c.cell_id)


def review_from_rows(rows: Iterable[dict], review: ImageReview) -> None:
    """The person's types of these rows into ``review`` (``reviewed`` and ``set_by``)."""
    for r in rows:
        if r.get("person_type"):
            i = int(r["cell_id"])
            review.reviewed[i] = r["person_type"]
            review.set_by[i] = (r.get("set_by") or "", r.get("set_at") or "")


def read(path: Path) -> dict[str, list[dict]]:
    """Rows grouped by image key; raises ValueError naming the problem for a damaged file."""
    if not path.is_file():
        return {}
    out: dict[str, list[dict]] = {}
    with open(path, newline="", encoding="utf-8") as f:
        rd = csv.DictReader(f)
        missing = [c for c in ("image", "cell_id", "x0", "y0", "x1", "y1") if c not in (rd.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}: missing columns {', '.join(missing)}")
        for n, r in enumerate(rd, 2):
            try:
                int(r["cell_id"])
            except (TypeError, ValueError):
                raise ValueError(f"{path.name} line {n}: cell_id is not a number") from None
            out.setdefault(r["image"], []).append(r)
    return out


def write(path: Path, rows_by_image: dict[str, list[dict]], order: list[str]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")  # plain rows: DictWriter's per-field checks doubled the time
    w.writerow(PROJECT_CELL_COLUMNS)
    for key in order:
        w.writerows([r.get(c, "") for c in PROJECT_CELL_COLUMNS] for r in rows_by_image.get(key, []))
    atomic_write_text(path, buf.getvalue())
