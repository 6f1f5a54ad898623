"""``project.json``: the project's list of images, their state and where their files are.

Format ``wbc-desktop-project``, version :data:`PROJECT_VERSION` (see ``docs/project-format.md``).
A file written by an older version opens (missing keys take their defaults); a newer version is
refused with a clear message rather than half-understood. A damaged file is kept aside and the
project opens from the last good copy (``project.json.bak``) or, failing that, from its masks and
``cells.csv``.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

from wbc_desktop.core.errors import WbcError
from wbc_desktop.core.io.atomic import atomic_write_text
from wbc_desktop.core.project.layout import PROJECT_BACKUP_FILE, PROJECT_FILE

PROJECT_FORMAT = "wbc-desktop-project"
PROJECT_VERSION = 1
#: Image states, in order: each later one implies the earlier ones happened.
STATES = ("new", "analysed", "corrected", "reviewed", "signed")


class ProjectError(WbcError):
    """A project that cannot be opened as asked (newer format, not a project, no access)."""


@dataclass
class ProjectImage:
    """One image of a project and what was done to it."""

    key: str  # unique name of its files in the project (masks/<key>.png); its stem, made unique
    path: str  # relative to the project folder (posix) when inside it, else absolute
    sha256: str = ""
    name: str = ""  # the file name, e.g. for COCO's images[].file_name
    size: Optional[list[int]] = None  # height, width once read
    marks: dict[str, dict[str, Any]] = field(default_factory=dict)  # state -> {"by", "at"}
    models: dict[str, dict] = field(default_factory=dict)  # kind -> {"name", "version", ...} of the analysis
    scale: float = 1.0
    scale_method: str = ""
    scale_confidence: float = 0.0
    familiarity: Optional[float] = None
    warning: str = ""
    review_migrated: bool = False

    @property
    def state(self) -> str:
        """The furthest state this image reached."""
        done = [s for s in STATES if s in self.marks]
        return done[-1] if done else "new"

    def mark(self, state: str, who: Optional[str]) -> None:
        if state not in STATES:
            raise ValueError(state)
        self.marks[state] = {"by": who or "", "at": now_iso()}

    def unmark(self, state: str) -> None:
        self.marks.pop(state, None)

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict) -> "ProjectImage":
        known = {f for f in cls.__dataclass_fields__}
        kw = {k: v for k, v in doc.items() if k in known}
        if "key" not in kw or "path" not in kw:
            raise ValueError("an image entry without key or path")
        return cls(**kw)


def unique_key(path: Path, taken: set[str]) -> str:
    """The name of an image's files in the project: its stem, made safe and unique among ``taken``."""
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in path.stem) or "image"
    key, n = stem, 2
    while key in taken:
        key, n = f"{stem}-{n}", n + 1
    return key


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def to_json(images: list[ProjectImage], extra: dict) -> str:
    doc = {"format": PROJECT_FORMAT, "version": PROJECT_VERSION, **extra,
           "images": [im.to_doc() for im in images]}
    return json.dumps(doc, indent=1) + "\n"


def parse(text: str, where: str) -> tuple[list[ProjectImage], dict]:
    """Images and the other top-level keys; raises ProjectError for a newer or foreign file,
    ValueError for a damaged one."""
    doc = json.loads(text)
    if not isinstance(doc, dict) or doc.get("format") != PROJECT_FORMAT:
        raise ProjectError(f"{where}: not a WBC Desktop project file")
    v = doc.get("version")
    if not isinstance(v, int) or v < 1:
        raise ValueError(f"bad version {v!r}")
    if v > PROJECT_VERSION:
        raise ProjectError(f"{where}: written by a newer WBC Desktop (project format {v}; this version reads up "
                           f"to {PROJECT_VERSION}); update the app to open it")
    images = [ProjectImage.from_doc(d) for d in doc.get("images", [])]
    extra = {k: v for k, v in doc.items() if k not in ("format", "version", "images")}
    return images, extra


def save(root: Path, images: list[ProjectImage], extra: dict) -> None:
    """Atomic write; the previous good file is kept as ``project.json.bak``."""
    p = root / PROJECT_FILE
    text = to_json(images, extra)
    if p.is_file():
        try:
            old = p.read_text(encoding="utf-8")
            if old != text:
                parse(old, p.name)  # only a readable file becomes the backup
                atomic_write_text(root / PROJECT_BACKUP_FILE, old)
        except (ValueError, OSError, ProjectError):
            pass
    atomic_write_text(p, text)
