"""The status bar: analysis progress with Cancel, and which device and models ran."""

from __future__ import annotations

from wbc_desktop.core.weights.labels import version_label

from typing import Any, Optional

from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget


class StatusPanel:
    """Widgets added to the window's QStatusBar; driven by the runner's signals."""

    def __init__(self, bar: QStatusBar, parent: Optional[QWidget] = None) -> None:
        self.bar = bar
        self.message = QLabel("Ready")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(220)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the analysis (Esc)")
        self.device = QLabel("Loading models…")
        self.device.setToolTip("Where the networks run, and the model versions")
        self.image_models = QLabel()  # shown only when this image was typed by another model than the loaded one
        self.image_models.setVisible(False)
        self.colour = QLabel()  # the colour reference this image was standardised to (issue 23)
        self.colour.setVisible(False)
        bar.addWidget(self.message, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        bar.addPermanentWidget(self.image_models)
        bar.addPermanentWidget(self.colour)
        bar.addPermanentWidget(self.device)
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if not busy:
            self.progress.setValue(0)

    def on_progress(self, fraction: float, text: str) -> None:
        self.set_busy(True)
        self.progress.setValue(int(1000 * max(0.0, min(1.0, fraction))))
        self.message.setText(text)

    def set_device(self, text: str) -> None:
        self.device.setText(text)

    def show_image_models(self, image_models: Optional[dict[str, Any]], loaded: Optional[dict[str, Any]]) -> None:
        """Name the classifier that typed the shown image when it is not the loaded one.

        Why: an image flagged as unfamiliar is typed by the stain-robust model, so the loaded
        models alone (the device label) would name the wrong one for it.
        """
        text = image_classifier_note(image_models or {}, loaded or {})
        self.image_models.setText(text)
        self.image_models.setToolTip(
            "This image looks unlike the training data, so its cells were typed by the model made for other "
            "stains; the image's messages say why" if text else "")
        self.image_models.setVisible(bool(text))

    def show_standardisation(self, reference: str) -> None:
        """Name the colour reference the shown image was mapped to before the models saw it."""
        text = colour_note(reference)
        self.colour.setText(text)
        self.colour.setToolTip("The image's colours were standardised from its plasma and red cells (or the cell "
                               "itself) to this training lab's reference before segmentation and typing" if text else "")
        self.colour.setVisible(bool(text))


def colour_note(reference: str) -> str:
    """'colour: pbc (plasma + red cells)', or '' when the image was used as it was."""
    return f"colour: {reference}" if reference else ""


def image_classifier_note(image_models: dict[str, Any], loaded: dict[str, Any]) -> str:
    """'this image: classifier other-labs v2.4', or '' when the loaded classifier typed it."""
    mine, theirs = image_models.get("classifier"), loaded.get("classifier")
    if not mine or not theirs:
        return ""
    if (mine.get("name"), mine.get("version")) == (theirs.get("name"), theirs.get("version")):
        return ""
    return f"this image: classifier {mine.get('name', '?')} {version_label(mine.get('version'))}"
