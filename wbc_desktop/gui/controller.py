"""What the user's commands do: open, analyse, review, export. No widgets of its own.

The window's actions call these methods; results and errors flow back through the Document
and the message bar. Kept apart from the window so tests can drive it without menus.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from wbc_desktop.gui.document import CANCELLED, FAILED, RUNNING, Document
from wbc_desktop.gui.panels.messages import MessageBar
from wbc_desktop.gui.runner import AnalysisRunner, Outcome
from wbc_desktop.gui.settings import AppSettings
from wbc_desktop.gui.viewer.overlay import OverlayStyle

if TYPE_CHECKING:
    from wbc_desktop.gui.report.sample_dialog import SampleDetails

log = logging.getLogger(__name__)

IMAGE_FILTER = "Images and slides (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.svs *.btf);;All files (*)"


def sample_image() -> Path:
    from wbc_desktop.core.io.paths import samples_dir

    return samples_dir() / "single_cell_cellavision_001.png"


class AppController(QObject):
    """Routes commands to the Document (state), the runner (compute) and the message bar (words)."""

    recentChanged = Signal(list)
    quiet_export = False  # tests and scripts: no sample-details dialog before a PDF

    def __init__(self, document: Document, runner: AnalysisRunner, settings: AppSettings,
                 messages: MessageBar, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.doc, self.runner, self.settings, self.messages = document, runner, settings, messages
        self.window: Optional[QWidget] = None  # parent for file dialogs
        self._told_no_classifier = False
        self.sample_details: Optional[SampleDetails] = None  # File ▸ Sample details…, set by the window
        # paths -> those left to open as images; an owner (the project session) opens its own folders itself
        self.open_hook: Optional[Callable[[list], list]] = None
        runner.imageStarted.connect(lambda p: self.doc.set_status(p, RUNNING))
        runner.imageRead.connect(self.doc.set_preview)
        runner.imageDone.connect(self._on_done)
        runner.slidePartial.connect(self._on_partial)
        runner.imageFailed.connect(self._on_failed)
        runner.idle.connect(self._warn_if_unfamiliar)  # once the batch is done: its count is the batch's
        runner.notice.connect(self.messages.warning)
        runner.pixel_size_um = settings.pixel_size or None
        document.pixel_size_um = runner.pixel_size_um
        runner.pipelineFailed.connect(self._on_models_failed)
        document.masksRestored.connect(self._on_masks_restored)

    # opening
    def open_paths(self, paths: list[str | Path]) -> None:
        """Files and folders (from menus, drops, the command line or recent files)."""
        from wbc_desktop.core.io.images import IMAGE_SUFFIXES, describe_no_images, list_images

        if self.open_hook is not None:  # an owner's own folders (a project) are not opened as images
            paths = self.open_hook(list(paths))
            if not paths:
                return
        expanded = list_images([Path(p) for p in paths])
        skipped = [p for p in expanded if p.suffix.lower() not in IMAGE_SUFFIXES]
        images = [p for p in expanded if p.suffix.lower() in IMAGE_SUFFIXES]
        if skipped:
            self.messages.warning(f"Not an image type this app reads: {', '.join(p.name for p in skipped[:5])}"
                                  " (PNG, JPEG, BMP and TIFF are).")
        if not images:
            if not skipped:
                self.messages.warning(describe_no_images(paths).capitalize() + " (PNG, JPEG, BMP or TIFF are read).")
            return
        todo = self.doc.add(images)
        if todo:
            self.runner.submit(todo)
        first = self.doc.index_of(images[0])
        self.doc.set_current(first)
        for p in paths:
            self.settings.add_recent(str(Path(p).resolve()))
        self.recentChanged.emit(self.settings.recent_files())

    def open_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self.window, "Open images", self.settings.last_dir, IMAGE_FILTER)
        if files:
            self.settings.last_dir = str(Path(files[0]).parent)
            self.open_paths(files)

    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Open a folder of images", self.settings.last_dir)
        if folder:
            self.settings.last_dir = folder
            self.open_paths([folder])

    def open_sample(self) -> None:
        self.open_paths([sample_image()])

    def close_current(self) -> None:
        self.doc.remove(self.doc.current)

    def step_image(self, delta: int) -> None:
        if self.doc.entries:
            self.doc.set_current((self.doc.current + delta) % len(self.doc.entries))

    # analysis
    def reanalyse(self) -> None:
        e = self.doc.current_entry
        if e is not None:
            e.stamp = (0.0, 0)  # invalidates the cache entry
            self.runner.submit(self.doc.add([e.path]))

    def set_pixel_size(self, um: float) -> None:
        """Remember the pixel size (0: automatic) and use it for the next analyses."""
        um = float(um) if um and um > 0 else 0.0
        self.settings.pixel_size = um
        self.runner.pixel_size_um = self.doc.pixel_size_um = um or None
        self.messages.info((f"Pixel size {um:g} µm is used for every image" if um else
                            "Pixel size: from the file, else measured from the red cells or the white cell")
                           + "; press Ctrl+R to re-analyse an image with it.")

    def ask_pixel_size(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        um, ok = QInputDialog.getDouble(self.window, "Pixel size", "Micrometres per pixel (0: measure it):",
                                        self.settings.pixel_size, 0.0, 10.0, 4)
        if ok:
            self.set_pixel_size(um)

    def set_device(self, device: str) -> None:
        self._reload_with("device", device, f"Models reload on device '{device}'", even_if_same=True)

    def set_classifier(self, name: str) -> None:
        """Type cells with another model (e.g. one suited to another lab's stain)."""
        self._reload_with("classifier", name, f"Cell-type model '{name}' loads")

    def set_views(self, views: int) -> None:
        """0: the model card's views policy; 1 or 4: that many rotated views for every cell."""
        what = {0: "the model's views policy", 1: "one view", 4: "4 rotated views"}.get(views, f"{views} views")
        self._reload_with("views", views, f"Cells will be typed from {what}")

    def _reload_with(self, setting: str, value: Any, what: str, even_if_same: bool = False) -> None:
        """Remember a model setting and reload the models with it (in the background).

        Choosing the device again reloads (a way to retry after a failed load); other settings
        reload only when they change."""
        if not even_if_same and getattr(self.settings, setting) == value:
            return
        setattr(self.settings, setting, value)
        self.runner.load_pipeline(self.settings.device)
        self.messages.info(f"{what}; press Ctrl+R to re-analyse an image with it.")

    def _on_models_failed(self, message: str) -> None:
        self.messages.error(f"The analysis models could not be loaded: {message.rstrip('.')}. Images still open "
                            "for viewing; see Analysis ▸ Device, or reinstall the models.")

    def _on_done(self, out: Outcome) -> None:
        """Store the result; say what was converted (the user should know what was analysed).

        Technical notes from the segmenter (scale estimates...) stay in the image list's tooltip.
        """
        self.doc.set_result(out.path, out.image, out.analysis, out.error or "", out.display)
        notes = list(getattr(out.image, "notes", []) or [])
        if out.analysis is not None and "classifier" not in out.analysis.models and not self._told_no_classifier:
            self._told_no_classifier = True
            notes.append("no cell-type model is installed yet: cells are outlined and left unidentified; "
                         "type them in the gallery with the digit keys")
        if notes:
            self.messages.info(f"{out.path.name}: " + "; ".join(notes) + ".")

    def _on_masks_restored(self, i: int, ids: list, message: str) -> None:
        e = self.doc.entry(i)
        if message:
            self.messages.warning(message)
        elif e is not None:
            self.messages.info(f"{e.name}: your earlier mask corrections were put back"
                               + (f" ({len(ids)} cell{'s' if len(ids) != 1 else ''} typed again)." if ids else "."))

    def _on_partial(self, out: Outcome) -> None:
        """A whole slide's cells so far: shown and reviewable while its other tiles run."""
        self.doc.set_result(out.path, out.image, out.analysis, "", out.display)
        self.doc.set_status(out.path, RUNNING)

    def _warn_if_unfamiliar(self) -> None:
        """Say once, plainly, when the open images are unlike the training data (core.imaging.familiarity)."""
        from wbc_desktop.core.imaging.familiarity import batch_warning

        text = batch_warning(self.doc.analyses())
        if text and not getattr(self, "_told_unfamiliar", False):
            self._told_unfamiliar = True
            self.messages.warning(text[0].upper() + text[1:] + ".")
        elif not text:
            self._told_unfamiliar = False

    def _on_failed(self, path: Path, message: str, cancelled: bool) -> None:
        self.doc.set_status(path, CANCELLED if cancelled else FAILED, message)
        if cancelled:
            self.messages.info("Analysis cancelled.")
        else:
            self.messages.error(f"Could not analyse {Path(path).name}: {message.removeprefix(Path(path).name + ': ')}")

    # review
    def reclassify_selected(self, cell_type: Optional[str]) -> None:
        self.reclassify(self.doc.selected, cell_type)

    def reclassify(self, ids: list[int], cell_type: Optional[str]) -> None:
        self._say(self.doc.reclassify(list(ids), cell_type))

    def undo(self) -> None:
        self._say(self.doc.undo())

    def redo(self) -> None:
        self._say(self.doc.redo())

    def ask_signature(self, e: Any, caveats: list[str]) -> Optional[str]:
        """The reviewer's name, typed and confirmed in a dialog listing the caveats (None: cancelled)."""
        from wbc_desktop.gui.report.sign_dialog import ask_signature

        saved = self.settings.reviewer if self.settings.q.contains("review/name") else ""
        return ask_signature(self.window, e.name, caveats, saved)

    def toggle_signed(self) -> None:
        """Sign (after a name prompt and confirmation) or unsign; the caveats stay said after signing."""
        from wbc_desktop.core.review.caveats import lines

        e = self.doc.current_entry
        who = self.settings.reviewer
        if e is not None and e.history is not None and not e.signed:
            name = self.ask_signature(e, lines(self.doc.caveats(), self.doc.include_border))
            if not name:
                return
            who = self.settings.reviewer = name
        message = self.doc.toggle_signed(who)
        e = self.doc.current_entry
        if not message and e is not None and e.signed and e.analysis is not None:
            left = sum(1 for c in e.analysis.cells if c.final_type == "unidentified" and not c.touches_border)
            if left:
                message = (f"Signed with {left} cell{'s' if left > 1 else ''} still unidentified; "
                           "they are reported as such. Ctrl+Z to take the signature back.")
        self._say(message)

    def set_threshold(self, value: float) -> None:
        self.settings.threshold = value
        self.doc.set_threshold(value)

    def set_include_border(self, value: bool) -> None:
        self.settings.include_border = value
        self.doc.set_include_border(value)

    def _say(self, message: str) -> None:
        if message:
            self.messages.warning(message)

    # exports
    def export_csv(self, path: Optional[Path] = None) -> Optional[Path]:
        from wbc_desktop.gui.report.pdf import export_csv

        if not self.doc.analyses():
            self.messages.warning("Nothing to export yet: no image has been analysed.")
            return None
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self.window, "Export counts", str(Path(self.settings.last_dir)
                                                  / "wbc-differential.csv"), "CSV (*.csv)")
            if not name:
                return None
            path = Path(name)
        try:
            summary, cells = export_csv(self.doc.entries, path, self.doc.include_border)
        except OSError as e:
            self.messages.error(f"Could not write {path}: {e.strerror or e}")
            return None
        self.messages.info(f"Saved {summary.name} and {cells.name} in {summary.parent}.")
        return summary

    def export_pdf(self, style: OverlayStyle, path: Optional[Path] = None) -> Optional[Path]:
        from wbc_desktop.gui.report.pdf import export_pdf

        if not self.doc.analyses():
            self.messages.warning("Nothing to report yet: no image has been analysed.")
            return None
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self.window, "Export PDF report", str(Path(self.settings.last_dir)
                                                  / "wbc-report.pdf"), "PDF (*.pdf)")
            if not name:
                return None
            path = Path(name)
        details = self.sample_details
        if details is not None and details.info.empty and self.window is not None and not self.quiet_export:
            details.edit()  # entered once per batch; cancelling leaves lines to fill in by hand
        try:
            out = export_pdf(self.doc.entries, path, style, self.doc.include_border,
                             details.info if details is not None else None)
        except OSError as e:
            self.messages.error(f"Could not write {path}: {e.strerror or e}")
            return None
        self.messages.info(f"Saved the report {out}.")
        return out

    def preferences(self, style: OverlayStyle) -> Optional[OverlayStyle]:
        from wbc_desktop.gui.dialogs import PreferencesDialog

        dlg = PreferencesDialog(style.nucleus, style.cytoplasm, self.settings.reviewer, self.window)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        self.settings.reviewer = dlg.reviewer.text().strip() or self.settings.reviewer
        new = OverlayStyle(**{**asdict(style), "nucleus": dlg.nucleus.colour, "cytoplasm": dlg.cytoplasm.colour})
        self.settings.set_overlay(nucleus=new.nucleus, cytoplasm=new.cytoplasm)
        return new
