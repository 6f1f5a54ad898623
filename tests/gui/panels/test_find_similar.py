"""Find similar: Shift+S or the context menu shows the batch's cells most like one, most similar first;
a digit key types the selected ones as one batch step, which Ctrl+Z undoes."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from wbc_desktop.gui.panels.batch_model import SIMILAR

from .test_batch_gallery import open_batch, select


def _embed(doc):
    """Embeddings: cell k of every image along direction k, so a cell's like are the same k elsewhere."""
    for i, e in enumerate(doc.entries):
        for k, c in enumerate(e.analysis.cells):
            v = np.zeros(8, np.float32)
            v[k] = 1.0
            v[7] = 0.01 * i
            c.embedding = v


def test_shift_s_shows_the_most_similar_cells_first_and_a_key_types_them(qtbot, make_window, tmp_path):
    win = make_window()
    batch = open_batch(qtbot, win, tmp_path)
    doc, fs = win.controller.doc, win.find_similar
    _embed(doc)
    win.scoped_gallery.set_batch(False)
    doc.set_current(1)
    target = doc.entries[1].analysis.cells[2]
    doc.select([target.cell_id])
    assert fs.action.shortcut() == QKeySequence("Shift+S")
    fs.action.trigger()
    assert win.scoped_gallery.batch_shown and batch.model.group == SIMILAR
    rows = batch.model.rows
    assert len(rows) == 15 and rows[0] == (1, target)  # the cell itself first
    like = {(i, c.cell_id) for i, c in rows[:3]}
    assert like == {(i, doc.entries[i].analysis.cells[2].cell_id) for i in range(3)}
    sims = [batch.model._sim[(i, c.cell_id)] for i, c in rows]
    assert sims == sorted(sims, reverse=True)
    assert batch.types.currentItem().data(Qt.ItemDataRole.UserRole) == SIMILAR
    assert "≈1.00" in batch.model.data(batch.model.index(0))
    select(batch, [1, 2])
    picks = batch.selected_picks()
    win.actions_.by_key["type_monocyte"].trigger()
    assert all(doc.entries[i].analysis.cell(cid).final_type == "monocyte" for i, cid in picks)
    assert batch.model.group == SIMILAR and batch.model.rows[0] == (1, target)  # the result stays
    win.actions_.undo.trigger()
    assert all(doc.entries[i].analysis.cell(cid).reviewed_type is None for i, cid in picks)


def test_the_context_menu_offers_it_and_a_cell_without_embedding_is_said(qtbot, make_window, tmp_path):
    win = make_window()
    batch = open_batch(qtbot, win, tmp_path)
    fs = win.find_similar
    assert any(label.startswith("Find similar cells") for label, _ in batch.menu_extras)
    assert any(label.startswith("Find similar cells") for label, _ in win.gallery.menu_extras)
    batch.view.setCurrentIndex(batch.model.index(0))
    assert "no embedding" in fs.trigger()  # the fake pipeline's cells carry none
    _embed(win.controller.doc)
    label, fn = batch.menu_extras[0]
    i, c = batch.model.rows[0]
    fn([(i, c.cell_id)])  # what the menu passes: the selected cells
    assert batch.model.group == SIMILAR and len(batch.model.rows) == 15
