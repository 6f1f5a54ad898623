"""Correct what matters first: the segmenter's doubt overlay (U) and "next uncertain cell" (N).

N walks every analysed image's cells from the most doubtful down (classifier margin and segmenter
entropy, ranked by the Qt-free :mod:`wbc_desktop.core.review.doubt`), opening each in its image and
selecting it, so the type keys and the mask tools act on it at once. Cells a person has typed drop
out of the walk; cells already visited in this session are skipped; signed images are left alone.
"""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtWidgets import QCheckBox

from wbc_desktop.core.review.doubt import Doubt, rank, segmenter_doubt

from wbc_desktop.gui.viewer.uncertainty import UncertaintyLayer


class DoubtNavigator:
    """Owns the overlay layer, the two actions and the walk's memory of visited cells."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.doc = window.controller.doc
        self.messages = window.controller.messages
        viewer = window.viewer
        self.layer = UncertaintyLayer(viewer.view.scene())
        self.seen: set[tuple[str, int]] = set()
        self._seg_cache: dict[str, tuple] = {}
        self._told_missing: set[str] = set()
        self.toggle = window.actions_.by_key["toggle_doubt"]  # declared in actions.SPECS (menus, F1 help)
        self.next = window.actions_.by_key["next_uncertain"]
        self.check = QCheckBox("Doubt", toolTip="The segmenter's doubt as a heat map (U)")
        row = viewer.toolbar.layout()
        row.insertWidget(max(0, row.count() - 2), self.check)
        self.check.toggled.connect(self.toggle.setChecked)
        self.toggle.toggled.connect(self.set_visible)
        self.next.triggered.connect(lambda _=False: self.go_next())
        self.doc.currentChanged.connect(lambda _i: self.refresh())
        self.doc.entryChanged.connect(lambda i: self.refresh() if i == self.doc.current else None)

    # ---- overlay
    def set_visible(self, on: bool) -> None:
        if self.check.isChecked() != on:
            self.check.setChecked(on)
        self.layer.set_visible(on)
        self.refresh()

    def refresh(self) -> None:
        """Show the current image's map (only while the overlay is on: it is built on demand)."""
        if not self.layer.visible:
            return
        e = self.doc.current_entry
        u = getattr(e.analysis, "uncertainty", None) if e is not None and e.analysis is not None else None
        self.layer.set_map(u)
        if e is not None and e.analysis is not None and u is None and e.name not in self._told_missing:
            self._told_missing.add(e.name)
            self.messages.info(f"{e.name}: no doubt map kept for this analysis; re-analyse it (Ctrl+R) to see one.")

    # ---- walking
    def ranked(self) -> list[Doubt]:
        items = [(i, e.analysis) for i, e in enumerate(self.doc.entries)
                 if e.analysis is not None and not e.signed]
        return rank(items, seg_of=self._seg_of)

    def _seg_of(self, i: int, analysis) -> dict[int, float]:
        """Per-cell segmenter doubt, recomputed only when the image's masks changed."""
        e = self.doc.entries[i]
        version = e.review.mask_version if e.review is not None else 0
        key = (id(analysis), id(getattr(analysis, "uncertainty", None)), version, len(analysis.cells))
        hit = self._seg_cache.get(str(e.path))
        if hit is None or hit[0] != key:
            hit = (key, segmenter_doubt(analysis))
            self._seg_cache[str(e.path)] = hit
        return hit[1]

    def go_next(self) -> Optional[Doubt]:
        ranked = self.ranked()
        names = {i: str(e.path) for i, e in enumerate(self.doc.entries)}
        cur = self.doc.current_entry
        current = (str(cur.path), self.doc.selected[0]) if cur is not None and len(self.doc.selected) == 1 else None
        if current is not None:
            self.seen.add(current)
        left = [d for d in ranked if (names[d.key], d.cell_id) not in self.seen]
        if not left:
            self.messages.info("No unvisited cell left to check: every cell was typed by a person or visited "
                               f"({len(ranked)} still untyped). N starts again from the most doubtful.")
            self.seen.clear()
            return None
        d = left[0]
        self.seen.add((names[d.key], d.cell_id))
        self.doc.set_current(d.key)
        self.window._show_in_image(d.cell_id)
        self.window.statusBar().showMessage(
            f"Doubt {d.score:.2f} (type {d.classifier:.2f}, mask {d.segmenter:.2f}) · "
            f"{len(left) - 1} more doubtful cell(s) to visit · N for the next", 8000)
        return d


def install(window: Any) -> DoubtNavigator:
    """The doubt overlay and navigator for ``window`` (a MainWindow, which keeps it)."""
    return DoubtNavigator(window)
