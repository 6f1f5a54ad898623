"""Wizard page 1: which project, which of its corrected images, how many held out to measure."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
    QPushButton, QRadioButton, QSpinBox, QVBoxLayout, QWidget, QWizardPage,
)

from wbc_desktop.core.project.manifest import ProjectError
from wbc_desktop.core.project.layout import is_project
from wbc_desktop.core.project.trainable import TrainableImage, list_trainable


def describe(it: TrainableImage) -> str:
    parts = (["mask corrected"] if it.corrected else []) + ([f"{it.typed} typed cells"] if it.typed else [])
    return f"{it.name}  —  {', '.join(parts)}" + ("  (image file missing)" if it.path is None else "")


class DataPage(QWizardPage):
    """Project folder, all corrected or selected images, validation share and seed."""

    def __init__(self, project: Optional[Path], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setTitle("Images")
        self.setSubTitle("Retraining learns from the masks you corrected and the cell types you set. A share of "
                         "them is held out, never trained on, to measure the new models honestly.")
        self.items: list[TrainableImage] = []
        self.folder = QLineEdit(str(project or ""))
        self.folder.setPlaceholderText("a project folder (File ▸ New project, or wbc-desktop project new)")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.all_images = QRadioButton("All corrected images")
        self.selected_images = QRadioButton("Only the images ticked below")
        self.all_images.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.all_images)
        group.addButton(self.selected_images)
        self.list = QListWidget()
        self.val_percent = QSpinBox()
        self.val_percent.setRange(10, 50)
        self.val_percent.setValue(20)
        self.val_percent.setSuffix(" %")
        self.val_percent.setToolTip("Held out from training and used to measure before and after")
        self.seed = QSpinBox()
        self.seed.setRange(0, 9999)
        self.seed.setToolTip("Which images are held out; the same seed gives the same split")
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Held out to measure", self.val_percent)
        form.addRow("Split seed", self.seed)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Project"))
        lay.addLayout(row)
        lay.addWidget(self.all_images)
        lay.addWidget(self.selected_images)
        lay.addWidget(self.list, 1)
        lay.addLayout(form)
        lay.addWidget(self.summary)
        self.folder.editingFinished.connect(self.reload)
        self.all_images.toggled.connect(self._on_mode)
        self.list.itemChanged.connect(lambda _i: self._update())
        self.val_percent.valueChanged.connect(lambda _v: self._update())
        self.reload()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Project folder", self.folder.text())
        if folder:
            self.folder.setText(folder)
            self.reload()

    def project(self) -> Optional[Path]:
        p = Path(self.folder.text().strip()) if self.folder.text().strip() else None
        return p if is_project(p) else None

    def reload(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        self.items = []
        error = ""
        if self.folder.text().strip():
            try:
                self.items = list_trainable(Path(self.folder.text().strip()))
            except ProjectError as e:
                error = str(e)
        for it in self.items:
            li = QListWidgetItem(describe(it))
            li.setFlags(li.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            li.setCheckState(Qt.CheckState.Checked)
            li.setData(Qt.ItemDataRole.UserRole, it.key)
            self.list.addItem(li)
        self.list.blockSignals(False)
        self._on_mode()
        if error:
            self.summary.setText(error)

    def _on_mode(self) -> None:
        self.list.setEnabled(self.selected_images.isChecked())
        self._update()

    def chosen(self) -> list[TrainableImage]:
        if self.all_images.isChecked():
            return list(self.items)
        return [it for i, it in enumerate(self.items)
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def selected_names(self) -> Optional[list[str]]:
        """None: every corrected image (the engine's default); else the ticked images' keys."""
        return None if self.all_images.isChecked() else [it.key for it in self.chosen()]

    def counts(self) -> tuple[int, int]:
        chosen = self.chosen()
        return sum(1 for it in chosen if it.corrected), sum(it.typed for it in chosen)

    def _update(self) -> None:
        masks, typed = self.counts()
        held = round(masks * self.val_percent.value() / 100)
        if self.project() is None:
            text = "Choose a project folder."
        elif not self.items:
            text = "This project has no corrected masks or typed cells yet: correct some images first."
        else:
            text = (f"{masks} images with corrected masks (about {held} held out), {typed} cells typed by a person. "
                    "10–50 corrected images are a good start.")
        self.summary.setText(text)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        masks, typed = self.counts()
        return self.project() is not None and (masks > 0 or typed > 0)
