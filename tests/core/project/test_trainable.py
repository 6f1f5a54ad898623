"""project.trainable: what a project offers to retraining, read without opening (locking) it."""

from __future__ import annotations

import pytest

from wbc_desktop.core.project import cells_table, manifest
from wbc_desktop.core.project.image_files import ImageFiles
from wbc_desktop.core.project.layout import ProjectLayout
from wbc_desktop.core.project.manifest import ProjectError, ProjectImage
from wbc_desktop.core.project.trainable import find_image, list_trainable
from wbc_desktop.core.review.store import ImageReview

from tests.core.project.helpers import two_cells


def test_corrected_or_typed_images_only(tmp_path):
    lay = ProjectLayout(tmp_path)
    (tmp_path / "a.png").write_bytes(b"x")
    ims = [ProjectImage(key=k, path=f"{k}.png", name=f"{k}.png") for k in ("a", "b", "c")]
    manifest.save(tmp_path, ims, {})
    a = two_cells()
    ImageFiles(lay).write_corrected("a", a.class_map, a.instances)  # a: corrected masks
    r = ImageReview(image_path="b.png")
    r.reviewed[a.cells[0].cell_id] = "basophil"  # b: one cell typed by a person
    rows = {"a": cells_table.rows_for("a", a, None), "b": cells_table.rows_for("b", a, r),
            "c": cells_table.rows_for("c", a, None)}  # c: the model's output only
    cells_table.write(lay.cells_file, rows, ["a", "b", "c"])
    items = list_trainable(tmp_path)
    assert [(i.key, i.corrected, i.typed) for i in items] == [("a", True, 0), ("b", False, 1)]
    assert items[0].path == (tmp_path / "a.png") and items[1].path is None  # b's file is missing
    assert find_image(items, "b") is items[1] and find_image(items, "a.png") is items[0]
    assert find_image(items, "c") is None


def test_not_a_project(tmp_path):
    with pytest.raises(ProjectError, match="not a WBC Desktop project"):
        list_trainable(tmp_path)
    ProjectLayout(tmp_path).project_file.write_text("{ torn")
    with pytest.raises(ProjectError, match="cannot be read"):
        list_trainable(tmp_path)
