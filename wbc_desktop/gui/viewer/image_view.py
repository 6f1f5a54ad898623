"""A QGraphicsView that zooms smoothly about the cursor and pans, and reports where the mouse is.

Knows nothing of cells: layers add their items to its scene; hover and click positions go
out as image-pixel coordinates. With an editing tool set (``set_tool``) it only routes mouse,
wheel and key events to that tool (in image pixels); the middle button still pans.
"""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QPainter, QPixmap, QWheelEvent
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QWidget

MIN_ZOOM, MAX_ZOOM = 0.02, 40.0


class ImageView(QGraphicsView):
    """Zoom (wheel, fit, 1:1) and pan (drag) over one image."""

    hovered = Signal(float, float)  # image coordinates; (-1, -1) when the mouse leaves
    clicked = Signal(float, float, object)  # image coordinates, keyboard modifiers
    zoomChanged = Signal(float)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(QColor("#2b2b2b"))
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self.setMouseTracking(True)
        self.image_item = QGraphicsPixmapItem()
        self._image_key: Optional[int] = None  # QImage.cacheKey of the picture shown
        self.image_item.setZValue(0)
        self.scene().addItem(self.image_item)
        self._press: Optional[QPointF] = None
        self._fit_on_resize = True
        self.tool: Any = None  # an editing tool (gui.tools.base.Tool) that gets the mouse and keys
        self._pan: Optional[QPointF] = None  # middle-button pan in progress
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def set_tool(self, tool: Any) -> None:
        """Route events to ``tool`` (``None`` or a navigate tool: pan by dragging, click selects)."""
        if self.tool is not None and self.tool is not tool:
            self.tool.deactivate()
        self.tool = tool
        editing = tool is not None and tool.key != "navigate"
        self.setDragMode(QGraphicsView.DragMode.NoDrag if editing else QGraphicsView.DragMode.ScrollHandDrag)
        if editing:
            self.viewport().setCursor(tool.cursor)
            tool.activate()
        else:
            self.viewport().unsetCursor()

    def _editing(self) -> bool:
        return self.tool is not None and self.tool.key != "navigate"

    def _scene_pos(self, event: QMouseEvent) -> QPointF:
        return self.mapToScene(event.position().toPoint())

    # content
    def set_image(self, image: Optional[QImage]) -> None:
        """Show an image (or nothing); keeps the zoom when the size is unchanged (switching images)."""
        old = self.image_item.pixmap().size()
        key = image.cacheKey() if image is not None else None
        if key is not None and key == self._image_key:
            return  # the same picture (the preview, now with its analysis): nothing to convert
        self._image_key = key
        pix = QPixmap.fromImage(image) if image is not None else QPixmap()
        self.image_item.setPixmap(pix)
        # Smooth when zoomed out (no aliasing of the stain), exact pixels when zoomed in.
        self.image_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().setSceneRect(QRectF(pix.rect()))
        if pix.size() != old or self._fit_on_resize:
            self.fit()

    def view_state(self) -> tuple[float, QPointF, bool]:
        """Zoom, scene point at the centre and whether it follows the window (fitted): one image's view."""
        return self.zoom, self.mapToScene(self.viewport().rect().center()), self._fit_on_resize

    def restore_view(self, state: Optional[tuple[float, QPointF, bool]]) -> None:
        """Back to a view kept by :meth:`view_state`; ``None`` fits the image (a new image)."""
        if state is None or state[2]:
            self.fit()
            return
        self.set_zoom(state[0])
        self.centerOn(state[1])

    def has_image(self) -> bool:
        return not self.image_item.pixmap().isNull()

    # zoom
    @property
    def zoom(self) -> float:
        return float(self.transform().m11())

    def set_zoom(self, z: float) -> None:
        z = max(MIN_ZOOM, min(MAX_ZOOM, z))
        f = z / self.zoom
        self.scale(f, f)
        self._fit_on_resize = False
        self.zoomChanged.emit(self.zoom)

    def zoom_by(self, factor: float) -> None:
        self.set_zoom(self.zoom * factor)

    def fit(self) -> None:
        if self.has_image():
            self.fitInView(self.image_item, Qt.AspectRatioMode.KeepAspectRatio)
            self._fit_on_resize = True
            self.zoomChanged.emit(self.zoom)

    def one_to_one(self) -> None:
        self.set_zoom(1.0)

    def center_on_rect(self, rect: QRectF, min_zoom: float = 2.0) -> None:
        """Bring a cell into view, zooming in to at least ``min_zoom`` if it is small on screen."""
        if self.zoom < min_zoom:
            self.set_zoom(min(min_zoom, self.viewport().width() / max(1.0, rect.width() * 3)))
        self.centerOn(rect.center())

    # events
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._editing() and self.tool.wants_key(event):
            event.accept()  # the tool's key (1/2/3, [ ], Esc mid-stroke) beats the window's shortcut
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._editing() and self.tool.key_press(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self._editing() and self.tool.wheel(event):
            event.accept()
            return
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.25 ** steps)
        event.accept()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fit_on_resize:
            self.fit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan = event.position()
            event.accept()
            return
        if self._editing():
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            if self.tool.press(self._scene_pos(event), event):
                event.accept()
                return
        self._press = event.position()
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._editing() and self.tool.double_click(self._scene_pos(event), event):
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton and self._pan is not None:
            self._pan = None
            event.accept()
            return
        if self._editing() and self.tool.release(self._scene_pos(event), event):
            event.accept()
            self._press = None
            return
        super().mouseReleaseEvent(event)
        if self._press is not None and (event.position() - self._press).manhattanLength() < 4:
            p = self.mapToScene(event.position().toPoint())
            self.clicked.emit(p.x(), p.y(), event.modifiers())
        self._press = None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        p = self._scene_pos(event)
        if self._pan is not None:
            d = event.position() - self._pan
            self._pan = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(d.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(d.y()))
        elif self._editing():
            if event.buttons() == Qt.MouseButton.NoButton:
                self.tool.hover(p)
            elif self.tool.move(p, event):
                event.accept()
                return  # no hover text while painting: a move must stay cheap
        else:
            super().mouseMoveEvent(event)
        self.hovered.emit(p.x(), p.y())

    def leaveEvent(self, event) -> None:
        super().leaveEvent(event)
        if self._editing():
            self.tool.leave()
        self.hovered.emit(-1.0, -1.0)
