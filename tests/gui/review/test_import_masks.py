"""Issue 25 item 3: Import masks gives every labelled pixel to a cell (or says it could not), measures
the cells again and has the model type them again, as an edit does."""

from __future__ import annotations

import shutil

import numpy as np
from PIL import Image

from ..tools.helpers import SAMPLE, RetypingPipeline


def test_imported_masks_make_whole_cells_typed_again(qtbot, make_window, tmp_path):
    pipe = RetypingPipeline()
    win = make_window(loader=lambda d: pipe)
    s, doc, menu = win.project_session, win.controller.doc, win.project_menu
    assert s.create(tmp_path / "proj")
    img = tmp_path / "field.jpg"
    shutil.copy(SAMPLE, img)
    with qtbot.waitSignal(win.controller.runner.idle, timeout=20000):
        win.controller.open_paths([str(img)])
    qtbot.waitUntil(lambda: doc.entries and doc.entries[0].history is not None, timeout=10000)
    a = doc.entries[0].analysis
    c = a.cells[1]
    conf_before = c.confidence
    # the expert's mask: the model's, with this cell moved 6 px right, a crescent of its cytoplasm
    # drawn 3 px off its edge (no nucleus in it), and a far blob of cytoplasm with no cell at all
    expert = a.class_map.copy()
    cell = a.instances == c.cell_id
    expert[cell] = 0
    expert[:, 6:][cell[:, :-6]] = a.class_map[:, :-6][cell[:, :-6]]
    cx, cy = c.centroid[0] + 6, c.centroid[1]
    r = np.sqrt(c.area_px / np.pi)
    yy, xx = np.mgrid[0:a.shape[0], 0:a.shape[1]]
    d = np.hypot(xx - cx, yy - cy)
    crescent = (d > r + 3) & (d < r + 9) & (xx > cx + r * 0.5) & (expert == 0)
    expert[crescent] = 1
    blob = (slice(a.shape[0] - 14, a.shape[0] - 4), slice(4, 14))
    assert (expert[blob] == 0).all()
    expert[blob] = 1
    folder = tmp_path / "expert"
    folder.mkdir()
    Image.fromarray(np.choose(expert, [0, 128, 255]).astype(np.uint8)).save(folder / "field.png")

    with qtbot.waitSignal(win.edit_tools.retyper.done, timeout=30000):  # typed again, after the reload
        n, errors = menu.import_dialog(masks=folder)
    assert (n, errors) == (1, [])
    b = doc.entries[0].analysis
    cid = int(np.bincount(b.instances[crescent]).argmax())
    assert cid > 0 and (b.instances[crescent] == cid).all(), "the expert's cytoplasm belongs to no cell"
    loose = (b.class_map > 0) & (b.instances == 0)
    assert loose.sum() == 100 and loose[blob].all()  # only the far blob is left out...
    assert any("100 px in 1 region too far from any nucleus" in t for _l, t in win.controller.messages.history)
    got = b.cell(cid)  # ...and said; the cell is measured from the imported mask, and typed again
    m = b.instances == cid
    assert got.cytoplasm_area_px == int((b.class_map[m] == 1).sum()) and got.nucleus_area_px == int((b.class_map[m] == 2).sum())
    assert got.bbox[2] - 1 >= int(cx + r + 3)
    assert got.cell_type == "lymphocyte" and got.confidence == 0.9 != conf_before
    rows = {int(r_["cell_id"]): r_ for r_ in s.project.rows[s.project.images[0].key]}
    assert int(float(rows[cid]["cytoplasm_area_px"])) == got.cytoplasm_area_px
    s.close()
