"""Find similar (Shift+S, or a thumbnail's context menu): the batch's cells most like one cell, in the gallery.

The whole-batch gallery shows a "Similar to …" group above the types: every cell of the batch
with an embedding (core.lab.similar), most similar first, the cell itself on top. The digit
keys type the ones selected there (one batch step, Ctrl+Z undoes it), which makes them the lab's
examples (gui.tools.learner). Shift+S was free (S alone is the superpixel snap).
"""

from __future__ import annotations

import time
from typing import Any, Optional

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence

from wbc_desktop.core.lab.similar import nearest
from wbc_desktop.gui.panels.batch_model import SIMILAR

SHORTCUT = "Shift+S"


class FindSimilar(QObject):
    """The Find similar action of one window."""

    shown = Signal(int)  # cells in the result

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window, self.doc = window, window.controller.doc
        self.batch, self.scoped = window.batch_gallery, window.scoped_gallery
        self.action = QAction("Find &similar cells", window)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setStatusTip("The batch's cells most like the selected one, most similar first, in the gallery")
        window.actions_.menus["&Review"].addAction(self.action)
        window.addAction(self.action)
        self.action.triggered.connect(lambda _=False: self.trigger())
        label = f"Find similar cells\t{SHORTCUT}"
        self.batch.menu_extras.append((label, lambda picks: self.find(picks[0]) if picks else None))
        gallery = window.gallery
        gallery.menu_extras.append((label, lambda ids: self.find((self.doc.current, ids[0])) if ids else None))
        self.last_ms = 0.0

    def source(self) -> Optional[tuple[int, int]]:
        """The selected cell: the batch gallery's current one when it is shown, else the image's."""
        if self.scoped.batch_shown:
            ix = self.batch.view.currentIndex()
            picks = self.batch.model.picks([ix]) if ix.isValid() else self.batch.selected_picks()
            return picks[0] if picks else None
        return (self.doc.current, int(self.doc.selected[0])) if self.doc.selected and self.doc.current >= 0 else None

    def trigger(self) -> str:
        pick = self.source()
        if pick is None:
            msg = "Select a cell first (click it in the image or the gallery), then Find similar (Shift+S)."
        else:
            msg = "" if self.find(pick) else "This cell has no embedding yet: analyse its image again to find similar cells."
        if msg:
            self.window.controller.messages.info(msg)
        return msg

    def find(self, pick: tuple[int, int]) -> int:
        """Show the cells most similar to ``pick`` (entry, cell id); returns how many (0: no embedding)."""
        t0 = time.perf_counter()
        keys, vecs, query = [], [], None
        for i, e in enumerate(self.doc.entries):
            if e.analysis is None:
                continue
            for c in e.analysis.cells:
                if c.embedding is None:
                    continue
                keys.append((i, c.cell_id))
                vecs.append(c.embedding)
                if (i, c.cell_id) == tuple(pick):
                    query = c.embedding
        if query is None:
            return 0
        order, sims = nearest(query, np.stack(vecs))
        self.batch.model.similar = [(keys[k][0], keys[k][1], float(s)) for k, s in zip(order, sims)]
        e = self.doc.entry(pick[0])
        self.batch.similar_label = f"Similar to {e.path.stem[:14]} #{pick[1]}  ·  {len(order)}"
        self.window.actions_.show_gallery.trigger()
        self.scoped.set_batch(True)
        self.batch.model.group = SIMILAR
        self.batch.refresh()
        self.batch.view.scrollToTop()
        self.last_ms = (time.perf_counter() - t0) * 1e3
        self.shown.emit(len(order))
        return len(order)


def install(window: Any) -> FindSimilar:
    """Find similar for ``window`` (which keeps it); after its gallery scope (the batch gallery)."""
    return FindSimilar(window)
