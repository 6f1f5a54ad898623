"""The project in the app: new, add images, review and edit, reopen; damaged file, lock, import/export."""

from __future__ import annotations

import json
import shutil

import numpy as np
from PIL import Image

from wbc_desktop.core.editing.edits import paint_disks
from wbc_desktop.core.project.lock import ProjectLock
from wbc_desktop.core.editing.mask_edit import MaskEdit
from wbc_desktop.gui.document import DONE

from tests.conftest import FIXTURES

CV = FIXTURES / "cellavision" / "images"


def copy_images(tmp_path, n=2):
    out = tmp_path / "imgs"
    out.mkdir(exist_ok=True)
    for p in sorted(CV.glob("*.png"))[:n]:
        shutil.copy(p, out / p.name)
    return sorted(out.glob("*.png"))


def analysed(qtbot, win, paths):
    with qtbot.waitSignal(win.controller.runner.idle, timeout=20000):
        win.controller.open_paths([str(p) for p in paths])
    qtbot.waitUntil(lambda: all(e.status == DONE for e in win.controller.doc.entries), timeout=10000)


def reopen(qtbot, win, root):
    s = win.project_session
    with qtbot.waitSignal(s.loaded, timeout=20000):
        assert s.open(root)
    qtbot.waitUntil(lambda: all(e.history is not None for e in win.controller.doc.entries), timeout=10000)


def test_new_project_add_images_reopen_shows_same_reviews_and_masks(qtbot, make_window, tmp_path):
    win = make_window()
    s, doc = win.project_session, win.controller.doc
    root = tmp_path / "proj"
    assert s.create(root)
    assert (root / "project.json").is_file() and win.project_menu.close.isEnabled()
    paths = copy_images(tmp_path)
    analysed(qtbot, win, paths)
    assert len(s.project.images) == 2
    doc.set_current(0)
    e = doc.current_entry
    assert e.history is s.project.open_images[s.project.find(e.path).key].history  # the project's own history
    cid = e.analysis.cells[0].cell_id
    win.controller.reclassify([cid], "basophil")
    e.history.do(MaskEdit(e.analysis, paint_disks(e.analysis.class_map, [(4, 4), (30, 4)], 3, 2)))
    edited = e.analysis.class_map.copy()
    assert (root / "journal.jsonl").is_file()  # the stroke is on disk before the masks are written
    s.project.debounce_s = 0.0
    with qtbot.waitSignal(s.saved, timeout=5000):
        pass  # the debounced autosave writes the masks
    assert (root / "masks").is_dir()
    s.close()
    assert doc.entries == [] and not (root / ".wbc-project.lock").exists()

    reopen(qtbot, win, root)
    assert len(doc.entries) == 2
    doc.set_current(0)
    e = doc.current_entry
    assert np.array_equal(e.analysis.class_map, edited)
    assert next(c for c in e.analysis.cells if c.cell_id == cid).final_type == "basophil"
    assert win.project_menu.recent_menu.actions()[0].text() == str(root.resolve())
    assert doc.batch_counts().get("basophil") == 1


def test_kill_between_saves_keeps_the_stroke_via_the_journal(qtbot, make_window, tmp_path):
    win = make_window()
    s, doc = win.project_session, win.controller.doc
    root = tmp_path / "proj"
    s.create(root)
    analysed(qtbot, win, copy_images(tmp_path, 1))
    e = doc.entries[0]
    s.project.debounce_s = 3600  # the masks are never written: only the journal holds the stroke
    e.history.do(MaskEdit(e.analysis, paint_disks(e.analysis.class_map, [(10, 10)], 4, 2)))
    edited = e.analysis.class_map.copy()
    s.timer.stop()
    s.project._lock_file.release()  # as after a crash: nothing flushed, no close
    s.project = None
    doc.history_for = None
    win2 = make_window()
    reopen(qtbot, win2, root)
    assert any("recovered 1 unsaved edit" in m for m in [t for _, t in win2.controller.messages.history])
    assert np.array_equal(win2.controller.doc.entries[0].analysis.class_map, edited)


def test_corrupt_project_json_and_missing_image_give_a_message_and_the_rest_opens(qtbot, make_window, tmp_path):
    win = make_window()
    s = win.project_session
    root = tmp_path / "proj"
    s.create(root)
    paths = copy_images(tmp_path)
    analysed(qtbot, win, paths)
    s.close()
    (root / "project.json").write_text("{ not json", encoding="utf-8")
    paths[1].unlink()
    reopen(qtbot, win, root)
    said = " ".join(t for _, t in win.controller.messages.history)
    assert "project.json: damaged" in said
    assert "image file not found" in said
    assert [e.path.name for e in win.controller.doc.entries] == [paths[0].name]


def test_project_open_in_another_window_says_who_has_it(qtbot, make_window, tmp_path):
    win = make_window()
    root = tmp_path / "proj"
    win.project_session.create(root)
    win.project_session.close()
    lock = (root / ".wbc-project.lock")
    lock.write_text(json.dumps({"pid": 1, "host": __import__("socket").gethostname(), "user": "bob",
                                "since": "2026-01-01 10:00:00"}), encoding="utf-8")  # pid 1 is alive
    assert not win.project_session.open(root)
    assert "open in another window (user bob" in win.controller.messages.text
    assert not win.project_session.is_open
    assert ProjectLock(root).holder()["user"] == "bob"  # the other window's lock is left alone


def test_export_and_import_from_the_menu(qtbot, make_window, tmp_path):
    win = make_window()
    s, menu = win.project_session, win.project_menu
    root = tmp_path / "proj"
    s.create(root)
    analysed(qtbot, win, copy_images(tmp_path))
    files = menu.export_dialog("geojson", tmp_path / "geo")
    assert len(files) == 2 and json.loads(open(files[0]).read())["type"] == "FeatureCollection"
    assert menu.export_dialog("coco", tmp_path / "coco")[0].endswith("coco.json")
    masks = tmp_path / "masks"
    masks.mkdir()
    e = win.controller.doc.entries[0]
    m = np.zeros(e.analysis.shape, np.uint8)
    m[10:40, 10:40], m[20:30, 20:30] = 128, 255
    Image.fromarray(m).save(masks / f"{e.path.stem}.png")
    with qtbot.waitSignal(s.loaded, timeout=20000):
        n, errors = menu.import_dialog(masks=masks)
    assert (n, errors) == (1, [])
    qtbot.waitUntil(lambda: all(x.history is not None for x in win.controller.doc.entries), timeout=10000)
    got = win.controller.doc.entries[0].analysis.class_map
    assert (got[20:30, 20:30] == 2).all() and (got[10:40, 10:40] > 0).all() and got.sum() == 30 * 30 + 100


def test_the_segmenter_doubt_map_is_kept_in_the_project(qtbot, make_window, tmp_path):
    from tests.gui.test_doubt_nav import DoubtfulPipeline

    win = make_window(loader=lambda d: DoubtfulPipeline())
    s = win.project_session
    root = tmp_path / "proj"
    s.create(root)
    analysed(qtbot, win, copy_images(tmp_path, 1))
    u = win.controller.doc.entries[0].analysis.uncertainty.copy()
    s.close()
    reopen(qtbot, win, root)
    assert np.array_equal(win.controller.doc.entries[0].analysis.uncertainty, u)


def test_a_retype_by_the_model_is_written_to_cells_csv(qtbot, make_window, tmp_path):
    import csv

    win = make_window()
    s, doc = win.project_session, win.controller.doc
    root = tmp_path / "proj"
    s.create(root)
    analysed(qtbot, win, copy_images(tmp_path, 1))
    e = doc.entries[0]
    c = e.analysis.cells[0]
    c.cell_type = "eosinophil"  # as a retype in the model process sets it, without a History step
    with qtbot.waitSignal(s.rows_timer.timeout, timeout=3000):
        doc.reviewChanged.emit(0)
    rows = list(csv.DictReader(open(root / "cells.csv", encoding="utf-8")))
    assert next(r for r in rows if int(r["cell_id"]) == c.cell_id)["model_type"] == "eosinophil"


def test_reanalysing_a_corrected_image_keeps_the_corrections_aside(qtbot, make_window, tmp_path):
    win = make_window()
    s, doc = win.project_session, win.controller.doc
    root = tmp_path / "proj"
    s.create(root)
    analysed(qtbot, win, copy_images(tmp_path, 1))
    e = doc.entries[0]
    e.history.do(MaskEdit(e.analysis, paint_disks(e.analysis.class_map, [(4, 4)], 3, 2)))
    edited = e.analysis.class_map.copy()
    with qtbot.waitSignal(win.controller.runner.idle, timeout=20000):
        win.controller.reanalyse()
    qtbot.waitUntil(lambda: e.status == DONE and e.history is not None, timeout=10000)
    kept = list((root / "masks" / "replaced").glob("*.png"))
    assert len(kept) == 2 and not (root / "masks" / f"{s.project.images[0].key}.png").exists()
    mask = np.asarray(Image.open(next(k for k in kept if "instances" not in k.name)))
    assert np.array_equal(mask == 255, edited == 2)  # the person's drawing, not lost
    assert "kept in the project" in win.controller.messages.text


def test_a_refused_project_leaves_the_open_one_open(qtbot, make_window, tmp_path):
    win = make_window()
    s = win.project_session
    assert s.create(tmp_path / "a")
    analysed(qtbot, win, copy_images(tmp_path, 1))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "project.json").write_text(json.dumps({"format": "wbc-desktop-project", "version": 99}))
    assert not s.open(tmp_path / "b")
    assert "newer WBC Desktop" in win.controller.messages.text
    assert s.project.root == tmp_path / "a" and len(win.controller.doc.entries) == 1


def test_a_dropped_project_folder_opens_as_the_project(qtbot, make_window, tmp_path):
    win = make_window()
    s = win.project_session
    root = tmp_path / "proj"
    s.create(root)
    analysed(qtbot, win, copy_images(tmp_path, 2))
    s.close()
    with qtbot.waitSignal(s.loaded, timeout=20000):
        win.drops.open_fn([str(root)])  # what a drop of the folder calls
    assert s.is_open and len(win.controller.doc.entries) == 2
    assert all(e.path.parent.name == "imgs" for e in win.controller.doc.entries)  # not its masks


def test_the_project_joins_by_a_signal_and_a_hook_not_by_patching(qtbot, make_window, tmp_path):
    win = make_window()
    c = win.controller
    assert "add" not in vars(c.doc) and "open_paths" not in vars(c)  # the methods are the classes' own
    s = win.project_session
    s.create(tmp_path / "proj")
    paths = copy_images(tmp_path, 1)
    c.doc.add(paths)  # an image opened while the project is open joins it (Document.pathsAdded)
    assert s.project.find(paths[0]) is not None
