"""Gallery scope 'whole batch': every cell of every image, grouped, least sure first; keys, drag, undo, open."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QItemSelectionModel, QPointF, Qt
from PySide6.QtGui import QDropEvent

from wbc_desktop.core.analysis import UNIDENTIFIED
from wbc_desktop.gui.panels.batch_model import ALL, GROUP_ORDER

from tests.conftest import FIXTURES


def open_batch(qtbot, win, tmp_path, n=3):
    out = tmp_path / "imgs"
    out.mkdir()
    for p in sorted((FIXTURES / "cellavision" / "images").glob("*.png"))[:n]:
        shutil.copy(p, out / p.name)
    with qtbot.waitSignal(win.controller.runner.idle, timeout=20000):
        win.controller.open_paths([str(out)])
    win.actions_.show_gallery.trigger()
    win.scoped_gallery.set_batch(True)
    qtbot.waitUntil(lambda: len(win.batch_gallery.model.rows) == 5 * n, timeout=5000)
    return win.batch_gallery


def select(batch, rows):
    sm = batch.view.selectionModel()
    sm.clearSelection()
    for r in rows:
        sm.select(batch.model.index(r), QItemSelectionModel.SelectionFlag.Select)


def test_every_cell_of_every_image_grouped_least_sure_first(qtbot, make_window, tmp_path):
    win = make_window()
    batch = open_batch(qtbot, win, tmp_path)
    rows = batch.model.rows
    assert {i for i, _ in rows} == {0, 1, 2}
    rank = [GROUP_ORDER.index(c.final_type) for _, c in rows]
    assert rank == sorted(rank) and rows[0][1].final_type == UNIDENTIFIED  # the doubtful ones first
    for t in set(c.final_type for _, c in rows):
        confs = [c.confidence for _, c in rows if c.final_type == t]
        assert confs == sorted(confs)
    assert batch.model.counts["neutrophil"] == 3 and batch.model.counts[UNIDENTIFIED] == 3
    batch.types.setCurrentRow(1 + GROUP_ORDER.index("neutrophil"))  # filter on one group
    assert len(batch.model.rows) == 3 and all(c.final_type == "neutrophil" for _, c in batch.model.rows)
    batch.types.setCurrentRow(0)
    assert batch.model.group == ALL and len(batch.model.rows) == 15


def test_type_key_retypes_cells_of_several_images_and_undo_restores(qtbot, make_window, tmp_path):
    win = make_window()
    batch = open_batch(qtbot, win, tmp_path)
    doc = win.controller.doc
    select(batch, [0, 1, 2])  # the three unidentified cells, one per image
    picks = batch.selected_picks()
    assert sorted(i for i, _ in picks) == [0, 1, 2]
    win.actions_.by_key["type_lymphocyte"].trigger()
    for i, cid in picks:
        assert doc.entries[i].analysis.cell(cid).final_type == "lymphocyte"
    assert doc.batch_counts()["lymphocyte"] == 6 and doc.batch_counts().get(UNIDENTIFIED, 0) == 0
    assert batch.model.counts[UNIDENTIFIED] == 0
    win.actions_.undo.trigger()  # one batch step: all three back
    for i, cid in picks:
        assert doc.entries[i].analysis.cell(cid).final_type == UNIDENTIFIED
    assert batch.model.counts[UNIDENTIFIED] == 3


def test_single_retype_advances_to_the_next_cell(qtbot, make_window, tmp_path):
    win = make_window()
    batch = open_batch(qtbot, win, tmp_path)
    nxt = batch.model.rows[1]
    select(batch, [0])
    batch.reclassify_selected("neutrophil")
    assert batch.selected_picks() == [(nxt[0], nxt[1].cell_id)]


def test_drop_on_a_type_retypes(qtbot, make_window, tmp_path):
    win = make_window()
    batch = open_batch(qtbot, win, tmp_path)
    md = batch.model.mimeData([batch.model.index(r) for r in (0, 1)])
    target = batch.types.item(1 + GROUP_ORDER.index("basophil"))
    pos = batch.types.visualItemRect(target).center()
    ev = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, md, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(win.controller.doc.countsChanged, timeout=3000):
        batch.types.dropEvent(ev)
    assert win.controller.doc.batch_counts()["basophil"] == 2


def test_double_click_opens_the_cell_in_its_image(qtbot, make_window, tmp_path):
    win = make_window()
    batch = open_batch(qtbot, win, tmp_path)
    r = next(r for r, (i, _) in enumerate(batch.model.rows) if i == 2)
    i, c = batch.model.rows[r]
    batch.view.doubleClicked.emit(batch.model.index(r))
    assert win.controller.doc.current == 2 and win.controller.doc.selected == [c.cell_id]
    assert win.tabs.currentWidget() is win.viewer


def test_thumbnails_are_made_only_when_asked(qtbot, make_window, tmp_path):
    win = make_window()
    batch = open_batch(qtbot, win, tmp_path)
    batch.model._icons.clear()
    batch.model.refresh()
    assert len(batch.model._icons) == 0  # a refresh sorts; it cuts no thumbnail
    icon = batch.model.data(batch.model.index(0), Qt.ItemDataRole.DecorationRole)
    assert not icon.isNull() and len(batch.model._icons) == 1


def test_bench_runs_on_a_small_batch(qtbot, make_window):
    from benchmarks.gui_gallery import _fields, bench_gallery

    win = make_window(load=False)
    m = bench_gallery(win, _fields(60, 20))
    assert m["cells"] == 60 and m["images"] == 3 and m["open_s"] > 0  # timed by benchmarks/test_gui.py
    assert 0 < m["thumbnails_made"] <= 60


def test_clicking_a_thumbnail_makes_its_image_current(qtbot, make_window, tmp_path):
    from PySide6.QtTest import QTest

    win = make_window()
    batch = open_batch(qtbot, win, tmp_path)
    r = next(r for r, (i, _) in enumerate(batch.model.rows) if i == 1)
    i, c = batch.model.rows[r]
    rect = batch.view.visualRect(batch.model.index(r))
    QTest.mouseClick(batch.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.controller.doc.current == 1 and win.controller.doc.selected == [c.cell_id]
    assert batch.selected_picks() == [(1, c.cell_id)]


def test_digit_key_pressed_on_the_grid_retypes(qtbot, make_window, tmp_path):
    win = make_window()
    batch = open_batch(qtbot, win, tmp_path)
    select(batch, [0])
    (i, cid), = batch.selected_picks()
    win.activateWindow()
    batch.view.setFocus()
    qtbot.keyClick(batch.view, Qt.Key.Key_5)  # 5 = basophil
    assert win.controller.doc.entries[i].analysis.cell(cid).final_type == "basophil"
    qtbot.keyClick(batch.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert win.controller.doc.entries[i].analysis.cell(cid).final_type == UNIDENTIFIED


def test_a_reshaped_cells_new_crop_replaces_its_cached_thumbnail(qtbot, make_window, tmp_path):
    from PySide6.QtGui import QColor, QImage

    win = make_window()
    batch = open_batch(qtbot, win, tmp_path, n=1)
    i, c = batch.model.rows[0]
    e = win.controller.doc.entries[i]
    before = batch.model.icon(i, c).cacheKey()
    assert batch.model.icon(i, c).cacheKey() == before  # cached
    new = QImage(e.display.thumbs[c.cell_id])
    new.fill(QColor("red"))  # what tools/refresh.py puts there after a mask edit reshapes the cell
    e.display.thumbs[c.cell_id] = new
    after = batch.model.icon(i, c)
    assert after.cacheKey() != before
    assert after.pixmap(8, 8).toImage().pixelColor(4, 4).red() > 200
