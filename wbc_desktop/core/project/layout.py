"""Every file and folder name of a project, spelled here and nowhere else.

Why one module: the layout was written out in seven places (the project, its recovery, the
trainable list, retraining's data and preview, two wizard pages); a folder renamed in one would
have left the others reading the old one. ``docs/project-format.md`` documents the same names for
other tools. Enters: a project folder; leaves: paths (no reading or writing here, beyond
:func:`is_project`'s one check).

Two tables are both called ``cells.csv`` on disk, in different folders and with different
columns: the project's working table (:data:`CELLS_FILE`, ``project.cells_table``: the model's
and the person's types, who set them) and ``analyze``'s export table (``export.tables``:
the final type only). Their file name is kept for old projects and lab scripts; in code they have
different names (``PROJECT_CELL_COLUMNS`` and ``EXPORT_CELL_COLUMNS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_FILE = "project.json"  #: images, states, models (``manifest``)
PROJECT_BACKUP_FILE = PROJECT_FILE + ".bak"  #: the last good project.json
CELLS_FILE = "cells.csv"  #: the project's cell table (``cells_table``), not analyze's export
JOURNAL_FILE = "journal.jsonl"  #: finished strokes not yet in a saved mask (``journal``)
LOCK_FILE = ".wbc-project.lock"  #: one window per project (``lock``)
MODEL_DIR = "model"  #: the model's class map per image, 0/128/255
MODEL_INSTANCES_DIR = "model-instances"  #: the model's cell ids (16-bit): reopening needs no cell search
MASKS_DIR = "masks"  #: the person's corrected class map (edited images only)
INSTANCES_DIR = "instances"  #: the corrected masks' cell ids (16-bit)
DOUBT_DIR = "uncertainty"  #: the segmenter's per-pixel doubt (8-bit)
REPLACED_DIR = "replaced"  #: under masks/: corrections set aside before a re-analysis, never deleted
MODELS_DIR = "models"  #: model versions retrained from this project
EMBEDDINGS_DIR = "embeddings"  #: each cell's classifier embedding per image, npz (lab learning: core.lab.embeddings)
LAB_PROFILE_DIR = "lab-profile"  #: the lab profile exported from / imported into this project (core.lab.profile)


@dataclass(frozen=True)
class ProjectLayout:
    """The paths of one project folder."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @property
    def project_file(self) -> Path:
        return self.root / PROJECT_FILE

    @property
    def backup_file(self) -> Path:
        return self.root / PROJECT_BACKUP_FILE

    @property
    def cells_file(self) -> Path:
        return self.root / CELLS_FILE

    @property
    def journal_file(self) -> Path:
        return self.root / JOURNAL_FILE

    @property
    def lock_file(self) -> Path:
        return self.root / LOCK_FILE

    @property
    def models_dir(self) -> Path:
        return self.root / MODELS_DIR

    @property
    def replaced_dir(self) -> Path:
        return self.root / MASKS_DIR / REPLACED_DIR

    def png(self, folder: str, key: str) -> Path:
        """``<folder>/<key>.png``: one image's file in one of the per-image folders."""
        return self.root / folder / f"{key}.png"

    def model_mask(self, key: str) -> Path:
        return self.png(MODEL_DIR, key)

    def model_instances(self, key: str) -> Path:
        return self.png(MODEL_INSTANCES_DIR, key)

    def corrected_mask(self, key: str) -> Path:
        return self.png(MASKS_DIR, key)

    def instances(self, key: str) -> Path:
        return self.png(INSTANCES_DIR, key)

    def doubt(self, key: str) -> Path:
        return self.png(DOUBT_DIR, key)

    def embeddings(self, key: str) -> Path:
        return self.root / EMBEDDINGS_DIR / f"{key}.npz"

    @property
    def lab_profile_dir(self) -> Path:
        return self.root / LAB_PROFILE_DIR

    def keys_with_masks(self) -> set[str]:
        """Image keys that have a model or a corrected mask (rebuilding a lost project.json)."""
        keys: set[str] = set()
        for folder in (MODEL_DIR, MASKS_DIR):
            d = self.root / folder
            keys |= {q.stem for q in d.glob("*.png")} if d.is_dir() else set()
        return keys

    def relative(self, path: Path) -> str:
        """``path`` as the posix path relative to the project folder (for messages and exports)."""
        return path.relative_to(self.root).as_posix()


def is_project(folder: Path | str | None) -> bool:
    """Whether ``folder`` holds a project (its ``project.json``)."""
    return folder is not None and str(folder) != "" and (Path(folder) / PROJECT_FILE).is_file()
