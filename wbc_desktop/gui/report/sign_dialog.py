"""Signing an image: the reviewer types their name and confirms, with the count's caveats in view.

Why not the OS login: a shared lab PC is logged in as one account, and a signature must name the
person who reviewed. The caveats (unidentified, doubtful, flagged, border, assumed scale) are listed
in the dialog, so signing is a decision taken with them in sight; they stay in the panel and the
report after signing.
"""

from __future__ import annotations

from html import escape
from typing import Optional

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget


class SignDialog(QDialog):
    """Name (remembered from the last signature, never guessed) + the caveats + Sign / Cancel."""

    def __init__(self, image_name: str, caveats: list[str], name: str = "", parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign image as reviewed")
        self.name = QLineEdit(name)
        self.name.setPlaceholderText("Your name, as it should appear on the report")
        text = (f"Sign <b>{escape(image_name)}</b> as reviewed: its cell types are then locked "
                "(remove the signature to change them).")
        if caveats:
            text += ("<br><br><b>The count still rests on:</b><ul>" + "".join(f"<li>{escape(c)}</li>" for c in caveats)
                     + "</ul>These stay on the count and in the report after signing.")
        self.info = QLabel(text)
        self.info.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Reviewer", self.name)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign = self.buttons.addButton("Sign", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name.textChanged.connect(lambda t: self.sign.setEnabled(bool(t.strip())))
        self.sign.setEnabled(bool(name.strip()))
        lay = QVBoxLayout(self)
        lay.addWidget(self.info)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.resize(460, self.sizeHint().height())

    def who(self) -> str:
        return self.name.text().strip()


def ask_signature(parent: Optional[QWidget], image_name: str, caveats: list[str], name: str) -> Optional[str]:
    """The name to sign with, or None when cancelled."""
    dlg = SignDialog(image_name, caveats, name, parent)
    return dlg.who() if dlg.exec() == QDialog.DialogCode.Accepted and dlg.who() else None
