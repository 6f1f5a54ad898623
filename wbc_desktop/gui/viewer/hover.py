"""What the mouse is over: the cell's type, confidence, top-3 and morphology, in a floating label."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from wbc_desktop.gui.palette import cell_summary


def describe(cell, x: int, y: int, um: Optional[float] = None) -> str:
    """Rich-text details of one cell for the hover label (kept short: it floats over the image);
    areas in µm² when the pixel size ``um`` is known."""
    from wbc_desktop.gui.units import area_text

    title, details, border = cell_summary(cell)
    lines = [f"<b>{title}</b>", *details, f"area {area_text(cell.area_px, um)} · N/C {cell.nc_ratio:.2f}"]
    if border:
        lines.append(f"<i>{border}</i>")
    lines.append(f"<span style='color:#aaa'>x {x}, y {y}</span>")
    return "<br>".join(lines)


class HoverInfo(QLabel):
    """A translucent label in the view's top-left corner; hidden when not over a cell."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setStyleSheet(
            "QLabel { background: rgba(20,20,20,200); color: white; padding: 6px; border-radius: 4px; }"
        )
        self.move(10, 10)
        self.hide()

    def show_for(self, analysis, x: float, y: float, um: Optional[float] = None) -> Optional[int]:
        """Show the cell under (x, y); returns its id or None."""
        if analysis is None or x < 0 or y < 0:
            self.hide()
            return None
        h, w = analysis.instances.shape
        xi, yi = int(x), int(y)
        if not (0 <= xi < w and 0 <= yi < h):
            self.hide()
            return None
        cid = int(analysis.instances[yi, xi])
        if cid <= 0:
            self.hide()
            return None
        try:
            cell = analysis.cell(cid)
        except KeyError:
            self.hide()
            return None
        self.setText(describe(cell, xi, yi, um))
        self.adjustSize()
        self.show()
        self.raise_()
        return cid
