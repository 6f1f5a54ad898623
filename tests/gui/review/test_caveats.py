"""Issue 25 item 2: the counts panel says what the count rests on; one border rule for gallery and count;
signing takes a typed name and confirmation and hides none of it."""

from __future__ import annotations

from ..fakes import FakePipeline
from ..tools.helpers import open_analysed


class DoubtfulPipeline(FakePipeline):
    """The fake's five cells (one unidentified, the last on the border) on a flagged field, scale assumed,
    one typed cell doubtful."""

    def analyze(self, image, **kw):
        a = super().analyze(image, **kw)
        a.familiarity, a.scale_method, a.scale_confidence = 0.2, "assumed", 0.0
        a.cells[0].doubt = "far from the neutrophils it was trained on"
        return a


def test_counts_panel_lists_what_the_count_rests_on_and_signing_keeps_it(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window, DoubtfulPipeline())
    panel = win.counts
    text = panel.caveats.text()
    assert panel.caveats.isVisible() or not win.isVisible()
    for want in ("1 image flagged as unlike the training data", "1 cell of 4 unidentified",
                 "1 cell typed but doubtful", "1 cell cut by the image border not counted", "scale assumed on 1 image"):
        assert want in text, want
    assert "scale assumed" in panel.title.text()  # the per-image scale note where the reviewer looks
    win.actions_.sign.trigger()
    assert win.controller.doc.current_entry.signed
    assert panel.caveats.text() == text and not panel.caveats.isHidden(), "signing hid the caveats"
    assert "Test Reviewer" in panel.title.text()


def test_gallery_and_differential_count_the_border_cell_the_same(qtbot, make_window):
    win, _ = open_analysed(qtbot, make_window)
    doc, gallery = win.controller.doc, win.gallery
    border = [c for c in doc.current_entry.analysis.cells if c.touches_border][0]
    win.actions_.show_gallery.trigger()
    doc.select([border.cell_id])
    win.controller.reclassify([border.cell_id], "neutrophil")  # confirmed in the gallery
    header = gallery.headers["neutrophil"].text()
    assert header.startswith(f"Neutrophil  ·  {win.counts.value('neutrophil')}")  # same number as the count
    assert "+ 1 on the border, not counted" in header
    lst = gallery.groups["neutrophil"]
    captions = [lst.item(r).text() for r in range(lst.count())]
    assert any(f"#{border.cell_id}" in t and "⊘ border" in t for t in captions)
    win.counts.border.setChecked(True)  # count them: both move together
    assert gallery.headers["neutrophil"].text().startswith(f"Neutrophil  ·  {win.counts.value('neutrophil')}")
    assert "on the border" not in gallery.headers["neutrophil"].text()


def test_sign_dialog_needs_a_name_and_shows_the_caveats(qtbot):
    from wbc_desktop.gui.report.sign_dialog import SignDialog

    dlg = SignDialog("field.png", ["1 cell of 4 unidentified (counted in the total, in no type)"])
    qtbot.addWidget(dlg)
    assert not dlg.sign.isEnabled()  # no name guessed from the OS login
    qtbot.keyClicks(dlg.name, "Dr A. Smith")
    assert dlg.sign.isEnabled() and dlg.who() == "Dr A. Smith"
    assert "1 cell of 4 unidentified" in dlg.info.text()
