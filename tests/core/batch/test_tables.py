"""batch.tables: the streamed tables equal what export.tables writes in one go."""

from __future__ import annotations

from wbc_desktop.core.batch.tables import StreamingTables
from wbc_desktop.core.export.layout import CELLS_TABLE, IMAGES_TABLE, SUMMARY_TABLE
from wbc_desktop.core.export.tables import cell_rows, image_row, write_cells_csv, write_summary_csv

from tests.core.project.helpers import two_cells


def _rec(a):
    return {"cells": cell_rows([a]), "image": image_row(a), "counts": a.counts()}


def test_streamed_equals_one_go(tmp_path):
    a, b = two_cells("a.png"), two_cells("b.png")
    b.cells[1].cell_type = "monocyte"
    t = StreamingTables(tmp_path / "s")
    t.add(_rec(a))
    assert (tmp_path / "s" / CELLS_TABLE).read_text().count("\n") == 3  # flushed as it goes
    assert not (tmp_path / "s" / SUMMARY_TABLE).exists()  # needs the batch total: written last
    t.add(_rec(b))
    t.finish()
    write_cells_csv([a, b], tmp_path / "cells.csv")
    write_summary_csv([a, b], tmp_path / "summary.csv")
    assert (tmp_path / "s" / CELLS_TABLE).read_bytes() == (tmp_path / "cells.csv").read_bytes()
    assert (tmp_path / "s" / SUMMARY_TABLE).read_bytes() == (tmp_path / "summary.csv").read_bytes()
    assert (tmp_path / "s" / IMAGES_TABLE).read_text().splitlines()[1].startswith("a.png,90,60")


def test_abort_keeps_finished_rows_without_a_summary(tmp_path):
    t = StreamingTables(tmp_path)
    t.add(_rec(two_cells()))
    t.abort()
    assert (tmp_path / CELLS_TABLE).read_text().count("\n") == 3
    assert not (tmp_path / SUMMARY_TABLE).exists()
