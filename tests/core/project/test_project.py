"""The project folder: save and reopen, journal replay, lock, damaged files, migration."""

import json
import shutil

import numpy as np
import pytest
from PIL import Image

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.io.images import read_image, read_mask
from wbc_desktop.core.editing.edits import paint_disks
from wbc_desktop.core.review.history import Reclassify, Sign
from wbc_desktop.core.project.layout import LOCK_FILE
from wbc_desktop.core.project.lock import ProjectLocked
from wbc_desktop.core.editing.mask_edit import MaskEdit
from wbc_desktop.core.project.project import Project
from wbc_desktop.core.project.manifest import ProjectError
from wbc_desktop.core.review.store import ImageReview, ReviewStore

from tests.conftest import FIXTURES

CV = FIXTURES / "cellavision"


def fake_analysis(image_path):
    """The expert mask standing in for the model's output (no network in these tests)."""
    img = read_image(image_path)
    cm = read_mask(CV / "masks" / (image_path.stem + ".png"), img.shape)
    inst, cells = find_cells(cm)
    for c in cells:
        c.cell_type, c.confidence, c.predicted_type = "neutrophil", 0.9, "neutrophil"
    a = Analysis(image_path.name, cm.shape, cm, inst, cells, models={"segmenter": {"name": "test", "version": "1"}})
    return a


def images(tmp_path, n=2):
    src = sorted((CV / "images").glob("*.png"))[:n]
    out = tmp_path / "imgs"
    out.mkdir(exist_ok=True)
    for p in src:
        shutil.copy(p, out / p.name)
    return sorted(out.glob("*.png"))


def new_project(tmp_path, n=2):
    root = tmp_path / "proj"
    p = Project.create(root, user="ana")
    for path in images(tmp_path, n):
        im = p.add_image(path)
        p.save_analysis(im, fake_analysis(path))
    return p, root


def test_edit_retype_sign_save_and_reopen(tmp_path):
    p, root = new_project(tmp_path)
    im, im2 = p.images
    a = p.load_analysis(im)
    h = p.attach(im, a)
    h.do(Reclassify((1,), "lymphocyte"))
    h.do(MaskEdit(a, paint_disks(a.class_map, [(5, 5), (40, 5)], 4, 2)))
    edited = a.class_map.copy()
    assert (root / "journal.jsonl").is_file()
    p.close()
    assert not (root / "journal.jsonl").exists()  # the masks hold the strokes now
    assert (root / "masks" / f"{im.key}.png").is_file() and not (root / "masks" / f"{im2.key}.png").exists()
    mask = np.asarray(Image.open(root / "masks" / f"{im.key}.png"))
    assert set(np.unique(mask).tolist()) <= {0, 128, 255}

    q = Project.open(root, user="ben")
    assert q.messages == []
    im = q.find(im.key)
    assert im.state == "reviewed" and im.marks["corrected"]["by"] == "ana"
    a2 = q.load_analysis(im)
    assert np.array_equal(a2.class_map, edited)
    r = q.review_for(im)
    assert r.reviewed == {1: "lymphocyte"} and r.set_by[1][0] == "ana"
    h2 = q.attach(im, a2)
    h2.do(Sign("ben"))
    assert q.status_counts() == {"new": 0, "analysed": 1, "corrected": 0, "reviewed": 0, "signed": 1}
    q.close()
    doc = json.loads((root / "project.json").read_text())
    assert doc["format"] == "wbc-desktop-project" and doc["version"] == 1
    assert doc["images"][0]["marks"]["signed"]["by"] == "ben"
    assert doc["images"][0]["models"]["segmenter"]["name"] == "test"


def test_unsaved_strokes_are_replayed_from_the_journal(tmp_path):
    p, root = new_project(tmp_path, 1)
    im = p.images[0]
    a = p.load_analysis(im)
    h = p.attach(im, a)
    for i in range(5):
        h.do(MaskEdit(a, paint_disks(a.class_map, [(10 + 20 * i, 10)], 3, 2)))
    h.undo()
    expect = a.class_map.copy()
    p._lock_file.release()  # a crash: no flush, no close
    q = Project.open(root)
    assert "recovered 6 unsaved edit(s)" in q.messages[0]
    a2 = q.load_analysis(q.images[0])
    assert np.array_equal(a2.class_map, expect)
    assert a2.class_map[10, 70] == 2 and a2.class_map[10, 90] != 2
    assert not (root / "journal.jsonl").exists()
    q.close()


def test_lock_names_its_holder_and_a_stale_lock_is_taken_over(tmp_path):
    p, root = new_project(tmp_path, 1)
    with pytest.raises(ProjectLocked, match="already open in this window"):
        Project.open(root)
    lock = json.loads((root / LOCK_FILE).read_text())
    lock["pid"] = 999999  # another process on this host that has died
    (root / LOCK_FILE).write_text(json.dumps(lock))
    q = Project.open(root)  # taken over
    assert q.images
    lock2 = json.loads((root / LOCK_FILE).read_text())
    lock2["pid"] = 1  # alive (init)
    (root / LOCK_FILE).write_text(json.dumps(lock2))
    with pytest.raises(ProjectLocked, match="open in another window .*process 1"):
        Project.open(root)


def test_damaged_project_json_and_missing_image_open_with_messages(tmp_path):
    p, root = new_project(tmp_path)
    p.close()
    names = [im.name for im in p.images]
    (root / "project.json").write_text('{"format": "wbc-desktop-project", "version": 1, "images": [')
    q = Project.open(root)
    assert "damaged" in q.messages[0] and "project.json.bak" in q.messages[0]
    assert [im.name for im in q.images] == names
    q.close()
    (root / "project.json").write_text("garbage")
    (root / "project.json.bak").write_text("garbage")
    (tmp_path / "imgs" / names[0]).unlink()
    q = Project.open(root)
    assert "rebuilt 2 image(s)" in q.messages[0]
    assert any(names[0].split(".")[0] in m and "not found" in m for m in q.messages)
    a = q.load_analysis(q.images[1])  # the rest opens, cells and types from cells.csv
    assert a is not None and a.cells and a.cells[0].cell_type == "neutrophil"
    q.close()


def test_moved_image_is_found_again_by_sha256(tmp_path):
    p, root = new_project(tmp_path, 1)
    im = p.images[0]
    p.close()
    src = tmp_path / "imgs" / im.name
    (root / "data").mkdir()
    src.rename(root / "data" / im.name)
    q = Project.open(root)
    assert q.messages == [] and q.image_path(q.images[0]) == (root / "data" / im.name).resolve()
    q.close()


def test_newer_format_is_refused_clearly(tmp_path):
    p, root = new_project(tmp_path, 1)
    p.close()
    doc = json.loads((root / "project.json").read_text())
    doc["version"] = 99
    (root / "project.json").write_text(json.dumps(doc))
    with pytest.raises(ProjectError, match="newer WBC Desktop"):
        Project.open(root)
    assert not (root / LOCK_FILE).exists()


def test_reviews_of_the_user_folder_are_migrated_once(tmp_path):
    store = ReviewStore(tmp_path / "reviews")
    p, root = new_project(tmp_path, 1)
    path = p.image_path(p.images[0])
    p.close()
    old = ImageReview(str(path), reviewed={1: "monocyte"}, signed_by="carl", signed_at="2026-01-01")
    store.save(old)
    q = Project.open(root, review_store=store)
    im = q.images[0]
    q.attach(im, q.load_analysis(im))
    assert im.state == "signed" and any("moved into the project" in m for m in q.messages)
    q.close()
    rows = (root / "cells.csv").read_text()
    assert "monocyte" in rows
    assert json.loads((root / "project.json").read_text())["images"][0]["review_migrated"] is True


def test_old_review_files_still_load():
    text = json.dumps({"format": "wbc-desktop-review", "version": 1, "image_path": "x", "reviewed": {"3": "ig"}})
    r = ImageReview.from_json(text)
    assert r.reviewed == {3: "ig"} and r.set_by == {}


def test_unreadable_cells_table_is_said_and_the_project_opens(tmp_path):
    p, root = new_project(tmp_path, 1)
    p.close()
    (root / "cells.csv").write_text("image,x0\nk,1\n")  # columns missing
    q = Project.open(root, user="ana")
    try:
        assert any(m.startswith("cells.csv: unreadable") for m in q.messages)
        assert q.load_analysis(q.images[0]) is not None  # the cells come from the masks again
    finally:
        q.close()


def test_cells_embeddings_come_back_when_the_project_is_reopened(tmp_path):
    """Lab learning needs each cell's embedding after a reopen (embeddings/<key>.npz, no pickle)."""
    root = tmp_path / "proj"
    p = Project.create(root, user="ana")
    path = images(tmp_path, 1)[0]
    a = fake_analysis(path)
    a.models["classifier"] = {"name": "tiny", "version": "1"}
    for c in a.cells:
        c.embedding = np.arange(8, dtype=np.float32) + c.cell_id
    im = p.add_image(path)
    p.save_analysis(im, a)
    p.close()
    assert (root / "embeddings" / f"{im.key}.npz").is_file()
    with np.load(root / "embeddings" / f"{im.key}.npz", allow_pickle=False) as z:
        assert str(z["space"]) == "tiny v1"
    q = Project.open(root, user="ben")
    b = q.load_analysis(q.find(im.key))
    assert [c.cell_id for c in b.cells] == [c.cell_id for c in a.cells]
    for c, d in zip(a.cells, b.cells):
        assert d.embedding is not None and np.array_equal(c.embedding, d.embedding)
    q.close()
