"""What needs saving, and what does not: the bookkeeping of a review session's writes.

- ``ReviewWrites``: the review state last written per image, so a step that left the review as it
  was (a mask edit that removed no reviewed cell) costs no write and no fsync;
- ``ProjectWrites``: which analyses came from the project (by analysis revision, see
  :class:`~wbc_desktop.core.review.session.Revisions`: they are not saved again, which would set
  a person's corrected masks aside), and which images' cell rows wait for a debounced write (a
  model's retype) or were just written by a History step (no second write).

Plain Python; the window's ``Document`` and ``ProjectSession`` hold one each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Hashable, Optional

from wbc_desktop.core.review.store import ImageReview


def review_state(review: ImageReview) -> tuple:
    """What a write of the review would put on disk (its types, who set them, the signature)."""
    return sorted(review.reviewed.items()), sorted(review.set_by.items()), review.signed_by, review.signed_at


@dataclass
class ReviewWrites:
    """The review state last written, per image path."""

    saved: dict[str, tuple] = field(default_factory=dict)

    def unchanged(self, review: ImageReview) -> bool:
        return self.saved.get(review.image_path) == review_state(review)

    def written(self, review: ImageReview) -> None:
        self.saved[review.image_path] = review_state(review)


@dataclass
class ProjectWrites:
    """Save bookkeeping of an open project (cleared when it closes)."""

    stored: set[int] = field(default_factory=set)  # analysis revisions read from the project
    arriving: dict[Hashable, Any] = field(default_factory=dict)  # image -> analysis read, not yet in the window
    fresh: set[str] = field(default_factory=set)  # image keys a History step just wrote
    retyped: set[str] = field(default_factory=set)  # image keys changed without a step: rows to write

    def read(self, image: Hashable, analysis: Any) -> None:
        """An analysis was read from the project; it is held (compared by identity, never a reused id())."""
        self.arriving[image] = analysis

    def needs_save(self, image: Hashable, analysis: Any, revision: int) -> bool:
        """Is the analysis now shown for ``image`` (at ``revision``) a new model output to save?"""
        a: Optional[Any] = self.arriving.get(image)
        if a is not analysis:  # the image named another way
            a = next((x for x in self.arriving.values() if x is analysis), None)
        if a is not None:
            self.arriving = {k: x for k, x in self.arriving.items() if x is not a}
            self.stored.add(revision)
        return revision not in self.stored

    def step_written(self, key: str) -> None:
        """A person's step wrote the image's rows already (the History's save)."""
        self.fresh.add(key)

    def review_changed(self, key: str) -> bool:
        """The image's types changed; True when its rows must be written later (a model's retype)."""
        if key in self.fresh:
            self.fresh.discard(key)
            return False
        self.retyped.add(key)
        return True

    def take_retyped(self) -> set[str]:
        keys, self.retyped = self.retyped, set()
        return keys

    def clear(self) -> None:
        self.stored.clear()
        self.arriving.clear()
