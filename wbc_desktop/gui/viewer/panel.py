"""The image tab: view + overlay layers + hover label + a small toolbar, bound to the Document."""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSlider, QToolButton, QVBoxLayout, QWidget

from wbc_desktop.gui.document import Document
from wbc_desktop.gui.viewer.boxes import BoxLayer
from wbc_desktop.gui.viewer.hover import HoverInfo
from wbc_desktop.gui.viewer.image_view import ImageView
from wbc_desktop.gui.viewer.overlay import MaskLayer, OverlayStyle


class ViewerPanel(QWidget):
    """Shows the current image of a :class:`Document` with its overlays; clicking selects cells."""

    styleChanged = Signal(object)  # OverlayStyle, for the settings
    displayShown = Signal()  # the current entry's picture, masks and boxes are all on screen

    # Above this many pixels the picture, the masks and the boxes go on screen in separate
    # event-loop turns, so no single turn holds the GUI thread long (a 4000x3000 field took
    # ~130 ms in one turn). Small images stay synchronous: simpler, and tests see them at once.
    STAGE_ABOVE_PX = 4_000_000
    BOXES_PER_STAGE = 120
    EMPTY_TEXT = ("<div style='font-size:15pt'>Drop smear images or a folder here</div>"
                  "<div style='color:#aaa'>or File ▸ Open (Ctrl+O) · File ▸ Open the sample image</div>")

    def __init__(self, document: Document, style: OverlayStyle, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.doc = document
        self.view = ImageView(self)
        self.masks = MaskLayer(self.view.scene(), style)
        self.boxes = BoxLayer(self.view.scene())
        self.boxes.visible = style.boxes
        self.hover = HoverInfo(self.view.viewport())
        self.placeholder = QLabel(self.EMPTY_TEXT, self.view.viewport())
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: #ddd;")
        self.placeholder.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._shown: object = None  # the DisplayData on screen
        self._staging: object = None  # the DisplayData whose stages are still queued
        # One view per image: zoom and centre kept by path when leaving an image, put back on return;
        # an image never shown is fitted (a view carried over misplaced an "Add cell" outline).
        self._views: dict[object, tuple] = {}
        self._entry_path: object = None  # the image whose view the screen shows
        self._view_due: object = None  # path whose kept view (or a fit) is applied with its picture
        self._build_toolbar(style)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.toolbar)
        lay.addWidget(self.view, 1)
        self.view.hovered.connect(self._on_hover)
        self.view.clicked.connect(self._on_click)
        self.view.zoomChanged.connect(self._on_zoom)
        document.currentChanged.connect(lambda _i: self.show_current())
        document.entryChanged.connect(self._on_entry_changed)
        document.reviewChanged.connect(lambda _i: self._refresh_boxes())
        document.selectionChanged.connect(lambda ids: self.boxes.set_selected(ids, self._cells()))

    def _build_toolbar(self, style: OverlayStyle) -> None:
        self.toolbar = QWidget(self)
        row = QHBoxLayout(self.toolbar)
        row.setContentsMargins(6, 3, 6, 3)
        self.fit_button = QToolButton(text="Fit", toolTip="Fit the image in the window (F)")
        self.one_button = QToolButton(text="1:1", toolTip="Actual pixels (Ctrl+1)")
        self.fit_button.clicked.connect(self.view.fit)
        self.one_button.clicked.connect(self.view.one_to_one)
        self.zoom_label = QLabel("100%")
        self.zoom_label.setMinimumWidth(48)
        self.fill_check = QCheckBox("Fill", checked=style.fill, toolTip="Filled nucleus/cytoplasm masks")
        self.outline_check = QCheckBox("Outlines", checked=style.outline)
        self.boxes_check = QCheckBox("Boxes", checked=style.boxes, toolTip="Cell boxes with type and confidence")
        self.opacity = QSlider(Qt.Orientation.Horizontal, toolTip="Fill opacity")
        self.opacity.setRange(0, 100)
        self.opacity.setValue(int(style.opacity * 100))
        self.opacity.setFixedWidth(120)
        self.name_label = QLabel("")
        self.name_label.setStyleSheet("color: palette(mid);")
        for w in (self.fit_button, self.one_button, self.zoom_label, self.fill_check, self.outline_check,
                  self.boxes_check, QLabel("Opacity"), self.opacity):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.name_label)
        self.fill_check.toggled.connect(lambda v: self._restyle(fill=v))
        self.outline_check.toggled.connect(lambda v: self._restyle(outline=v))
        self.boxes_check.toggled.connect(lambda v: self._restyle(boxes=v))
        self.opacity.valueChanged.connect(lambda v: self._restyle(opacity=v / 100.0))

    # public
    def set_style(self, style: OverlayStyle) -> None:
        self.masks.set_style(style)
        self.boxes.set_visible(style.boxes, self._cells())
        self.styleChanged.emit(style)

    def toggle_overlay(self) -> None:
        """All overlays off/on at once (the O key): to look at the stain underneath."""
        on = not self.masks.visible
        self.masks.set_visible(on)
        self.boxes.set_visible(on and self.masks.style.boxes, self._cells())

    def focus_cell(self, cell_id: int) -> None:
        rect = self.boxes.rect_of(cell_id)
        if rect is not None:
            self.view.center_on_rect(rect)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.placeholder.resize(self.view.viewport().size())

    def show_current(self) -> None:
        """Put the current entry on screen; cheap when it is already shown (cache by analysis)."""
        e = self.doc.current_entry
        path = e.path if e is not None else None
        if path != self._entry_path:
            if self._entry_path is not None and self.view.has_image():
                self._views[self._entry_path] = self.view.view_state()
            self._entry_path, self._view_due = path, path
        if e is None or e.display is None:
            # nothing of this image to draw yet (reading, analysing) or ever (unreadable): never
            # the previous image and its cells; say what is going on instead
            self._staging = None
            if self._shown is not None or self.view.has_image():
                self.view.set_image(None)
                self.masks.set_data(None)
                self.boxes.set_cells(None)
            self._shown = None
            self.placeholder.setText(self._state_text(e))
            self.placeholder.setVisible(True)
            self.name_label.setText(f"{e.name} — {e.status}" if e is not None else "")
            return
        self.placeholder.setVisible(False)
        self.name_label.setText(f"{e.name} — {e.status}")
        if e.display is self._shown or e.display is self._staging:
            return  # already on screen
        display, cells = e.display, (e.analysis.cells if e.analysis is not None else None)
        stages = [lambda: self._show_image(display.image, path), lambda: self.masks.set_data(display),
                  lambda: self._show_boxes(cells)]
        big = display.image.width() * display.image.height() > self.STAGE_ABOVE_PX
        if big and cells and len(cells) > self.BOXES_PER_STAGE:  # ~1000 items at once held the thread ~100 ms
            parts = [cells[k:k + self.BOXES_PER_STAGE] for k in range(0, len(cells), self.BOXES_PER_STAGE)]
            stages[2:] = [lambda: self._show_boxes([])] + [lambda p=p: self.boxes.add_cells(p) for p in parts]
        if not big:
            self._staging = None  # stages still queued for another entry stop here
            for stage in stages:
                stage()
            self._finish(display)
            return
        self._staging, self._shown = display, None  # the screen is mid-change until the last stage
        self._run_stages(display, stages)

    def _show_image(self, image, path: object) -> None:
        self.view.set_image(image)
        if self._view_due == path:  # first picture of this image since it became current
            self._view_due = None
            self.view.restore_view(self._views.get(path))

    @staticmethod
    def _state_text(e) -> str:
        from html import escape

        from wbc_desktop.gui.document import FAILED

        if e is None:
            return ViewerPanel.EMPTY_TEXT
        if e.status == FAILED:
            return (f"<div style='font-size:14pt; color:#f0a0a0'>{escape(e.name)} could not be opened</div>"
                    f"<div style='color:#ddd'>{escape(e.message or 'unknown error')}</div>")
        return f"<div style='font-size:13pt'>{escape(e.name)}: {escape(e.status)}…</div>"

    def _run_stages(self, display: object, stages: list) -> None:
        """One stage per event-loop turn; dropped when another entry took the screen meanwhile."""
        if self._staging is not display:
            return
        stages[0]()
        if len(stages) > 1:
            QTimer.singleShot(0, lambda: self._run_stages(display, stages[1:]))
        else:
            self._staging = None
            self._finish(display)

    def _show_boxes(self, cells) -> None:
        self.boxes.zoom = self.view.zoom
        self.boxes.set_cells(cells)

    def _finish(self, display: object) -> None:
        self._shown = display
        self.displayShown.emit()

    # internals
    def _cells(self) -> list:
        e = self.doc.current_entry
        return e.analysis.cells if e is not None and e.analysis is not None else []

    def _restyle(self, **changes) -> None:
        self.set_style(replace(self.masks.style, **changes))

    def _on_zoom(self, zoom: float) -> None:
        self.zoom_label.setText(f"{zoom * 100:.0f}%")
        self.boxes.set_zoom(zoom)

    def _refresh_boxes(self) -> None:
        self.boxes.refresh(self._cells())

    def _on_entry_changed(self, i: int) -> None:
        if i == self.doc.current:
            self.show_current()

    def _on_hover(self, x: float, y: float) -> None:
        e = self.doc.current_entry
        self.hover.show_for(e.analysis if e is not None else None, x, y, e.um if e is not None else None)

    def _on_click(self, x: float, y: float, modifiers) -> None:
        e = self.doc.current_entry
        if e is None or e.analysis is None:
            return
        h, w = e.analysis.instances.shape
        if not (0 <= int(x) < w and 0 <= int(y) < h):
            self.doc.select([])
            return
        cid = int(e.analysis.instances[int(y), int(x)])
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            ids = [i for i in self.doc.selected if i != cid] + ([cid] if cid and cid not in self.doc.selected else [])
            self.doc.select(ids)
        else:
            self.doc.select([cid] if cid else [])
