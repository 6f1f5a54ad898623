"""cells.csv, images.csv and summary.csv written as images finish, in input order.

Each image's rows are appended and flushed as soon as it is its turn, so a run killed at the
last image still leaves every earlier row on disk; nothing per image stays in memory but the
batch's running total per cell type. ``summary.csv`` needs that total last: its rows go to a
``.partial`` file that replaces ``summary.csv`` atomically when the batch ends. The bytes equal
what ``core.export.tables`` writes for the same analyses in one go.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from wbc_desktop.core.export.layout import CELLS_TABLE, IMAGES_TABLE, PARTIAL_SUFFIX, SUMMARY_TABLE
from wbc_desktop.core.export.tables import (
    EXPORT_CELL_COLUMNS, IMAGE_COLUMNS, SUMMARY_COLUMNS, TOTAL, count_rows,
)


class _Csv:
    def __init__(self, path: Path, columns: list[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.f = open(path, "w", encoding="utf-8", newline="")
        self.w = csv.DictWriter(self.f, fieldnames=columns, lineterminator="\n")
        self.w.writeheader()
        self.f.flush()

    def add(self, rows: list[dict]) -> None:
        self.w.writerows(rows)
        self.f.flush()

    def close(self, sync: bool = False) -> None:
        if sync:
            os.fsync(self.f.fileno())
        self.f.close()


class StreamingTables:
    """Append one finished image at a time; :meth:`finish` writes the batch total to summary.csv."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.cells = _Csv(out / CELLS_TABLE, EXPORT_CELL_COLUMNS)
        self.images = _Csv(out / IMAGES_TABLE, IMAGE_COLUMNS)
        self.summary = _Csv(out / (SUMMARY_TABLE + PARTIAL_SUFFIX), SUMMARY_COLUMNS)
        self.total: dict[str, int] = {}

    def add(self, rec: dict) -> None:
        """One image's rows (a result or a record with ``cells``, ``image`` and ``counts``)."""
        self.cells.add(rec["cells"])
        self.images.add([rec["image"]])
        counts = {t: int(n) for t, n in rec["counts"].items()}
        self.summary.add(count_rows(counts, rec["image"]["image"]))
        for t, n in counts.items():
            self.total[t] = self.total.get(t, 0) + n

    def finish(self) -> None:
        self.summary.add(count_rows(self.total, TOTAL))
        self.summary.close(sync=True)
        os.replace(self.summary.path, self.out / SUMMARY_TABLE)
        self.cells.close(sync=True)
        self.images.close(sync=True)

    def abort(self) -> None:
        """Close without a summary (an interrupted run: cells.csv and images.csv keep what finished)."""
        for c in (self.cells, self.images, self.summary):
            if not c.f.closed:
                c.f.close()
