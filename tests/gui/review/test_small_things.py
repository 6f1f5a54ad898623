"""Issue 25 item 8: version labels, areas in µm², the gallery scope remembered, the unfamiliar mark."""

from __future__ import annotations

from wbc_desktop.core.weights.labels import version_label
from wbc_desktop.gui.runner import describe_pipeline
from wbc_desktop.gui.viewer.hover import describe

from ..fakes import FakePipeline, synthetic_analysis
from ..tools.helpers import open_analysed


class RetrainedPipeline(FakePipeline):
    def models_info(self) -> dict:
        return {"segmenter": {"name": "v1-20261205-101200", "version": "v1-20261205-101200"},
                "classifier": {"name": "default", "version": 3}}


def test_status_bar_never_says_vv():
    text = describe_pipeline(RetrainedPipeline())
    assert "vv1" not in text and "v1-20261205-101200" in text and "default v3" in text
    assert version_label(3) == "v3" and version_label("v2-x") == "v2-x" and version_label(None) == "v?"


def test_areas_in_um2_when_the_pixel_size_is_known(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    e = win.controller.doc.current_entry
    cell = e.analysis.cells[0]
    assert e.um is None and f"area {cell.area_px} px" in describe(cell, 1, 1, e.um)  # the fake's scale: not known
    a = synthetic_analysis("x.png", e.analysis.shape, n=3)
    a.scale_method = "pixel-size"
    win.controller.doc.pixel_size_um = 0.25
    win.controller.doc.set_result(e.path, e.image, a)
    assert e.um == 0.25
    c = a.cells[0]
    assert f"area {round(c.area_px * 0.0625)} µm²" in describe(c, 1, 1, e.um)  # 0.25 µm pixels
    x, y = (int(v) for v in c.centroid)
    win.viewer._on_hover(x, y)  # the viewer's own hover label
    assert "µm²" in win.viewer.hover.text()


def test_gallery_scope_is_remembered(qtbot, make_window, tmp_path):
    win = make_window(load=False)
    assert win.scoped_gallery.scope.currentIndex() == 0
    win.scoped_gallery.set_batch(True)
    win.close()
    win2 = make_window(load=False)
    assert win2.scoped_gallery.scope.currentIndex() == 1


def test_unfamiliar_image_is_marked_in_the_list(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    e = win.controller.doc.current_entry
    assert "unfamiliar" not in win.images.list.item(0).text()
    a = synthetic_analysis(e.name, e.analysis.shape)
    a.familiarity = 0.2
    win.controller.doc.set_result(e.path, e.image, a)
    item = win.images.list.item(0)
    assert "⚠ unfamiliar" in item.text() and "differs from what the models learned" in item.toolTip()
