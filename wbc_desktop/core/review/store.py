"""A person's review of an analysed image (reclassified cells, a signature) and where it is kept.

Qt-free so the GUI, a batch sign-off tool and tests share one implementation. The JSON sidecar
is versioned and written atomically after every step (see :mod:`.history`), so nothing a user
did is ever lost, even on a crash.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

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
    set_by: dict[int, tuple[str, str]] = field(default_factory=dict)  # cell_id -> (who, when) of ``reviewed``
    # In memory only: who works now (stamped on retypes), and the mask patches applied or undone
    # since the owner last drained them (a project journals and saves them; see core.review.project).
    user: Optional[str] = field(default=None, compare=False)
    pending_patches: list = field(default_factory=list, compare=False, repr=False)
    mask_version: int = field(default=0, compare=False)

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
            "set_by": {str(k): list(v) for k, v in sorted(self.set_by.items())},
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
            set_by={int(k): (str(v[0]), str(v[1])) for k, v in (doc.get("set_by") or {}).items()},
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
