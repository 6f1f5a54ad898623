"""Wizard page 2: which model(s), from which version, for how long, and how.

The defaults are the one-click ones; each control's tooltip says what it changes, for a person
who is not a machine-learning engineer.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QRadioButton,
    QSpinBox, QVBoxLayout, QWidget, QWizardPage,
)

KINDS = ("segmenter", "classifier")
LABELS = {"segmenter": "Segmenter (nucleus / cytoplasm masks)", "classifier": "Cell-type classifier"}


def base_choices(kind: str, versions: list[dict]) -> list[tuple[str, str]]:
    """(text, value) for a base-version combo: the project's versions first, then shipped models."""
    from wbc_desktop.core.weights import registry
    out = []
    for card in versions:
        name = str(card.get("name"))
        label = card.get("label") or name
        out.append((f"{label}{'  (active)' if card.get('active') else ''}", str(card.get("folder") or name)))
    for name in registry.list_names(kind):
        out.append((f"{name}  (shipped)", name))
    return out


class SettingsPage(QWizardPage):
    """Models, base versions, length, learning rate, λ, augmentation, replay, device."""

    def __init__(self, versions_of: Callable[[str], list[dict]], base_of: Callable[[str], str],
                 device: str, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setTitle("Settings")
        self.setSubTitle("The defaults suit 10–50 corrected images on a laptop.")
        self.versions_of, self.base_of = versions_of, base_of
        self.use: dict[str, QCheckBox] = {}
        self.base: dict[str, QComboBox] = {}
        models = QGroupBox("Models to retrain, and the version each starts from")
        grid = QFormLayout(models)
        for kind in KINDS:
            self.use[kind] = QCheckBox(LABELS[kind])
            self.use[kind].setChecked(True)
            self.use[kind].toggled.connect(lambda _v: self.completeChanged.emit())
            self.base[kind] = QComboBox()
            self.base[kind].setToolTip("Fine-tuning starts from this version; it is never changed")
            grid.addRow(self.use[kind], self.base[kind])

        self.by_time = QRadioButton("Time budget per model")
        self.by_epochs = QRadioButton("Epochs")
        self.by_time.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.by_time)
        group.addButton(self.by_epochs)
        self.time_s = QSpinBox()
        self.time_s.setRange(10, 3600)
        self.time_s.setValue(60)
        self.time_s.setSuffix(" s")
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 500)
        self.epochs.setValue(20)
        self.by_time.toggled.connect(self._sync_length)
        length = QHBoxLayout()
        for w in (self.by_time, self.time_s, self.by_epochs, self.epochs):
            length.addWidget(w)
        length.addStretch(1)

        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(5)
        self.lr.setRange(1e-5, 1e-1)
        self.lr.setSingleStep(1e-4)
        self.lr.setValue(1e-3)
        self.lr.setToolTip("Step size of fine-tuning: lower is gentler on what the model already knows")
        self.metric_weight = QDoubleSpinBox()
        self.metric_weight.setRange(0.0, 1.0)
        self.metric_weight.setSingleStep(0.05)
        self.metric_weight.setValue(0.1)
        self.metric_weight.setToolTip("λ, the weight of the metric (embedding) loss next to the main loss")
        self.augment = QCheckBox("Augmentations (flips, rotations, stain and scale jitter)")
        self.augment.setChecked(True)
        self.replay = QCheckBox("Replay the shipped training data (keeps the original domain)")
        self.replay.setChecked(True)
        self.replay.setToolTip("Mixes a compact sample of the shipped models' training data into every batch, "
                               "so what they read well is not forgotten")
        self.device = QComboBox()
        for text, value in (("Automatic (GPU if present)", "auto"), ("CPU", "cpu"), ("GPU (CUDA)", "cuda")):
            self.device.addItem(text, value)
        self.device.setCurrentIndex(max(0, self.device.findData(device)))

        form = QFormLayout()
        form.addRow("Length", length)
        form.addRow("Learning rate", self.lr)
        form.addRow("Metric loss weight λ", self.metric_weight)
        form.addRow("", self.augment)
        form.addRow("", self.replay)
        form.addRow("Device", self.device)
        lay = QVBoxLayout(self)
        lay.addWidget(models)
        lay.addLayout(form)
        lay.addStretch(1)
        self._sync_length()

    def _sync_length(self) -> None:
        self.time_s.setEnabled(self.by_time.isChecked())
        self.epochs.setEnabled(self.by_epochs.isChecked())

    def fill(self, has_masks: bool, has_types: bool) -> None:
        """Offer only the models the chosen images can teach; list each one's versions."""
        for kind, ok in (("segmenter", has_masks), ("classifier", has_types)):
            self.use[kind].setEnabled(ok)
            self.use[kind].setChecked(ok)
            self.use[kind].setToolTip("" if ok else f"The chosen images have no {'corrected masks' if kind == 'segmenter' else 'typed cells'}")
            combo = self.base[kind]
            combo.clear()
            try:
                versions = self.versions_of(kind)
            except Exception:  # noqa: BLE001 - an unreadable store lists nothing
                versions = []
            for text, value in base_choices(kind, versions):
                combo.addItem(text, value)
            combo.setCurrentIndex(max(0, combo.findData(self.base_of(kind))))
        self.completeChanged.emit()

    def models(self) -> tuple[str, ...]:
        return tuple(k for k in KINDS if self.use[k].isChecked() and self.use[k].isEnabled())

    def values(self) -> dict[str, Any]:
        """The engine's RetrainSettings fields this page decides."""
        return {
            "models": self.models(),
            "base_segmenter": self.base["segmenter"].currentData() or "default",
            "base_classifier": self.base["classifier"].currentData() or "default",
            "time_budget_s": float(self.time_s.value()) if self.by_time.isChecked() else None,
            "epochs": int(self.epochs.value()) if self.by_epochs.isChecked() else None,
            "lr": float(self.lr.value()), "metric_weight": float(self.metric_weight.value()),
            "augment": self.augment.isChecked(), "replay": self.replay.isChecked(),
            "device": self.device.currentData(),
        }

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return bool(self.models())
