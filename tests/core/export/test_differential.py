"""Differential percentages are out of the WBCs; platelets and erythroblasts are per 100 WBC."""

from __future__ import annotations

from wbc_desktop.core.export.differential import percent_of_wbc, wbc_total
from wbc_desktop.core.export.tables import count_rows


def test_percent_of_wbc_leaves_platelets_out_of_the_denominator():
    counts = {"neutrophil": 3, "lymphocyte": 1, "platelet": 6, "erythroblast": 2}
    assert wbc_total(counts) == 4
    pct = percent_of_wbc(counts)
    assert pct["neutrophil"] == (3, 75.0) and pct["lymphocyte"] == (1, 25.0)
    assert pct["erythroblast"] == (2, 50.0)  # 2 per 4 WBC = 50 per 100 WBC
    assert sum(p for t, (_, p) in pct.items() if t not in ("platelet", "erythroblast")) == 100.0


def test_summary_rows_list_wbc_types_then_unidentified_then_others():
    rows = count_rows({"platelet": 5, "unidentified": 1, "neutrophil": 2, "monocyte": 1}, "a.png")
    assert [r["cell_type"] for r in rows] == ["neutrophil", "monocyte", "unidentified", "platelet"]
    assert [r["percent"] for r in rows] == ["50.0", "25.0", "25.0", "125.0"]


def test_only_non_wbc_cells_give_zero_percent_not_a_crash():
    assert percent_of_wbc({"platelet": 3}) == {"platelet": (3, 0.0)}


def test_images_csv_names_the_colour_reference():
    import numpy as np

    from wbc_desktop.core.analysis import Analysis
    from wbc_desktop.core.export.tables import IMAGE_COLUMNS, image_row

    a = Analysis("x.png", (4, 4), np.zeros((4, 4), np.uint8), np.zeros((4, 4), np.int32),
                 standardisation="pbc (plasma + red cells)")
    row = image_row(a)
    assert "standardisation" in IMAGE_COLUMNS and row["standardisation"] == "pbc (plasma + red cells)"
    assert set(row) == set(IMAGE_COLUMNS)
