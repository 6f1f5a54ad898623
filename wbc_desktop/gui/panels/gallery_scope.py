"""Gallery scope: *this image* (the per-image gallery) or *whole batch* (every analysed image).

``install(window)`` puts both behind a scope switch in the Gallery tab and routes the window's
type keys and Ctrl+Z to the batch gallery while it is shown, so the same keys work in both scopes.
"""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from wbc_desktop.gui.panels.batch_gallery import BatchGalleryPanel

SCOPES = ("This image", "Whole batch (all open images / the project)")


class ScopedGallery(QWidget):
    """A scope combo over a stack of the per-image gallery and the batch gallery."""

    def __init__(self, image_gallery: QWidget, batch: BatchGalleryPanel, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.image_gallery, self.batch = image_gallery, batch
        self.scope = QComboBox()
        self.scope.addItems(list(SCOPES))
        self.scope.setToolTip("Review the cells of the current image, or of every analysed image at once")
        self.stack = QStackedWidget()
        self.stack.addWidget(image_gallery)
        self.stack.addWidget(batch)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 0)
        bar.addWidget(QLabel("Scope"))
        bar.addWidget(self.scope)
        bar.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addLayout(bar)
        lay.addWidget(self.stack, 1)
        self.scope.currentIndexChanged.connect(self.stack.setCurrentIndex)

    @property
    def batch_shown(self) -> bool:
        return self.batch.isVisible()

    def set_batch(self, on: bool) -> None:
        self.scope.setCurrentIndex(1 if on else 0)


def install(window: Any) -> ScopedGallery:
    """Wrap the window's gallery tab with the scope switch; returns the wrapper."""
    c, tabs, gallery = window.controller, window.tabs, window.gallery
    at = tabs.indexOf(gallery)
    text = tabs.tabText(at)
    batch = BatchGalleryPanel(c.doc)
    tabs.removeTab(at)
    scoped = ScopedGallery(gallery, batch)
    tabs.insertTab(at, scoped, text)
    window.scoped_gallery, window.batch_gallery = scoped, batch
    try:
        window.actions_.by_key["show_gallery"].triggered.disconnect()
    except (RuntimeError, TypeError):
        pass
    window.actions_.connect("show_gallery", lambda: tabs.setCurrentWidget(scoped))

    def show_cell(i: int, cell_id: int) -> None:
        c.doc.set_current(i)
        window._show_in_image(cell_id)

    batch.showCell.connect(show_cell)
    reclassify_selected, undo = c.reclassify_selected, c.undo

    def routed_reclassify(cell_type) -> None:
        if scoped.batch_shown:
            c._say(batch.reclassify_selected(cell_type))
        else:
            reclassify_selected(cell_type)

    def routed_undo() -> None:
        if scoped.batch_shown and batch.undo_stack:
            c._say(batch.undo())
        else:
            undo()

    c.reclassify_selected = routed_reclassify  # type: ignore[method-assign]  # the actions look it up per call
    c.undo = routed_undo  # type: ignore[method-assign]
    return scoped
