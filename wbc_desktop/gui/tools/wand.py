"""Learned magic wand: a click spreads the chosen class over what the segmenter finds alike.

The class spreads from the clicked superpixel over the connected superpixels whose SMGNN
embeddings (kept by the last analysis) stay similar to it, within the brush's reach (``[ ]``),
then the band along the new edge follows the image's colours
(:func:`~wbc_desktop.core.editing.wand.wand_click`). The right button or Shift+click is a negative
click: the region goes back to background. What earlier strokes of the other tools painted is
kept: the wand does not spread over it. One click is one undo step.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QMouseEvent

from wbc_desktop.core.editing.wand import painted_by_hand, wand_click

from wbc_desktop.gui.tools.base import CLASS_NAMES, Tool, paint_button


class WandTool(Tool):
    key = "wand"
    short = "Wand"
    text = "Magic &wand"
    shortcut = "W"
    tip = ("Click a wrong region: the chosen class (1/2/3) spreads over what the model finds alike, as far as "
           "the brush size ([ ]); right button or Shift+click: background")
    uses_class = True
    uses_size = True

    def press(self, p: QPointF, event: QMouseEvent) -> bool:
        return paint_button(event)

    def release(self, p: QPointF, event: QMouseEvent) -> bool:
        if not paint_button(event):
            return False
        if not self.ctx.can_edit():
            return True
        e = self.ctx.entry
        a = e.analysis
        negative = (event.button() == Qt.MouseButton.RightButton
                    or bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
        value = 0 if negative else self.ctx.settings.value
        history = getattr(e, "history", None)
        locked = painted_by_hand(a.class_map.shape, history.done) if history is not None else None
        patch = wand_click(a.class_map, e.image.pixels, getattr(a, "nodes", []) or [], p.x(), p.y(), value,
                           reach=self.ctx.settings.radius, scale=a.scale or 1.0, locked=locked,
                           text=f"wand {CLASS_NAMES[value]}")
        if patch is None:
            self.ctx.hint("The wand found nothing to change there (the clicked pixel already has that class).")
            return True
        self.ctx.commit(patch)
        return True
