"""Help ▸ About: version, the bundled models with the data they learnt from, and every licence.

Why a dialog of its own: a lab must be able to tell which model typed its cells and under which
terms the weights and libraries came (GPL for the CellaVision-derived weights, CC BY for PBC).
The content comes from :mod:`wbc_desktop.core.credits`, which reads the model cards.
"""

from __future__ import annotations

from wbc_desktop.core.weights.labels import version_label

from html import escape
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from wbc_desktop.core import credits


def about_html() -> str:
    """The dialog's text as HTML (tests read it without a window)."""
    rows = "".join(
        f"<tr><td>{escape(m.kind)}</td><td><b>{escape(m.name)}</b> {escape(version_label(m.version))}</td>"
        f"<td>{'<br>'.join(escape(s) for s in m.sources)}</td><td>{escape(m.licence)}</td></tr>"
        for m in credits.bundled_models())
    data = "".join(f"<li><b>{escape(n)}</b>: {escape(cite)}. Licence: {escape(lic)}</li>"
                   for n, cite, lic in credits.DATA.values())
    libs = "".join(f"<tr><td>{escape(n)}</td><td>{escape(v)}</td><td>{escape(lic)}</td></tr>"
                   for n, v, lic in credits.library_versions())
    return (
        f"<h2>{escape(credits.title())}</h2>"
        "<p>Segment, type and review white blood cells in stained blood-smear images. "
        f"Licence: {credits.APP_LICENCE}; {escape(credits.HOMEPAGE_NOTE)}.</p>"
        "<p>Results are a decision aid: a person reviews and signs every count.</p>"
        "<h3>Bundled models</h3><table border=1 cellspacing=0 cellpadding=3>"
        "<tr><th>Kind</th><th>Model</th><th>Trained on (from its card)</th><th>Licence of the weights</th></tr>"
        f"{rows}</table>"
        f"<h3>Bundled data</h3><ul>{data}</ul>"
        "<p>Sample images: resources/samples (see ATTRIBUTION.md there).</p>"
        "<h3>Libraries</h3><table border=1 cellspacing=0 cellpadding=3>"
        f"<tr><th>Library</th><th>Version</th><th>Licence</th></tr>{libs}</table>"
    )


class AboutDialog(QDialog):
    """Read-only, scrollable; text can be selected and copied into a lab's records."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {credits.APP_NAME}")
        icon = parent.windowIcon() if parent is not None else None
        lay = QVBoxLayout(self)
        if icon is not None and not icon.isNull():
            logo = QLabel(self)
            logo.setPixmap(icon.pixmap(64, 64))
            lay.addWidget(logo, alignment=Qt.AlignmentFlag.AlignHCenter)
        self.text = QTextBrowser(self)
        self.text.setOpenExternalLinks(False)
        self.text.setHtml(about_html())
        lay.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(820, 620)
