"""Lab learning in the window: a person's type sends the batch to the model process to be typed by example."""

from __future__ import annotations

import numpy as np

from wbc_desktop.gui.tools.learner import build_request

from .helpers import RetypingPipeline, open_analysed


class ExamplesPipeline(RetypingPipeline):
    """Types every cell it is sent as a monocyte, keeping the requests."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list = []

    def type_by_examples(self, req):
        self.requests.append(req)
        return {k: {int(i): {"cell_type": "monocyte", "confidence": 0.8, "top3": [("monocyte", 0.8)],
                             "predicted_type": "monocyte"} for i in ids} for k, (ids, _) in req.images.items()}


def test_a_persons_type_retypes_the_other_cells_in_the_background(qtbot, make_window):
    pipe = ExamplesPipeline()
    win, _ = open_analysed(qtbot, make_window, pipe)
    doc, learner = win.controller.doc, win.edit_tools.learner
    a = doc.current_entry.analysis
    assert len(a.cells) >= 3
    for k, c in enumerate(a.cells):
        c.embedding = np.full(4, k, np.float32)
    first = a.cells[0]
    counts: list = []
    with qtbot.waitSignal(learner.done, timeout=10000) as got, \
            qtbot.waitSignal(learner.estimated, timeout=10000) as line, \
            qtbot.waitSignal(doc.typesChanged, timeout=10000) as touched:
        win.controller.reclassify([first.cell_id], "lymphocyte")
        doc.countsChanged.connect(lambda: counts.append(1))
    assert touched.args[0] == [doc.current] and len(counts) == 1  # one refresh for the whole batch
    assert line.args[0].startswith(f"{len(a.cells) - 1} cells typed by 1 example of 1 type")
    req = pipe.requests[-1]
    assert req.examples.labels == ["lymphocyte"] and req.n_cells == len(a.cells) - 1
    assert got.args[0] == len(a.cells) - 1
    assert first.final_type == "lymphocyte"
    assert all(c.cell_type == "monocyte" for c in a.cells[1:])
    assert win.counts.value("monocyte") is not None


def test_no_request_without_a_persons_type_or_embeddings(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window, ExamplesPipeline())
    doc = win.controller.doc
    assert build_request(doc) is None  # no embedding on the fake's cells
    for c in doc.current_entry.analysis.cells:
        c.embedding = np.ones(4, np.float32)
    assert build_request(doc) is None  # embeddings but no example yet


def test_lab_profile_export_then_import_types_a_new_batch(qtbot, make_window, tmp_path):
    from wbc_desktop.core.lab.profile import load

    pipe = ExamplesPipeline()
    win, _ = open_analysed(qtbot, make_window, pipe)
    doc, learner, menu = win.controller.doc, win.edit_tools.learner, win.lab_profile_menu
    a = doc.current_entry.analysis
    for k, c in enumerate(a.cells):
        c.embedding = np.full(4, k, np.float32)
    assert menu.export_dialog(tmp_path / "none.json") is None  # nothing typed yet: nothing to hand on
    with qtbot.waitSignal(learner.done, timeout=10000):
        win.controller.reclassify([a.cells[0].cell_id], "lymphocyte")
    path = menu.export_dialog(tmp_path / "labA.json")
    prof = load(path)
    assert prof.examples.labels == ["lymphocyte"] and len(prof.examples.keys) == 1
    # a "new batch": the person's type undone, the profile imported instead
    win.controller.undo()
    assert a.cells[0].reviewed_type is None
    pipe.requests.clear()
    with qtbot.waitSignal(learner.done, timeout=10000):
        assert menu.import_dialog(path)
    req = pipe.requests[-1]
    assert req.examples.labels == ["lymphocyte"] and req.examples.keys[0].startswith("profile:")
    assert req.n_cells == len(a.cells)


def test_undoing_the_last_example_gives_the_cells_their_models_types_back(qtbot, make_window):
    pipe = ExamplesPipeline()
    win, _ = open_analysed(qtbot, make_window, pipe)
    doc, learner = win.controller.doc, win.edit_tools.learner
    a = doc.current_entry.analysis
    for k, c in enumerate(a.cells):
        c.embedding = np.full(4, k, np.float32)
    before = {c.cell_id: c.cell_type for c in a.cells}
    assert any(t != "monocyte" for t in before.values())
    with qtbot.waitSignal(learner.done, timeout=10000):
        win.controller.reclassify([a.cells[0].cell_id], "lymphocyte")
    assert all(c.cell_type == "monocyte" for c in a.cells[1:])
    with qtbot.waitSignal(learner.done, timeout=10000):
        win.controller.undo()
    assert {c.cell_id: c.cell_type for c in a.cells} == before
