"""What every editing tool shares: the class and brush size, the context it edits, the key handling.

A tool gets mouse positions already in image pixels; it paints live through
:meth:`EditContext.show_region` and hands a finished stroke to :meth:`EditContext.commit`, which
makes it one undo step (``Document.edit_mask``). Nothing here knows a specific tool.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QWheelEvent

CLASS_NAMES = {2: "nucleus", 1: "cytoplasm", 0: "background"}
CLASS_KEYS = {Qt.Key.Key_1: 2, Qt.Key.Key_2: 1, Qt.Key.Key_3: 0}  # 1 nucleus, 2 cytoplasm, 3 background
MIN_RADIUS, MAX_RADIUS = 0.5, 300.0


class ToolSettings(QObject):
    """The class painted and the brush radius (image px), shared by all tools and the tool bar."""

    changed = Signal()

    def __init__(self, value: int = 2, radius: float = 6.0) -> None:
        super().__init__()
        self.value, self.radius = value, radius

    def set_value(self, value: int) -> None:
        if value in CLASS_NAMES and value != self.value:
            self.value = value
            self.changed.emit()

    def set_radius(self, radius: float) -> None:
        r = max(MIN_RADIUS, min(MAX_RADIUS, float(radius)))
        if r != self.radius:
            self.radius = r
            self.changed.emit()

    def grow(self, steps: float) -> None:
        """``[``/``]`` and Ctrl+wheel: about 15% per step, at least one pixel of diameter."""
        f = 1.15 ** steps
        new = self.radius * f
        if abs(new - self.radius) < 0.5:
            new = self.radius + (0.5 if steps > 0 else -0.5)
        self.set_radius(new)


class EditContext:
    """The current image as the tools see it, and the two ways they change it."""

    def __init__(self, document: Any, viewer: Any, say: Callable[[str], None], settings: ToolSettings) -> None:
        self.doc, self.viewer, self.say, self.settings = document, viewer, say, settings

    @property
    def view(self) -> Any:
        return self.viewer.view

    @property
    def entry(self) -> Any:
        e = self.doc.current_entry
        return e if e is not None and e.analysis is not None and e.image is not None else None

    @property
    def analysis(self) -> Any:
        e = self.entry
        return e.analysis if e is not None else None

    def can_edit(self) -> bool:
        """An analysed, unsigned current image; otherwise says why and returns False."""
        e = self.entry
        if e is None:
            self.say("Open and analyse an image before editing its masks.")
            return False
        if e.signed:
            self.say("This image is signed: remove the signature (Ctrl+Return) to edit its masks.")
            return False
        if getattr(e.analysis, "overview_factor", None):
            self.say("This is a whole slide shown reduced: its masks are edited on fields cut from it, not on the "
                     "overview. Types can be corrected in the gallery.")
            return False
        return True

    def hint(self, text: str) -> None:
        """A how-to line in the status bar (not a warning in the message bar)."""
        status = getattr(self.viewer.window(), "status", None)
        if status is not None:
            status.message.setText(text)

    def show_region(self, box: Optional[tuple[int, int, int, int]]) -> None:
        """Redraw ``box`` (y0, y1, x0, x1) of the fill from the class map (live painting)."""
        if box is not None and self.analysis is not None:
            self.viewer.masks.update_region(self.analysis.class_map, box)

    def commit(self, patch: Any) -> bool:
        """One finished stroke -> one undo step; True when it was applied."""
        if patch is None:
            return False
        message = self.doc.edit_mask(patch)
        if message:
            self.show_region(patch.box)  # a refused live stroke was taken back
            self.say(message)
        return not message

    def cell_at(self, p: QPointF) -> int:
        a = self.analysis
        if a is None:
            return 0
        h, w = a.instances.shape
        x, y = int(p.x()), int(p.y())
        return int(a.instances[y, x]) if 0 <= x < w and 0 <= y < h else 0


class Tool:
    """A tool that does nothing: the navigate/select mode, and the base of the others.

    Handlers return True when they used the event (the view then skips its own handling).
    """

    key = "navigate"
    text = "Navigate / select"
    short = "Select"  # the tool bar's label
    shortcut = "V"
    tip = "Pan, zoom and select cells (the default)"
    uses_class = False  # 1/2/3 choose the class painted
    uses_size = False  # [ ] and Ctrl+wheel change the brush size

    def __init__(self, ctx: EditContext) -> None:
        self.ctx = ctx

    @property
    def cursor(self) -> Qt.CursorShape:
        return Qt.CursorShape.CrossCursor

    def activate(self) -> None:
        """The tool was chosen."""

    def deactivate(self) -> None:
        """Another tool was chosen: drop a half-made stroke."""
        self.cancel()

    def cancel(self) -> bool:
        """Esc: drop the stroke being drawn; True if there was one."""
        return False

    @property
    def busy(self) -> bool:
        """A stroke is being drawn (Esc then belongs to the tool)."""
        return False

    def press(self, p: QPointF, event: QMouseEvent) -> bool:
        return False

    def move(self, p: QPointF, event: QMouseEvent) -> bool:
        return False

    def release(self, p: QPointF, event: QMouseEvent) -> bool:
        return False

    def double_click(self, p: QPointF, event: QMouseEvent) -> bool:
        return False

    def hover(self, p: QPointF) -> None:
        """The mouse moved with no button held (cursor previews)."""

    def leave(self) -> None:
        """The mouse left the view."""

    # keys
    def wants_key(self, event: QKeyEvent) -> bool:
        """Keys the tool takes before the window's shortcuts (digits pick a class while painting)."""
        k = event.key()
        if k == Qt.Key.Key_Escape and self.busy:
            return True
        if self.uses_class and k in CLASS_KEYS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return True
        return self.uses_size and k in (Qt.Key.Key_BracketLeft, Qt.Key.Key_BracketRight)

    def key_press(self, event: QKeyEvent) -> bool:
        k = event.key()
        if k == Qt.Key.Key_Escape:
            return self.cancel()
        if self.uses_class and k in CLASS_KEYS:
            self.ctx.settings.set_value(CLASS_KEYS[k])
            return True
        if self.uses_size and k in (Qt.Key.Key_BracketLeft, Qt.Key.Key_BracketRight):
            self.ctx.settings.grow(1 if k == Qt.Key.Key_BracketRight else -1)
            return True
        return False

    def wheel(self, event: QWheelEvent) -> bool:
        if self.uses_size and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120.0
            if steps:
                self.ctx.settings.grow(steps)
            return True
        return False


def left(event: QMouseEvent) -> bool:
    return event.button() == Qt.MouseButton.LeftButton


def left_held(event: QMouseEvent) -> bool:
    return bool(event.buttons() & Qt.MouseButton.LeftButton)


class StrokeTool(Tool):
    """A tool whose press starts a ``StrokeRecorder`` (``self.recorder``) with ``self._button``:
    release commits the stroke as one undo step, Esc drops it."""

    recorder: Any = None
    _button = Qt.MouseButton.LeftButton

    def release(self, p: QPointF, event: QMouseEvent) -> bool:
        if not paint_button(event):
            return False
        if self.recorder is None or event.button() != self._button:
            return True
        rec, self.recorder = self.recorder, None
        self.ctx.commit(rec.finish())
        return True

    def cancel(self) -> bool:
        rec, self.recorder = self.recorder, None
        if rec is None:
            return False
        box = rec.box
        rec.cancel()
        self.ctx.show_region(box)
        return True


def paint_button(event: QMouseEvent) -> bool:
    """Left paints the chosen class, right paints background (no tool switch to erase)."""
    return event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton)


def value_for(event: QMouseEvent, value: int) -> int:
    return 0 if event.button() == Qt.MouseButton.RightButton else value
