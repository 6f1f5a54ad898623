"""``wbc-desktop [IMAGE...]``: start the app; ``--screenshot FILE`` for docs and smoke checks.

Only Qt and light modules load before the window shows; torch and the models load in a
worker afterwards, so the window appears within a few seconds even on a slow machine.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from wbc_desktop.gui.controller import AppController, sample_image
from wbc_desktop.gui.document import Document
from wbc_desktop.gui.main_window import MainWindow
from wbc_desktop.gui.panels.messages import MessageBar
from wbc_desktop.gui.runner import AnalysisRunner, Loader, default_loader, settings_loader
from wbc_desktop.gui.settings import AppSettings

log = logging.getLogger(__name__)


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="wbc-desktop", description="Review white blood cells in smear images.",
                                 epilog="wbc-desktop --self-test checks this installation without a window; "
                                        "wbc-desktop SUBCOMMAND --help for the headless commands.")
    ap.add_argument("images", nargs="*", help="image files or folders to open")
    ap.add_argument("--demo", action="store_true", help="open the bundled sample image")
    ap.add_argument("--device", choices=["auto", "cpu", "cuda"], help="where the networks run (saved)")
    ap.add_argument("--classifier", metavar="NAME", help="cell-type model by name (saved; see Analysis menu)")
    ap.add_argument("--screenshot", metavar="FILE", help="save a PNG of the window once analysis ends, then exit")
    ap.add_argument("--view", choices=["image", "gallery"], default="image", help="tab shown first")
    ap.add_argument("--size", default="1440x900", help="window size WxH (for screenshots)")
    ap.add_argument("--timeout", type=float, default=300.0, help="--screenshot: give up waiting after seconds")
    return ap.parse_args(argv)


def app_icon() -> QIcon:
    from wbc_desktop.core.io.paths import resources_dir

    icon = QIcon()
    for name in ("wbc-desktop.svg", "wbc-desktop-256.png", "wbc-desktop-64.png"):
        p = resources_dir() / "icons" / name
        if p.is_file():
            icon.addFile(str(p))
    return icon


def build(settings: Optional[AppSettings] = None, loader: Loader = default_loader,
          review_root: Optional[Path] = None) -> MainWindow:
    """The whole app wired together; tests pass a fake loader and throw-away settings/review folders."""
    from wbc_desktop.core.io.paths import user_data_dir
    from wbc_desktop.core.review.store import ReviewStore

    settings = settings or AppSettings()
    doc = Document(ReviewStore(review_root or user_data_dir() / "reviews"))
    doc.threshold = settings.threshold
    doc.include_border = settings.include_border
    runner = AnalysisRunner(settings_loader(settings) if loader is default_loader else loader)
    controller = AppController(doc, runner, settings, MessageBar())
    window = MainWindow(controller, app_icon())
    runner.setParent(window)
    controller.setParent(window)
    return window


def _screenshot_when_idle(window: MainWindow, path: str, timeout_s: float) -> None:
    """Save the window once the queue is empty (or after the timeout) and quit with 0."""
    runner = window.controller.runner
    deadline = time.monotonic() + timeout_s

    def check() -> None:
        if runner.busy and time.monotonic() < deadline:
            return
        timer.stop()
        QTimer.singleShot(400, shoot)  # let the last repaint land

    def shoot() -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(path, "PNG")
        print(f"screenshot {'saved to' if ok else 'FAILED:'} {path}", flush=True)
        window.close()
        QApplication.instance().exit(0 if ok else 1)

    timer = QTimer(window)
    timer.timeout.connect(check)
    timer.start(100)


def _headless_ok(args: argparse.Namespace) -> bool:
    """Choose a platform when there is no display: offscreen for --screenshot, else a clear message."""
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM") or os.environ.get("DISPLAY") \
            or os.environ.get("WAYLAND_DISPLAY"):
        return True
    if args.screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # smoke checks on machines without a screen
        return True
    print("wbc-desktop: no display found. Run it on a desktop, use --screenshot FILE (works without a "
          "display), or the command-line subcommands (wbc-desktop analyze --help).", file=sys.stderr)
    return False


def _install_excepthook(window: MainWindow) -> None:
    """An unexpected error in a slot becomes a message in the window (and a log line), not a crash."""

    def hook(kind, value, tb) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        try:
            window.controller.messages.error(f"Unexpected error ({kind.__name__}): {value}. "
                                             "Your review is saved; please report this.")
        except RuntimeError:  # the window is already gone
            pass

    sys.excepthook = hook


def main(argv: Optional[list[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not _headless_ok(args):
        return 2
    from wbc_desktop.gui.measure.linux_libs import problem as missing_system_library

    missing = missing_system_library()  # Qt would abort on it: name the package instead
    if missing:
        print(f"wbc-desktop: {missing}", file=sys.stderr)
        return 2
    from wbc_desktop.gui.compat import guard_none_refcount

    guard_none_refcount()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("WBC Desktop")
    app.setOrganizationName("wbc-desktop")
    app.setWindowIcon(app_icon())
    settings = AppSettings(QSettings("wbc-desktop", "WBC Desktop"))
    if args.device:
        settings.device = args.device
    if args.classifier:
        settings.classifier = args.classifier
    window = build(settings)
    # The models load in their own process, so start it now: it imports torch while the
    # window is being laid out and painted, without touching this process' GIL.
    window.controller.runner.load_pipeline(settings.device)
    _install_excepthook(window)
    try:
        w, h = (int(v) for v in args.size.lower().split("x"))
        window.resize(w, h)
    except ValueError:
        pass
    if args.view == "gallery":
        window.tabs.setCurrentWidget(window.gallery)
    window.show()
    c = window.controller
    paths = list(args.images)
    if args.demo or (not paths and settings.first_run):
        paths.append(str(sample_image().parent))  # every bundled sample, single cells first
    settings.mark_ran()
    if paths:
        QTimer.singleShot(0, lambda: c.open_paths(paths))
    if args.screenshot:
        QTimer.singleShot(50, lambda: _screenshot_when_idle(window, args.screenshot, args.timeout))
    rc = int(app.exec())
    settings.sync()
    c.runner.shutdown()
    # A model load cannot be interrupted mid-import; let it end rather than tear the interpreter
    # down under a running thread (which can crash at exit). Give up after a while: nothing is
    # left to save, every review was written when it was made.
    if not c.runner.wait(60_000):
        os._exit(rc)
    return rc
