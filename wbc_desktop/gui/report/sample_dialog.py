"""File ▸ Sample details…: patient/sample ID, slide, date, stain, operator, comment, once per batch.

The details go on every page of the PDF report. With a project open they are kept in the project
folder (``sample.json``, :mod:`wbc_desktop.core.review.sample_info`) and read back when it opens;
outside a project they last as long as the open batch. Exporting a PDF with none entered asks first.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any, Optional

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from wbc_desktop.core.review import sample_info
from wbc_desktop.core.review.sample_info import SampleInfo


class SampleDialog(QDialog):
    def __init__(self, info: SampleInfo, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sample details (printed on the report)")
        self.edits: dict[str, Any] = {}
        form = QFormLayout()
        for f in fields(SampleInfo):
            w = QPlainTextEdit(getattr(info, f.name)) if f.name == "comment" else QLineEdit(getattr(info, f.name))
            if f.name == "comment":
                w.setFixedHeight(70)
            self.edits[f.name] = w
            form.addRow(SampleInfo.LABELS[f.name], w)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.resize(460, self.sizeHint().height())

    def info(self) -> SampleInfo:
        return SampleInfo(**{k: (w.toPlainText() if isinstance(w, QPlainTextEdit) else w.text()).strip()
                             for k, w in self.edits.items()})


class SampleDetails:
    """The batch's sample details and where they are kept (the open project, else memory)."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.info = SampleInfo()
        self.action = QAction("Sample &details…", window)
        self.action.setStatusTip("Patient/sample ID, slide, date, stain, operator and a comment for the report")
        self.action.triggered.connect(lambda: self.edit())
        session = window.project_session  # MainWindow builds the project session first
        if session is not None:
            session.opened.connect(lambda root: self._load(root))
            session.closed.connect(lambda: setattr(self, "info", SampleInfo()))

    def _load(self, root: str) -> None:
        self.info = sample_info.load(root) or SampleInfo()

    def set(self, info: SampleInfo) -> None:
        """Keep the details; written into the open project at once (atomically)."""
        self.info = replace(info)
        session = self.window.project_session
        if session is not None and session.project is not None:
            try:
                sample_info.save(session.project.root, info)
            except OSError as e:
                self.window.controller.messages.error(f"Sample details not saved in the project: {e}")

    def edit(self) -> bool:
        dlg = SampleDialog(self.info, self.window)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return False
        self.set(dlg.info())
        return True


def install(window: Any) -> SampleDetails:
    """File ▸ Sample details…, placed before the PDF export; the controller's export reads it."""
    details = SampleDetails(window)
    file_menu = window.actions_.menus["&File"]
    pdf = window.actions_.by_key.get("export_pdf")
    file_menu.insertAction(pdf, details.action) if pdf is not None else file_menu.addAction(details.action)
    window.controller.sample_details = details
    return details
