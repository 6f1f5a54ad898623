"""project.recovery: a damaged project.json, journal strokes, reviews from older versions."""

from __future__ import annotations

import numpy as np

from wbc_desktop.core.project import manifest
from wbc_desktop.core.project.image_files import ImageFiles
from wbc_desktop.core.project.journal import Entry
from wbc_desktop.core.project.layout import ProjectLayout
from wbc_desktop.core.project.manifest import ProjectImage
from wbc_desktop.core.project.recovery import apply_entries, migrate_review, recover_images
from wbc_desktop.core.review.store import ImageReview, ReviewStore

from tests.core.project.helpers import two_cells


def test_good_file_is_read(tmp_path):
    lay = ProjectLayout(tmp_path)
    manifest.save(tmp_path, [ProjectImage(key="a", path="a.png")], {"created_by": "ana"})
    msgs: list[str] = []
    images, extra = recover_images(lay, {}, msgs)
    assert [im.key for im in images] == ["a"] and extra["created_by"] == "ana" and msgs == []


def test_damaged_file_is_kept_aside_and_the_backup_used(tmp_path):
    lay = ProjectLayout(tmp_path)
    manifest.save(tmp_path, [ProjectImage(key="a", path="a.png")], {})
    manifest.save(tmp_path, [ProjectImage(key="a", path="a.png"), ProjectImage(key="b", path="b.png")], {})
    lay.project_file.write_text("{ torn")
    msgs: list[str] = []
    images, _ = recover_images(lay, {}, msgs)
    assert [im.key for im in images] == ["a"]  # the last good copy
    assert "last good copy" in msgs[0] and any(p.name.startswith("project.json.damaged-") for p in tmp_path.iterdir())


def test_without_any_copy_the_images_are_rebuilt_from_masks_and_rows(tmp_path):
    lay = ProjectLayout(tmp_path)
    files = ImageFiles(lay)
    a = two_cells()
    files.write_model("m", a)
    files.write_corrected("c", a.class_map, a.instances)
    msgs: list[str] = []
    images, extra = recover_images(lay, {"r": []}, msgs)
    states = {im.key: im.state for im in images}
    assert states == {"c": "corrected", "m": "analysed", "r": "new"} and extra == {}
    assert "missing; rebuilt 3 image(s)" in msgs[0]


def test_apply_entries_remeasures_and_skips_what_does_not_fit(tmp_path):
    a = two_cells()
    right = a.cells[1]
    x0, y0, x1, y1 = right.bbox
    box = (y0, y1, x0, x1)
    gone = Entry(1, "k", box, np.zeros((y1 - y0, x1 - x0), np.uint8), np.zeros((y1 - y0, x1 - x0), np.int32))
    too_big = Entry(2, "k", (0, 100, 0, 5), np.zeros((100, 5), np.uint8), None)
    msgs: list[str] = []
    assert apply_entries(a, [gone, too_big], "k", msgs) == 1
    assert [c.cell_id for c in a.cells] == [a.cells[0].cell_id] and len(a.cells) == 1  # the erased cell left
    assert msgs == ["journal: an edit of k does not fit its image; ignored"]


def test_migrate_review_keeps_the_projects_decisions(tmp_path):
    store = ReviewStore(tmp_path / "store")
    img = tmp_path / "a.png"
    img.write_bytes(b"x")
    old = ImageReview(image_path=str(img), user="bob")
    old.reviewed = {1: "monocyte", 2: "basophil", 99: "eosinophil"}
    old.signed_by, old.signed_at = "bob", "2026-01-01"
    store.save(old)
    r = ImageReview(image_path=str(img))
    r.reviewed[1] = "neutrophil"  # the project's own decision
    assert migrate_review(store, img, r, {1, 2})
    assert r.reviewed == {1: "neutrophil", 2: "basophil"} and r.signed_by == "bob"  # 99: not a cell of the project
    assert not migrate_review(store, tmp_path / "other.png", ImageReview(image_path="x"), {1})
