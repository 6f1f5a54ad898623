"""Which images of a project can teach the models: corrected masks and person-set cell types.

Read straight from ``project.json``, ``masks/`` and ``cells.csv`` without opening the project
(no lock, no journal replay), so the retraining wizard can list them while the project is open
in the window. No torch, no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from wbc_desktop.core.project import cells_table, manifest
from wbc_desktop.core.project.layout import PROJECT_FILE, ProjectLayout
from wbc_desktop.core.project.manifest import ProjectError


@dataclass(frozen=True)
class TrainableImage:
    key: str
    name: str
    path: Optional[Path]  # the image file, None when it cannot be found
    corrected: bool  # has a corrected mask (teaches the segmenter)
    typed: int  # cells with a person-set type (teach the classifier)


def list_trainable(project_dir: Path | str) -> list[TrainableImage]:
    """Every image with a corrected mask or at least one person-set type, in project order.

    Raises ProjectError with one line when the folder is not a readable project.
    """
    root = Path(project_dir)
    layout = ProjectLayout(root)
    try:
        images, _ = manifest.parse(layout.project_file.read_text(encoding="utf-8"), str(root))
    except FileNotFoundError:
        raise ProjectError(f"{root}: not a WBC Desktop project (no {PROJECT_FILE})") from None
    except (OSError, ValueError) as e:
        raise ProjectError(f"{root}: {PROJECT_FILE} cannot be read ({e})") from None
    try:
        rows = cells_table.read(layout.cells_file)
    except (OSError, ValueError):
        rows = {}
    out = []
    for im in images:
        corrected = layout.corrected_mask(im.key).is_file()
        typed = sum(1 for r in rows.get(im.key, []) if r.get("person_type"))
        if corrected or typed:
            p = Path(im.path)
            p = p if p.is_absolute() else root / p
            out.append(TrainableImage(im.key, im.name or p.name, p if p.is_file() else None, corrected, typed))
    return out


def find_image(items: list[TrainableImage], name: str) -> Optional[TrainableImage]:
    """The image an engine's per-image row names (key, file name or stem)."""
    for it in items:
        if name in (it.key, it.name, Path(it.name).stem):
            return it
    return None
