"""Where a project's image file is now: at its recorded path, or found again by name and SHA-256.

Why apart: a project folder is often moved or copied with its images beside it; finding them again
is a rule about files on disk, not about the project's life cycle. Enters: the folder and the
image's record; leaves: a path (the record's ``path`` updated when the file had moved).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from wbc_desktop.core.io.atomic import sha256_file
from wbc_desktop.core.project.manifest import ProjectImage


def locate(root: Path, im: ProjectImage) -> Optional[Path]:
    """The image's file, or None; a moved file (same name and SHA-256 under ``root``) is recorded again."""
    if not im.path:
        return None
    p = Path(im.path)
    p = p if p.is_absolute() else root / p
    if p.is_file():
        return p.resolve()
    if im.sha256 and im.name:
        for c in [*root.rglob(im.name)][:50]:
            if c.is_file() and sha256_file(c) == im.sha256:
                try:
                    im.path = c.resolve().relative_to(root.resolve()).as_posix()
                except ValueError:
                    im.path = str(c.resolve())
                return c.resolve()
    return None
