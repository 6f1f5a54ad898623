"""project.cells_table: the project's cells.csv round-trips cells and the person's types."""

from __future__ import annotations

import pytest

from wbc_desktop.core.project import cells_table
from wbc_desktop.core.project.cells_table import PROJECT_CELL_COLUMNS
from wbc_desktop.core.export.tables import EXPORT_CELL_COLUMNS
from wbc_desktop.core.review.store import ImageReview

from tests.core.project.helpers import two_cells


def test_rows_write_read_and_back_to_cells_and_review(tmp_path):
    a = two_cells()
    r = ImageReview(image_path="a.png", user="ana")
    first = a.cells[0].cell_id
    r.reviewed[first] = "eosinophil"
    r.set_by[first] = ("ana", "2026-12-06T05:00:00")
    rows = cells_table.rows_for("a", a, r)
    assert [x["person_type"] for x in rows] == ["eosinophil", ""]
    assert rows[0]["set_by"] == "ana" and rows[1]["set_by"] == ""  # only a person's type has an author

    path = tmp_path / "cells.csv"
    cells_table.write(path, {"a": rows, "b": []}, ["b", "a"])
    assert path.read_text().splitlines()[0].split(",") == PROJECT_CELL_COLUMNS
    back = cells_table.read(path)
    assert list(back) == ["a"] and len(back["a"]) == 2

    cells = cells_table.cells_from_rows(back["a"])
    assert [c.cell_id for c in cells] == [c.cell_id for c in a.cells]
    assert [c.bbox for c in cells] == [c.bbox for c in a.cells]
    assert cells[0].cell_type == "neutrophil" and cells[0].top3[0] == ("neutrophil", 0.9)
    r2 = ImageReview(image_path="a.png")
    cells_table.review_from_rows(back["a"], r2)
    assert r2.reviewed == {first: "eosinophil"} and r2.set_by[first] == ("ana", "2026-12-06T05:00:00")


def test_two_schemas_two_names():
    """The project's table keeps both decisions; analyze's export has the final type only."""
    assert {"model_type", "person_type", "set_by"} <= set(PROJECT_CELL_COLUMNS)
    assert "cell_type" in EXPORT_CELL_COLUMNS and "person_type" not in EXPORT_CELL_COLUMNS


def test_missing_file_is_empty_and_damaged_file_names_the_problem(tmp_path):
    assert cells_table.read(tmp_path / "none.csv") == {}
    p = tmp_path / "cells.csv"
    p.write_text("image,x0\nk,1\n")
    with pytest.raises(ValueError, match="missing columns cell_id"):
        cells_table.read(p)
    p.write_text("image,cell_id,x0,y0,x1,y1\nk,one,0,0,1,1\n")
    with pytest.raises(ValueError, match="line 2: cell_id is not a number"):
        cells_table.read(p)
