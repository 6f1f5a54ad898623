"""The Qt part of ``--self-test``: the main window builds and draws, off screen.

Why: an installer that leaves out a Qt plugin (the native platform, the SVG icon engine) starts
fine on the build machine and fails on a lab's PC. Drawing the real window with the
"offscreen" platform checks the widgets, styles and icons without a display, and the native
platform plugin is checked by file, since it can only load where there is a screen.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

NATIVE_PLATFORM = {"linux": ("libqxcb.so", "libqwayland.so", "libqwayland-generic.so"),
                   "win32": ("qwindows.dll",), "darwin": ("libqcocoa.dylib",)}


def _no_models(device: str):  # noqa: ANN202 - never called: the self-test loads no models here
    raise RuntimeError("the self-test's window loads no models")


def check_qt() -> tuple[list[str], str]:
    """Problems found (empty when all is well) and a one-line description of Qt."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QLibraryInfo, QSettings, qVersion
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    problems: list[str] = []
    app = QApplication.instance() or QApplication([sys.argv[0] or "wbc-desktop", "-platform", "offscreen"])
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    wanted = NATIVE_PLATFORM.get(sys.platform, ())
    if wanted and not any((plugins / "platforms" / n).is_file() for n in wanted):
        problems.append(f"no native platform plugin ({' or '.join(wanted)}) in {plugins / 'platforms'}")
    from wbc_desktop.core.io.paths import resources_dir
    from wbc_desktop.gui.about import AboutDialog
    from wbc_desktop.gui.app import build
    from wbc_desktop.gui.settings import AppSettings

    svg = resources_dir() / "icons" / "wbc-desktop.svg"
    if QIcon(str(svg)).pixmap(64, 64).isNull():
        problems.append(f"the SVG icon {svg.name} does not draw (SVG icon engine missing?)")
    with tempfile.TemporaryDirectory(prefix="wbc-selftest-") as tmp:
        settings = AppSettings(QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat))
        window = build(settings, loader=_no_models, review_root=Path(tmp) / "reviews")
        window.resize(1024, 700)
        if window.grab().isNull():
            problems.append("the main window does not draw")
        about = AboutDialog(window)
        if about.grab().isNull():
            problems.append("the About dialog does not draw")
        about.deleteLater()
        window.close()
        window.deleteLater()
        app.processEvents()
    return problems, f"{qVersion()} (PySide6 {pyside_version}, platform {app.platformName()}): main window draws"
