"""A person's review of an analysed image: reclassified cells, a signature, and undo.

Qt-free so the GUI, a future batch sign-off tool and tests share one implementation. Every
action goes through :class:`History`, which autosaves the :class:`ImageReview` after each
step (atomic JSON sidecar), so nothing a user did is ever lost, even on a crash. The JSON
format is versioned and leaves room for edited masks (``edits``) in a later release.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Protocol, Sequence

from wbc_desktop.core.analysis import UNIDENTIFIED, Analysis
from wbc_desktop.core.io.atomic import atomic_write_text

log = logging.getLogger(__name__)

#: The types a reviewer can assign, in the order of the keyboard shortcuts 1..8 (0 = unidentified).
CELL_TYPES: tuple[str, ...] = (
    "neutrophil", "lymphocyte", "monocyte", "eosinophil", "basophil", "ig", "erythroblast", "platelet",
)
REVIEW_TYPES: tuple[str, ...] = CELL_TYPES + (UNIDENTIFIED,)
FORMAT_VERSION = 1


@dataclass
class ImageReview:
    """What a person decided about one image; the model's output stays untouched beside it."""

    image_path: str
    reviewed: dict[int, str] = field(default_factory=dict)  # cell_id -> type chosen by a person
    signed_by: Optional[str] = None
    signed_at: Optional[str] = None  # ISO time
    updated_at: Optional[str] = None

    @property
    def signed(self) -> bool:
        return self.signed_by is not None

    def apply_to(self, analysis: Analysis) -> None:
        """Copy the decisions onto the analysis' cells (``Cell.reviewed_type``) for counts and export."""
        for c in analysis.cells:
            c.reviewed_type = self.reviewed.get(c.cell_id)

    def to_json(self) -> str:
        doc = {
            "format": "wbc-desktop-review",
            "version": FORMAT_VERSION,
            "image_path": self.image_path,
            "reviewed": {str(k): v for k, v in sorted(self.reviewed.items())},
            "signed_by": self.signed_by,
            "signed_at": self.signed_at,
            "updated_at": self.updated_at,
        }
        return json.dumps(doc, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "ImageReview":
        doc = json.loads(text)
        if doc.get("format") != "wbc-desktop-review":
            raise ValueError("not a wbc-desktop review file")
        return cls(
            image_path=str(doc.get("image_path", "")),
            reviewed={int(k): str(v) for k, v in (doc.get("reviewed") or {}).items()},
            signed_by=doc.get("signed_by"),
            signed_at=doc.get("signed_at"),
            updated_at=doc.get("updated_at"),
        )


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


class ReviewStore:
    """Review sidecars kept in one folder, one JSON per image, keyed by the image's absolute path.

    A central folder (not beside the image) because sample and shared images are often on
    read-only media; the key is a hash so any path maps to a safe file name.
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path_for(self, image_path: Path | str) -> Path:
        key = hashlib.sha1(str(Path(image_path).resolve()).encode("utf-8")).hexdigest()[:20]
        return self.root / f"{Path(image_path).stem[:40]}-{key}.review.json"

    def load(self, image_path: Path | str) -> ImageReview:
        """The saved review, or a fresh one; a damaged file is kept aside, never silently overwritten."""
        p = self.path_for(image_path)
        if p.is_file():
            try:
                return ImageReview.from_json(p.read_text(encoding="utf-8"))
            except (ValueError, OSError) as e:
                aside = p.with_suffix(f".damaged-{int(time.time())}")
                log.warning("review file %s unreadable (%s); kept as %s", p, e, aside.name)
                try:
                    p.replace(aside)
                except OSError:
                    pass
        return ImageReview(image_path=str(Path(image_path).resolve()))

    def save(self, review: ImageReview) -> None:
        review.updated_at = now_iso()
        atomic_write_text(self.path_for(review.image_path), review.to_json())


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

    def __post_init__(self) -> None:
        if not self.text:
            n = len(self.cell_ids)
            what = f"cell {self.cell_ids[0]}" if n == 1 else f"{n} cells"
            self.text = f"reclassify {what} as {self.new_type or 'model type'}"

    def apply(self, review: ImageReview) -> None:
        if review.signed:
            raise ReviewLocked("the image is signed; remove the signature to change it")
        self.old = {i: review.reviewed.get(i) for i in self.cell_ids}
        for i in self.cell_ids:
            _set(review, i, self.new_type)

    def revert(self, review: ImageReview) -> None:
        for i, t in self.old.items():
            _set(review, i, t)


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


def apply_threshold(analysis: Analysis, threshold: float) -> None:
    """Show the model's type only at or above ``threshold``; below it a cell is unidentified.

    Uses ``Cell.predicted_type`` (the model's best class), so the threshold can move both ways
    without re-running the classifier. Cells without a prediction are left alone.
    """
    for c in analysis.cells:
        if c.predicted_type:
            c.cell_type = c.predicted_type if c.confidence >= threshold else UNIDENTIFIED


def batch_counts(analyses: Sequence[Analysis], include_border: bool = False) -> dict[str, int]:
    """Final-type counts summed over images (the batch column of the differential)."""
    out: dict[str, int] = {}
    for a in analyses:
        for t, n in a.counts(include_border=include_border).items():
            out[t] = out.get(t, 0) + n
    return out
