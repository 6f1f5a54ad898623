"""Gallery scope: *this image* (the per-image gallery) or *whole batch* (every analysed image).

``install(window)`` adds a scope switch to the Gallery tab's bar and the batch gallery below it
(the per-image groups are hidden while the batch is shown), and routes the window's type keys
and Ctrl+Z to the batch gallery while it is shown, so the same keys work in both scopes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel

from wbc_desktop.gui.panels.batch_gallery import BatchGalleryPanel

SCOPES = ("This image", "Whole batch")


class GalleryScope:
    """The scope combo of a GalleryPanel and the batch gallery it switches to."""

    def __init__(self, gallery: Any, batch: BatchGalleryPanel) -> None:
        self.gallery, self.batch = gallery, batch
        self.scope = QComboBox()
        self.scope.addItems(list(SCOPES))
        self.scope.setToolTip("Review the cells of the current image, or of every analysed image at once "
                              "(all open images; with a project open, the whole project)")
        bar = gallery.layout().itemAt(0).layout()
        widgets = [bar.itemAt(k).widget() for k in range(bar.count())]
        sort_label = [w for w in widgets if isinstance(w, QLabel) and w.text() == "Sort"]
        self.per_image_only = [gallery.sort, gallery.summary] + sort_label  # meaningless for the batch
        bar.insertWidget(0, QLabel("Scope"))
        bar.insertWidget(1, self.scope)
        gallery.layout().addWidget(batch, 1)
        batch.hide()
        self.scope.currentIndexChanged.connect(self._switch)

    def _switch(self, index: int) -> None:
        on = index == 1
        self.gallery.scroll.setVisible(not on)
        for w in self.per_image_only:
            w.setVisible(not on)
        self.batch.setVisible(on)
        if on:
            self.batch.view.setFocus()

    @property
    def batch_shown(self) -> bool:
        return self.batch.isVisible()

    def set_batch(self, on: bool) -> None:
        self.scope.setCurrentIndex(1 if on else 0)


def install(window: Any) -> GalleryScope:
    """Add the scope switch to the window's gallery; returns it (the window keeps it and its ``batch``)."""
    c, gallery = window.controller, window.gallery
    batch = BatchGalleryPanel(c.doc)
    scoped = GalleryScope(gallery, batch)

    def show_cell(i: int, cell_id: int) -> None:
        c.doc.set_current(i)
        window._show_in_image(cell_id)

    batch.showCell.connect(show_cell)

    def focus_cell(i: int, cell_id: int) -> None:  # a click: the image, counts and viewer follow the cell
        c.doc.set_current(i)
        c.doc.select([cell_id])

    batch.cellFocused.connect(focus_cell)
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

    def sync_undo(*_args) -> None:
        """The window enables Undo from the current image's history; a batch step counts too."""
        if scoped.batch_shown and batch.undo_stack:
            window.actions_.undo.setEnabled(True)
            window.actions_.undo.setText("&Undo batch retype")
        elif hasattr(window, "_update_undo"):
            window._update_undo()

    for sig in (c.doc.reviewChanged, c.doc.currentChanged):
        sig.connect(sync_undo)  # after the window's own slot (connected earlier)
    scoped.scope.currentIndexChanged.connect(sync_undo)
    c.reclassify_selected = routed_reclassify  # type: ignore[method-assign]  # the actions look it up per call
    c.undo = routed_undo  # type: ignore[method-assign]
    return scoped
