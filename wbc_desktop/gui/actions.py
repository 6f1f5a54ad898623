"""Every menu action with its shortcut, in one table that the menus and the help dialog share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from wbc_desktop.core.review.store import REVIEW_TYPES

from wbc_desktop.gui.palette import display_name, shortcut_key


@dataclass(frozen=True)
class ActionSpec:
    key: str  # attribute name
    menu: str
    text: str
    shortcut: str = ""
    tip: str = ""
    checkable: bool = False


SPECS: list[ActionSpec] = [
    ActionSpec("open", "&File", "&Open images…", "Ctrl+O", "Open one or more image files"),
    ActionSpec("open_folder", "&File", "Open &folder…", "Ctrl+Shift+O", "Analyse every image in a folder"),
    ActionSpec("demo", "&File", "Open the &sample image", "", "The bundled smear field"),
    ActionSpec("close_image", "&File", "&Close image", "Ctrl+W"),
    ActionSpec("export_csv", "&File", "Export counts as &CSV…", "Ctrl+E", "summary.csv and cells.csv"),
    ActionSpec("export_pdf", "&File", "Export &PDF report…", "Ctrl+P", "Images, overlays and counts"),
    ActionSpec("quit", "&File", "&Quit", "Ctrl+Q"),
    ActionSpec("undo", "&Edit", "&Undo", "Ctrl+Z"),
    ActionSpec("redo", "&Edit", "&Redo", "Ctrl+Shift+Z"),
    ActionSpec("sign", "&Edit", "&Sign image as reviewed", "Ctrl+Return", "Locks the image's types; again to unsign"),
    ActionSpec("preferences", "&Edit", "&Preferences…", "Ctrl+,"),
    ActionSpec("show_image", "&View", "&Image", "F2"),
    ActionSpec("show_gallery", "&View", "&Gallery", "F3"),
    ActionSpec("fit", "&View", "&Fit to window", "F"),
    ActionSpec("one_to_one", "&View", "Actual &pixels (1:1)", "Ctrl+1"),
    ActionSpec("zoom_in", "&View", "Zoom &in", "Ctrl++"),
    ActionSpec("zoom_out", "&View", "Zoom &out", "Ctrl+-"),
    ActionSpec("toggle_overlay", "&View", "Toggle &overlay", "O", "Show or hide masks and boxes"),
    ActionSpec("next_image", "&View", "&Next image", "PgDown"),
    ActionSpec("prev_image", "&View", "P&revious image", "PgUp"),
    ActionSpec("analyse", "&Analysis", "&Re-analyse image", "Ctrl+R"),
    ActionSpec("cancel", "&Analysis", "&Cancel analysis", "Esc"),
    ActionSpec("retrain", "&Analysis", "Re&train on this project", "Ctrl+Shift+T",
               "Fine-tune the models on the project's corrections, in the background"),
    ActionSpec("retrain_wizard", "&Analysis", "Retraining &wizard…", "", "Choose images, models and settings"),
    ActionSpec("model_versions", "&Analysis", "Model &versions…", "", "Activate, roll back, export or import"),
    ActionSpec("pixel_size", "&Analysis", "&Pixel size…", "", "Micrometres per pixel of your camera (else measured)"),
    ActionSpec("help", "&Help", "&Keyboard shortcuts", "F1"),
    ActionSpec("messages", "&Help", "&Messages", "", "Every message shown in this session"),
    ActionSpec("about", "&Help", "&About WBC Desktop"),
]
# One action per type: the digit assigns it to the selected cells (0 = unidentified).
SPECS += [
    ActionSpec(f"type_{t}", "&Review", f"Mark as {display_name(t)}", shortcut_key(t)) for t in REVIEW_TYPES
]
SPECS.append(ActionSpec("restore_type", "&Review", "Restore the model's type", "Backspace"))
SPECS += [  # wired by gui/project/menu.py and gui/doubt_nav.py
    ActionSpec("open_project", "&File", "Open &project…", "Ctrl+Alt+O",
               "A project folder: analyses, corrections, reviews"),
    ActionSpec("toggle_doubt", "&View", "Show the segmenter's &doubt", "U",
               "Heat map of the segmenter's per-pixel entropy: where the masks are likely wrong", checkable=True),
    ActionSpec("next_uncertain", "&Review", "&Next uncertain cell", "N",
               "Open the most doubtful cell not yet visited (type and mask doubt, whole batch)"),
]
MENUS = ["&File", "&Edit", "&View", "&Review", "&Analysis", "&Help"]


class Actions:
    """QActions by name (``actions.open``), created into a window's menu bar."""

    def __init__(self, window: QMainWindow) -> None:
        self.by_key: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}
        bar = window.menuBar()
        for name in MENUS:
            self.menus[name] = bar.addMenu(name)
        self.recent_menu = QMenu("Open &recent", window)
        self.device_menu = QMenu("&Device", window)
        self.classifier_menu = QMenu("Cell-type &model", window)
        for s in SPECS:
            a = QAction(s.text, window)
            if s.shortcut:
                a.setShortcut(QKeySequence(s.shortcut))
            a.setStatusTip(s.tip)
            a.setCheckable(s.checkable)
            window.addAction(a)  # shortcuts work wherever the focus is in the window
            self.by_key[s.key] = a
            setattr(self, s.key, a)
            self.menus[s.menu].addAction(a)
            if s.key == "open_folder":
                self.menus[s.menu].addMenu(self.recent_menu)
            if s.key in ("demo", "close_image", "export_pdf", "sign", "toggle_overlay", "prev_image", "cancel"):
                self.menus[s.menu].addSeparator()
        self.menus["&Analysis"].addMenu(self.device_menu)
        self.menus["&Analysis"].addMenu(self.classifier_menu)

    def connect(self, key: str, fn: Callable[[], object]) -> None:
        self.by_key[key].triggered.connect(lambda _checked=False: fn())

    def set_recent(self, paths: list[str], open_fn: Callable[[str], None], clear_fn: Optional[Callable] = None) -> None:
        self.recent_menu.clear()
        for p in paths:
            a = self.recent_menu.addAction(p)
            a.triggered.connect(lambda _=False, p=p: open_fn(p))
        self.recent_menu.setEnabled(bool(paths))
        if paths and clear_fn is not None:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list", clear_fn)


def shortcut_rows() -> list[tuple[str, str, str]]:
    """(menu, action, keys) for the help dialog, plus the mouse gestures."""
    rows = [(s.menu.replace("&", ""), s.text.replace("&", "").rstrip("…"), s.shortcut) for s in SPECS if s.shortcut]
    rows += [
        ("Mouse", "Zoom about the cursor", "Wheel"),
        ("Mouse", "Pan", "Drag"),
        ("Mouse", "Select a cell / add to selection", "Click / Ctrl+Click"),
        ("Mouse", "Reclassify in the gallery", "Drag thumbnails onto a group"),
        ("Mouse", "Open images", "Drop files or folders on the window"),
    ]
    from wbc_desktop.gui.tools.bar import shortcut_rows as tool_rows

    return rows + tool_rows()
