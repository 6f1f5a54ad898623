"""Undoable review steps (retype a cell, sign) and their history, saved after every step.

Every action goes through :class:`History`, which autosaves the
:class:`~wbc_desktop.core.review.store.ImageReview` after each do, undo and redo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Protocol

from wbc_desktop.core.review.store import ImageReview, now_iso


class Action(Protocol):
    """One undoable review step."""

    text: str

    def apply(self, review: ImageReview) -> None: ...

    def revert(self, review: ImageReview) -> None: ...


class ReviewLocked(Exception):
    """A change was asked for on a signed image."""


@dataclass
class Reclassify:
    """Give one or more cells a type chosen by a person (``None`` clears back to the model's)."""

    cell_ids: tuple[int, ...]
    new_type: Optional[str]
    old: dict[int, Optional[str]] = field(default_factory=dict)
    text: str = ""
    who: Optional[str] = None  # stamped in ``ImageReview.set_by``; defaults to ``review.user``
    old_by: dict[int, Optional[tuple[str, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.text:
            n = len(self.cell_ids)
            what = f"cell {self.cell_ids[0]}" if n == 1 else f"{n} cells"
            self.text = f"reclassify {what} as {self.new_type or 'model type'}"

    def apply(self, review: ImageReview) -> None:
        if review.signed:
            raise ReviewLocked("the image is signed; remove the signature to change it")
        self.old = {i: review.reviewed.get(i) for i in self.cell_ids}
        self.old_by = {i: review.set_by.get(i) for i in self.cell_ids}
        stamp = (self.who or review.user or "", now_iso())
        for i in self.cell_ids:
            _set(review, i, self.new_type)
            if self.new_type is None:
                review.set_by.pop(i, None)
            else:
                review.set_by[i] = stamp

    def revert(self, review: ImageReview) -> None:
        for i, t in self.old.items():
            _set(review, i, t)
            by = self.old_by.get(i)
            if by is None:
                review.set_by.pop(i, None)
            else:
                review.set_by[i] = by


def _set(review: ImageReview, cell_id: int, cell_type: Optional[str]) -> None:
    if cell_type is None:
        review.reviewed.pop(cell_id, None)
    else:
        review.reviewed[cell_id] = cell_type


@dataclass
class Sign:
    """Sign (or unsign, with ``who=None``) an image as reviewed."""

    who: Optional[str]
    old: tuple[Optional[str], Optional[str]] = (None, None)
    text: str = ""

    def __post_init__(self) -> None:
        if not self.text:
            self.text = "sign image" if self.who else "remove signature"

    def apply(self, review: ImageReview) -> None:
        self.old = (review.signed_by, review.signed_at)
        review.signed_by = self.who
        review.signed_at = now_iso() if self.who else None

    def revert(self, review: ImageReview) -> None:
        review.signed_by, review.signed_at = self.old


class History:
    """Undo/redo for one image's review; saves after every step so nothing is lost.

    Parameters
    ----------
    review
        The state the actions change.
    save
        Called after each do/undo/redo (e.g. ``ReviewStore.save``); errors propagate so the
        GUI can tell the user that autosave failed.
    """

    def __init__(self, review: ImageReview, save: Optional[Callable[[ImageReview], None]] = None) -> None:
        self.review = review
        self._save = save
        self._done: list[Action] = []
        self._undone: list[Action] = []
        self.listeners: list[Callable[[], None]] = []

    @property
    def done(self) -> tuple:
        """The steps applied, oldest first (read-only: what the magic wand keeps from spreading over)."""
        return tuple(self._done)

    def do(self, action: Action) -> None:
        action.apply(self.review)  # may raise ReviewLocked: nothing recorded then
        self._done.append(action)
        self._undone.clear()
        self._changed()

    def undo(self) -> Optional[Action]:
        if not self._done:
            return None
        a = self._done.pop()
        a.revert(self.review)
        self._undone.append(a)
        self._changed()
        return a

    def redo(self) -> Optional[Action]:
        if not self._undone:
            return None
        a = self._undone.pop()
        a.apply(self.review)
        self._done.append(a)
        self._changed()
        return a

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    @property
    def undo_text(self) -> str:
        return self._done[-1].text if self._done else ""

    @property
    def redo_text(self) -> str:
        return self._undone[-1].text if self._undone else ""

    def _changed(self) -> None:
        if self._save is not None:
            self._save(self.review)
        for fn in list(self.listeners):
            fn()
