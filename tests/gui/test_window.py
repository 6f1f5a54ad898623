"""Drive the real window (offscreen) with a fake pipeline: open, overlay, count, review, export, errors."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from wbc_desktop.core.errors import ModelError
from wbc_desktop.core.io.paths import samples_dir
from wbc_desktop.gui.document import CANCELLED, DONE, FAILED, NO_MODEL

from .fakes import FakePipeline

SAMPLE = samples_dir() / "smear_field_bccd_00010.jpg"


def open_and_wait(qtbot, win, paths):
    runner = win.controller.runner
    with qtbot.waitSignal(runner.idle, timeout=10000):
        win.controller.open_paths([str(p) for p in paths])


def test_open_sample_shows_overlay_boxes_and_counts(qtbot, make_window):
    win = make_window()
    open_and_wait(qtbot, win, [SAMPLE])
    e = win.controller.doc.current_entry
    assert e.status == DONE and len(e.analysis.cells) == 5
    fill = win.viewer.masks.fill_item.pixmap()
    assert (fill.width(), fill.height()) == (e.image.shape[1], e.image.shape[0])
    assert win.viewer.masks.fill_item.isVisible() and not win.viewer.masks.outline_path("nucleus").isEmpty()
    assert len(win.viewer.masks.cell_items) == 5 and len(win.viewer.boxes.boxes) == 5
    # The fill is the class map: a nucleus pixel carries the nucleus colour, background is clear.
    img = fill.toImage()
    cx, cy = (int(v) for v in e.analysis.cell(1).centroid)
    assert img.pixelColor(cx, cy).alpha() > 0 and img.pixelColor(0, 0).alpha() == 0
    # 5 cells, one cut by the border (not counted), one below the model's threshold.
    assert win.counts.value("neutrophil") == "1"
    assert win.counts.value("unidentified") == "1"
    assert win.counts.value("lymphocyte", "%") == "25.0"
    win.actions_.show_gallery.trigger()
    assert win.gallery.groups["unidentified"].count() == 1
    assert win.gallery.groups["neutrophil"].item(0).icon().availableSizes()
    assert "fake v1" in win.status.device.text()


def test_reclassify_by_action_changes_count_and_undo_restores(qtbot, make_window, tmp_path):
    win = make_window()
    open_and_wait(qtbot, win, [SAMPLE])
    doc = win.controller.doc
    win.actions_.show_gallery.trigger()
    doc.select([2])  # the lymphocyte
    with qtbot.waitSignal(doc.countsChanged):
        win.actions_.by_key["type_monocyte"].trigger()
    assert win.counts.value("lymphocyte") == "0" and win.counts.value("monocyte") == "2"
    assert win.gallery.groups["monocyte"].count() == 2
    assert "✎" in win.viewer.boxes.boxes[2][1].text
    assert win.actions_.undo.isEnabled() and "monocyte" in win.actions_.undo.text()
    # Autosaved at once.
    saved = list((tmp_path / "reviews").glob("*.review.json"))
    assert len(saved) == 1 and '"2": "monocyte"' in saved[0].read_text()
    win.actions_.undo.trigger()
    assert win.counts.value("lymphocyte") == "1" and win.counts.value("monocyte") == "1"
    win.actions_.redo.trigger()
    assert win.counts.value("monocyte") == "2"


def test_reclassify_by_digit_key_in_gallery(qtbot, make_window):
    win = make_window()
    open_and_wait(qtbot, win, [SAMPLE])
    win.tabs.setCurrentWidget(win.gallery)
    unidentified = win.gallery.groups["unidentified"]
    unidentified.item(0).setSelected(True)  # selection flows to the document
    assert win.controller.doc.selected == [3]
    win.activateWindow()
    unidentified.setFocus()
    qtbot.keyClick(unidentified, Qt.Key.Key_1)  # 1 = neutrophil
    assert win.counts.value("neutrophil") == "2" and win.counts.value("unidentified") == "0"


def test_gallery_drop_reclassifies(qtbot, make_window):
    win = make_window()
    open_and_wait(qtbot, win, [SAMPLE])
    win.actions_.show_gallery.trigger()
    source, target = win.gallery.groups["neutrophil"], win.gallery.groups["basophil"]
    md = source.mimeData([source.item(0)])  # what dragging the thumbnail carries
    ev = QDropEvent(QPointF(5, 5), Qt.DropAction.MoveAction | Qt.DropAction.CopyAction, md, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(win.controller.doc.countsChanged):
        target.dropEvent(ev)  # Qt routes drops only inside a real drag loop, so deliver it directly
    assert ev.dropAction() == Qt.DropAction.CopyAction  # the source keeps its items; the gallery rebuilds
    assert win.counts.value("basophil") == "1" and win.counts.value("neutrophil") == "0"


def test_click_selects_cell_in_viewer(qtbot, make_window):
    win = make_window()
    open_and_wait(qtbot, win, [SAMPLE])
    c = win.controller.doc.current_entry.analysis.cell(4)
    win.actions_.show_gallery.trigger()
    win.viewer.view.clicked.emit(c.centroid[0], c.centroid[1], Qt.KeyboardModifier.NoModifier)
    assert win.controller.doc.selected == [4]
    assert win.gallery.groups["monocyte"].item(0).isSelected()


def test_signed_image_refuses_changes_until_unsigned(qtbot, make_window):
    win = make_window()
    open_and_wait(qtbot, win, [SAMPLE])
    win.actions_.sign.trigger()
    assert win.controller.doc.current_entry.signed and "signed" in win.counts.title.text()
    assert "1 cell still unidentified" in win.controller.messages.text
    win.controller.doc.select([1])
    win.actions_.by_key["type_basophil"].trigger()
    assert win.counts.value("basophil") == "0"
    assert "signed" in win.controller.messages.text
    win.actions_.sign.trigger()  # unsign
    win.actions_.by_key["type_basophil"].trigger()
    assert win.counts.value("basophil") == "1"


def test_threshold_moves_cells_to_and_from_unidentified(qtbot, make_window, settings):
    win = make_window()
    open_and_wait(qtbot, win, [SAMPLE])
    win.gallery.threshold.setValue(0.9)  # only 0.95 (and the uncounted border cell) stay typed
    assert win.counts.value("unidentified") == "3"
    assert settings.threshold == pytest.approx(0.9)
    win.gallery.threshold.setValue(0.0)  # back to the model's own decision
    assert win.counts.value("unidentified") == "1"


def test_export_csv_reflects_review(qtbot, make_window, tmp_path):
    win = make_window()
    open_and_wait(qtbot, win, [SAMPLE])
    win.controller.doc.select([2])
    win.actions_.by_key["type_monocyte"].trigger()
    out = win.controller.export_csv(tmp_path / "diff.csv")
    rows = list(csv.DictReader(out.open()))
    mono = [r for r in rows if r["image"] == SAMPLE.name and r["cell_type"] == "monocyte"]
    assert mono and mono[0]["count"] == "2" and mono[0]["percent"] == "50.0"
    cells = list(csv.DictReader((tmp_path / "diff-cells.csv").open()))
    assert len(cells) == 5 and cells[1]["cell_type"] == "monocyte"


def test_export_pdf(qtbot, make_window, tmp_path):
    win = make_window()
    open_and_wait(qtbot, win, [SAMPLE])
    out = win.controller.export_pdf(win.viewer.masks.style, tmp_path / "report.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000  # holds the overlay image


def test_corrupt_file_shows_message_not_crash(qtbot, make_window, tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)
    win = make_window()
    with qtbot.waitSignal(win.controller.runner.imageFailed, timeout=5000):
        win.controller.open_paths([bad])
    assert win.controller.doc.entries[0].status == FAILED
    assert "broken.png" in win.controller.messages.text and win.controller.messages.level == "error"
    open_and_wait(qtbot, win, [SAMPLE])  # and the app carries on
    assert win.controller.doc.current_entry.status == DONE


def test_model_load_failure_still_opens_images(qtbot, make_window):
    def broken(device):
        raise ModelError("no segmenter model named or at 'default' (known: none)")

    win = make_window(loader=broken)
    assert "could not be loaded" in win.controller.messages.text
    assert win.status.device.text() == "No models loaded"
    open_and_wait(qtbot, win, [SAMPLE])
    e = win.controller.doc.current_entry
    assert e.status == NO_MODEL and e.image is not None and win.viewer.view.has_image()
    assert not win.viewer.masks.fill_item.isVisible() or win.viewer.masks.fill_item.pixmap().isNull()


def test_cancel_stops_analysis(qtbot, make_window):
    win = make_window(loader=lambda d: FakePipeline(steps=200, step_s=0.01))
    runner = win.controller.runner
    with qtbot.waitSignal(runner.progress, timeout=5000):
        win.controller.open_paths([SAMPLE])
    with qtbot.waitSignal(runner.imageFailed, timeout=5000) as blocker:
        win.status.cancel_button.click()
    assert blocker.args[2] is True
    assert win.controller.doc.current_entry.status == CANCELLED


def test_results_are_cached_per_image(qtbot, make_window):
    fake = FakePipeline()
    win = make_window(loader=lambda d: fake)
    other = samples_dir() / "single_cell_pbc_eosinophil.jpg"
    open_and_wait(qtbot, win, [SAMPLE, other])
    assert fake.calls == 2
    doc = win.controller.doc
    doc.set_current(1)
    doc.set_current(0)
    win.controller.open_paths([SAMPLE])  # reopening an unchanged file: no new analysis
    assert fake.calls == 2 and not win.controller.runner.busy
    assert win.counts.value("neutrophil", "Batch") == "2"


def test_folder_batch_and_formats(qtbot, make_window, tmp_path):
    rgb = np.asarray(Image.open(SAMPLE))[:200, :300]
    Image.fromarray(rgb).save(tmp_path / "a.bmp")
    Image.fromarray(rgb[..., 0]).save(tmp_path / "b_gray.png")
    import tifffile

    tifffile.imwrite(tmp_path / "c16.tif", (rgb.astype(np.uint16) * 257))
    (tmp_path / "notes.txt").write_text("not an image")
    win = make_window()
    open_and_wait(qtbot, win, [tmp_path])
    doc = win.controller.doc
    assert [e.status for e in doc.entries] == [DONE, DONE, DONE]
    assert any("16-bit" in n for n in doc.entries[2].notes)
    assert win.counts.value("neutrophil", "Batch") == "3"


def test_drop_files_on_viewer_opens_them(qtbot, make_window):
    win = make_window()
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(SAMPLE))])
    vp = win.viewer.view.viewport()
    ev = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, md, Qt.MouseButton.NoButton,
                    Qt.KeyboardModifier.NoModifier)
    # Qt only routes drops during a real drag, so hand the event to the window's drop filter.
    with qtbot.waitSignal(win.controller.runner.idle, timeout=10000):
        assert win.drops.eventFilter(vp, ev)
    assert win.controller.doc.current_entry.path == SAMPLE


def test_recent_files_and_overlay_settings_persist(qtbot, make_window, settings):
    win = make_window()
    open_and_wait(qtbot, win, [SAMPLE])
    assert settings.recent_files()[0] == str(SAMPLE.resolve())
    assert win.actions_.recent_menu.actions()[0].text() == str(SAMPLE.resolve())
    win.viewer.opacity.setValue(70)
    win.viewer.outline_check.setChecked(False)
    assert settings.overlay()["opacity"] == pytest.approx(0.7) and settings.overlay()["outline"] is False
    assert not win.viewer.masks.nucleus_group.isVisible()
    win.actions_.toggle_overlay.trigger()
    assert not win.viewer.masks.fill_item.isVisible() and not win.viewer.boxes.boxes[1][0].isVisible()


def test_zoom_fit_and_one_to_one(qtbot, make_window):
    win = make_window()
    open_and_wait(qtbot, win, [SAMPLE])
    v = win.viewer.view
    win.actions_.one_to_one.trigger()
    assert v.zoom == pytest.approx(1.0)
    win.actions_.zoom_in.trigger()
    assert v.zoom == pytest.approx(1.25)
    win.actions_.fit.trigger()
    assert v.mapFromScene(v.sceneRect()).boundingRect().width() <= v.viewport().width() + 2


def test_shortcut_help_lists_every_action():
    from wbc_desktop.gui.actions import SPECS, shortcut_rows

    keys = {k for _, _, k in shortcut_rows()}
    assert {s.shortcut for s in SPECS if s.shortcut} <= keys and "1" in keys and "0" in keys


def test_close_image_keeps_a_sensible_current(qtbot, make_window):
    win = make_window()
    other = samples_dir() / "single_cell_pbc_eosinophil.jpg"
    open_and_wait(qtbot, win, [SAMPLE, other])
    doc = win.controller.doc
    doc.set_current(1)
    doc.remove(0)
    assert doc.current == 0 and doc.current_entry.path == other
    assert win.images.list.count() == 1
    win.actions_.close_image.trigger()
    assert doc.current == -1 and not win.viewer.view.has_image() and win.viewer.placeholder.isVisible()
    assert win.counts.value("neutrophil", "Batch") == "0"


class _OomPipeline(FakePipeline):
    device = "cuda:0"

    def analyze(self, image, progress=lambda *a: None, cancel=None, **_):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")


def test_gpu_out_of_memory_falls_back_to_cpu(qtbot, make_window):
    devices: list[str] = []

    def loader(device):
        devices.append(device)
        return _OomPipeline() if device != "cpu" else FakePipeline()

    win = make_window(loader=loader, load=False)
    runner = win.controller.runner
    with qtbot.waitSignal(runner.pipelineReady, timeout=5000):
        runner.load_pipeline("cuda")
    open_and_wait(qtbot, win, [SAMPLE])
    assert devices == ["cuda", "cpu"]
    assert win.controller.doc.current_entry.status == DONE
    assert "GPU ran out of memory" in win.controller.messages.history[0][1]


def test_hover_over_a_cell_shows_its_details(qtbot, make_window):
    win = make_window()
    open_and_wait(qtbot, win, [SAMPLE])
    c = win.controller.doc.current_entry.analysis.cell(2)
    view = win.viewer.view
    pos = view.mapFromScene(QPointF(*c.centroid))
    qtbot.mouseMove(view.viewport(), pos)
    assert win.viewer.hover.isVisible() and "Lymphocyte" in win.viewer.hover.text()
    qtbot.mouseMove(view.viewport(), view.mapFromScene(QPointF(2, 2)))
    assert not win.viewer.hover.isVisible()


def test_typing_down_a_group_advances_to_the_next_cell(qtbot, make_window):
    win = make_window()
    open_and_wait(qtbot, win, [SAMPLE])
    win.actions_.show_gallery.trigger()
    win.gallery.threshold.setValue(0.99)  # every cell unidentified: a queue of 5 to review
    queue = win.gallery.groups["unidentified"]
    first, second = queue.ids([queue.item(0), queue.item(1)])
    queue.item(0).setSelected(True)
    win.actions_.by_key["type_neutrophil"].trigger()
    assert win.controller.doc.selected == [second]  # moved on by itself
    win.actions_.by_key["type_lymphocyte"].trigger()
    assert win.gallery.groups["neutrophil"].ids([win.gallery.groups["neutrophil"].item(0)]) == [first]
    assert queue.count() == 3
    win.actions_.undo.trigger()  # undo does not jump the selection around
    assert queue.count() == 4


def test_platelets_are_counted_per_100_wbc_outside_the_differential(qtbot, make_window):
    win = make_window()
    open_and_wait(qtbot, win, [SAMPLE])
    doc = win.controller.doc
    doc.select([2])  # the lymphocyte becomes a platelet: 3 WBCs left in the differential
    with qtbot.waitSignal(doc.countsChanged):
        win.actions_.by_key["type_platelet"].trigger()
    assert win.counts.value("neutrophil", "%") == "33.3"
    assert win.counts.value("platelet") == "1" and win.counts.value("platelet", "%") == "33.3"
    rows = [win.counts.table.item(r, 0).text() for r in range(win.counts.table.rowCount())]
    assert rows.index("WBC total") < rows.index("Platelet (per 100 WBC)")


def test_a_dead_model_process_is_restarted_and_the_image_still_analysed(qtbot, make_window):
    from wbc_desktop.core.pipeline_process import EngineError

    class DeadEngine(FakePipeline):
        alive = False

        def analyze(self, *a, **k):
            raise EngineError("the analysis process stopped unexpectedly (exit code -9)")

    made = []

    def loader(device):
        made.append(device)
        return DeadEngine() if len(made) == 1 else FakePipeline()

    win = make_window(loader=loader)
    with qtbot.waitSignal(win.controller.runner.notice) as notice:
        open_and_wait(qtbot, win, [SAMPLE])
    assert "restarted" in notice.args[0]
    assert win.controller.doc.current_entry.status == DONE and len(made) == 2
