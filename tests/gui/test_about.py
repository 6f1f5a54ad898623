"""Help > About: the bundled models with their data sources, and the licences."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from wbc_desktop import __version__
from wbc_desktop.core import credits
from wbc_desktop.gui.about import AboutDialog


def test_about_lists_models_sources_and_licences(qtbot):
    dlg = AboutDialog()
    qtbot.addWidget(dlg)
    text = dlg.text.toPlainText()
    assert f"WBC Desktop {__version__}" in text
    for m in credits.bundled_models():
        assert m.name in text
    assert "wbc-seg-cellavision" in text and "GPL-3.0" in text  # the segmenter's card and its licence
    assert "CC BY 4.0" in text and "Acevedo" in text and "BCCD" in text
    for lib in ("torch", "PySide6-Essentials", "scikit-image", "LGPL-3.0", "BSD-3-Clause"):
        assert lib in text


def test_help_about_opens_the_dialog(make_window, qtbot):
    win = make_window(load=False)
    seen = []

    def close_it():
        dlg = QApplication.activeModalWidget()
        seen.append(dlg)
        if dlg is not None:
            dlg.reject()

    QTimer.singleShot(200, close_it)
    win.actions_.by_key["about"].trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert isinstance(seen[0], AboutDialog)
    assert seen[0].windowTitle() == "About WBC Desktop"
