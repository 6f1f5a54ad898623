"""The mask tools' tool bar and Edit ▸ Mask tools menu, built and wired in one call from the window.

``install(window)`` adds one checkable action per tool (exclusive, with its key), the class
buttons (1 nucleus, 2 cytoplasm, 3 background while a painting tool is active), the brush size,
"revert to the model", and connects mask edits to the display refresh and the retyper.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDoubleSpinBox, QLabel, QMenu, QToolBar

from wbc_desktop.gui.tools.base import CLASS_NAMES, EditContext, Tool, ToolSettings
from wbc_desktop.gui.tools.refresh import refresh_after_edit
from wbc_desktop.gui.tools.retyper import Retyper


def tool_classes() -> list[type]:
    """Every tool in tool-bar order (imported here so each module stays independent)."""
    from wbc_desktop.gui.tools.brush import BrushTool, EraserTool
    from wbc_desktop.gui.tools.cells import AddCellTool, DeleteCellTool, MergeTool, SplitTool
    from wbc_desktop.gui.tools.fill import FillTool
    from wbc_desktop.gui.tools.lasso import LassoTool
    from wbc_desktop.gui.tools.snap import SnapTool
    from wbc_desktop.gui.tools.wand import WandTool

    return [Tool, BrushTool, EraserTool, SnapTool, WandTool, FillTool, LassoTool,
            DeleteCellTool, AddCellTool, SplitTool, MergeTool]


class EditTools:
    """The tools of one window, the active one, and their actions (``actions[key]``)."""

    def __init__(self, window: Any) -> None:
        c = window.controller
        self.window, self.doc, self.viewer = window, c.doc, window.viewer
        self.settings = ToolSettings(*_remembered(c.settings))
        self.settings.changed.connect(lambda: _remember(c.settings, self.settings))
        self.ctx = EditContext(c.doc, window.viewer, c.messages.warning, self.settings)
        self.tools: dict[str, Tool] = {cls.key: cls(self.ctx) for cls in tool_classes()}
        self.actions: dict[str, QAction] = {}
        self.retyper = Retyper(c.doc, c.runner, window)
        self.retyper.failed.connect(lambda m: c.messages.warning(f"Edited cells were not retyped: {m}"))
        c.doc.maskEdited.connect(self._on_mask_edited)
        from wbc_desktop.gui.tools.learner import ExampleLearner  # lab learning: type by the lab's examples

        self.learner = ExampleLearner(c.doc, c.runner, window)
        self.learner.failed.connect(lambda m: c.messages.warning(f"Cells were not typed by your examples: {m}"))
        self.learner.estimated.connect(lambda line: window.statusBar().showMessage(line, 15000))
        # a stroke belongs to the analysis it started on: drop it when another image or a new
        # analysis takes the view (other changes of the entry, e.g. its saved state, keep it)
        self._seen_analysis: Any = None
        c.doc.currentChanged.connect(lambda _i: self._drop_stale_stroke(force=True))
        c.doc.entryChanged.connect(lambda i: i == c.doc.current and self._drop_stale_stroke())
        self._build(window)
        self.select("navigate")

    def _drop_stale_stroke(self, force: bool = False) -> None:
        a = self.ctx.analysis
        if (force or a is not self._seen_analysis) and self.active is not None:
            self.active.cancel()
        self._seen_analysis = a

    @property
    def active(self) -> Tool:
        return self.viewer.view.tool

    def select(self, key: str) -> None:
        tool = self.tools[key]
        self.viewer.view.set_tool(tool)
        self.actions[key].setChecked(True)
        if key == "navigate":
            return
        self.window.tabs.setCurrentWidget(self.viewer)  # the tools work on the image
        self.viewer.view.setFocus()
        if not self.viewer.masks.visible:  # painting what one cannot see helps nobody
            self.viewer.toggle_overlay()
        if not self.viewer.masks.style.fill:
            self.viewer.fill_check.setChecked(True)
        self.window.status.message.setText(f"{tool.text.replace('&', '')}: {tool.tip}")

    def _on_mask_edited(self, index: int, edit: Any) -> None:
        e = self.doc.entry(index)
        if e is not None:
            refresh_after_edit(e, edit, self.viewer)

    def revert(self, whole_image: bool) -> None:
        from wbc_desktop.core.editing.cell_ops import revert_to_model

        e = self.ctx.entry
        if e is None or not self.ctx.can_edit():
            return
        masks = self.doc.model_masks(e)
        if masks is None:
            self.ctx.say("The masks of this image are the model's: nothing to revert.")
            return
        cm, inst = masks
        a = e.analysis
        if whole_image:
            patches = [revert_to_model(a.class_map, cm)]
        else:
            if not self.doc.selected:
                self.ctx.say("Select a cell first (click it in Navigate mode, V).")
                return
            patches = [revert_to_model(a.class_map, cm, a.instances, i, inst) for i in self.doc.selected[:1]]
        if not any(p is not None for p in patches):
            self.ctx.say("Already as the model made it.")
        for p in patches:
            self.ctx.commit(p)

    def delete_selected(self) -> None:
        """Del: remove the selected cells (one undo step for all of them)."""
        from wbc_desktop.core.editing.cell_ops import delete_cell
        from wbc_desktop.core.editing.edits import union_patch

        a = self.ctx.analysis
        if a is None or not self.doc.selected:
            self.ctx.say("Select the false cells to delete first.")
            return
        if self.ctx.can_edit():
            ids = list(self.doc.selected)
            patches = [delete_cell(a.class_map, a.instances, cid) for cid in ids]
            text = f"delete cell {ids[0]}" if len(ids) == 1 else f"delete {len(ids)} cells"
            self.ctx.commit(union_patch(a.class_map, patches, text, a.instances))
            self.doc.select([])

    def _build(self, window: Any) -> None:
        bar = self.toolbar = QToolBar("Mask tools", window)
        bar.setObjectName("Mask tools")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        menu = self.menu = QMenu("&Mask tools", window)
        group = QActionGroup(window)
        for key, tool in self.tools.items():
            a = QAction(tool.text if key != "navigate" else "&Navigate / select", window, checkable=True)
            a.setIconText(tool.short)
            a.setShortcut(QKeySequence(tool.shortcut))
            a.setToolTip(f"{tool.text.replace('&', '')} ({tool.shortcut}): {tool.tip}")
            a.setStatusTip(tool.tip)
            a.triggered.connect(lambda _=False, k=key: self.select(k))
            group.addAction(a)
            window.addAction(a)
            menu.addAction(a)
            bar.addAction(a)
            self.actions[key] = a
            if key in ("navigate", "lasso"):
                bar.addSeparator()
                menu.addSeparator()
        bar.addSeparator()
        menu.addSeparator()
        cgroup = QActionGroup(window)
        self.class_actions: dict[int, QAction] = {}
        for n, value in enumerate((2, 1, 0), start=1):
            a = QAction(f"{CLASS_NAMES[value].capitalize()}", window, checkable=True)
            a.setToolTip(f"Paint {CLASS_NAMES[value]} (key {n} while a painting tool is active)")
            a.triggered.connect(lambda _=False, v=value: self.settings.set_value(v))
            cgroup.addAction(a)
            bar.addAction(a)
            menu.addAction(a)
            self.class_actions[value] = a
        bar.addWidget(QLabel(" Size "))
        self.size = QDoubleSpinBox(decimals=1, minimum=0.5, maximum=300.0, singleStep=1.0, suffix=" px",
                                   toolTip="Brush radius in image pixels ([ and ], or Ctrl+wheel over the image)")
        self.size.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.size.valueChanged.connect(self.settings.set_radius)
        bar.addWidget(self.size)
        bar.addSeparator()
        menu.addSeparator()
        for key, text, short, whole in (("revert_cell", "Revert selected cell to the model", "Revert cell", False),
                                        ("revert_image", "Revert image masks to the model", "Revert image", True)):
            a = QAction(text, window)
            a.setIconText(short)
            a.setStatusTip("Back to the segmenter's own masks (one undo step)")
            a.triggered.connect(lambda _=False, w=whole: self.revert(w))
            bar.addAction(a)
            menu.addAction(a)
            self.actions[key] = a
        a = QAction("Delete selected cells", window, shortcut=QKeySequence(QKeySequence.StandardKey.Delete))
        a.setStatusTip("Remove false cells: their pixels become background (one undo step)")
        a.triggered.connect(lambda _=False: self.delete_selected())
        window.addAction(a)
        menu.addAction(a)
        self.actions["delete_selected"] = a
        self.settings.changed.connect(self._sync)
        self._sync()
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        edit = window.actions_.menus.get("&Edit")
        if edit is not None:
            edit.addSeparator()
            edit.addMenu(menu)

    def _sync(self) -> None:
        self.class_actions[self.settings.value].setChecked(True)
        if abs(self.size.value() - self.settings.radius) > 1e-6:
            self.size.setValue(self.settings.radius)


def _remembered(app_settings: Any) -> tuple[int, float]:
    """The class and brush radius of the last session (defaults when absent or unreadable)."""
    q = getattr(app_settings, "q", None)
    try:
        value = int(q.value("tools/class", 2)) if q is not None else 2
        radius = float(q.value("tools/radius", 6.0)) if q is not None else 6.0
    except (TypeError, ValueError):
        return 2, 6.0
    return (value if value in CLASS_NAMES else 2), min(300.0, max(0.5, radius))


def _remember(app_settings: Any, settings: ToolSettings) -> None:
    q = getattr(app_settings, "q", None)
    if q is not None:
        q.setValue("tools/class", int(settings.value))
        q.setValue("tools/radius", float(settings.radius))


def shortcut_rows() -> list[tuple[str, str, str]]:
    """(menu, action, keys) of the mask tools for the keyboard-shortcuts dialog."""
    rows = [("Mask tools", cls.text.replace("&", ""), cls.shortcut) for cls in tool_classes()]
    rows[0] = ("Mask tools", "Navigate / select", "V")
    return rows + [
        ("Mask tools", "Paint nucleus / cytoplasm / background (while a painting tool is active)", "1 / 2 / 3"),
        ("Mask tools", "Brush size smaller / larger", "[ / ] or Ctrl+wheel"),
        ("Mask tools", "Cancel the stroke being drawn", "Esc"),
        ("Mask tools", "Pan while a tool is active", "Middle-button drag"),
        ("Mask tools", "Delete the selected cells", "Del"),
        ("Mask tools", "Paint background with the brush or snap", "Right-button drag"),
        ("Mask tools", "Negative wand click (background)", "Right button or Shift+click"),
    ]


def install(window: Any) -> EditTools:
    """Build the mask tools into ``window`` (a MainWindow), which keeps the returned ``EditTools``."""
    return EditTools(window)
