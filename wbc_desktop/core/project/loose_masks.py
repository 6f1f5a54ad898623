"""Mask corrections of images opened outside a project, kept as safely as their types.

A project journals every finished stroke (:mod:`.journal`); an image opened on its own had
only its types saved (the review sidecar), so a deleted or added cell came back or vanished after a
restart. Here each stroke is journalled the same way (append + fsync, CRC per line, a torn line
skipped) in a folder beside the review sidecar, and replayed when the image is analysed again.

Replaying is safe only on the masks the strokes were drawn on: the first stroke records a
fingerprint of the model's class map; when a later analysis differs (another model, another pixel
size), the strokes are not applied but set aside, and the caller tells the person so.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path

import numpy as np

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.io.atomic import atomic_write_text
from wbc_desktop.core.editing.edits import MaskPatch
from wbc_desktop.core.project.journal import Journal
from wbc_desktop.core.project.layout import JOURNAL_FILE
from wbc_desktop.core.project.recovery import _remeasure
from wbc_desktop.core.review.store import ReviewStore

log = logging.getLogger(__name__)

BASE_NAME = "base.json"


def fingerprint(class_map: np.ndarray) -> str:
    """The model's masks an edit was drawn on (shape + bytes), to replay only onto the same."""
    h = hashlib.sha1(str(class_map.shape).encode("ascii"))
    h.update(np.ascontiguousarray(class_map, dtype=np.uint8).tobytes())
    return h.hexdigest()


class LooseMasks:
    """One journal folder per image, named like its review sidecar in ``store.root``."""

    def __init__(self, store: ReviewStore) -> None:
        self.store = store

    def folder_for(self, image_path: Path | str) -> Path:
        return self.store.path_for(image_path).with_suffix("").with_suffix(".masks")

    def has_edits(self, image_path: Path | str) -> bool:
        return (self.folder_for(image_path) / JOURNAL_FILE).is_file()

    def record(self, image_path: Path | str, patches: list[MaskPatch], model_class_map: np.ndarray) -> None:
        """Journal finished strokes (fsynced before returning); the first one notes the model's masks."""
        if not patches:
            return
        folder = self.folder_for(image_path)
        folder.mkdir(parents=True, exist_ok=True)
        base = folder / BASE_NAME
        if not base.is_file():
            atomic_write_text(base, json.dumps({"image_path": str(Path(image_path).resolve()),
                                                "model_masks": fingerprint(model_class_map)}) + "\n")
        j = Journal(folder)
        for p in patches:
            j.append("image", p)

    def restore(self, image_path: Path | str, analysis: Analysis) -> tuple[list[int], str]:
        """Replay the journalled strokes onto a fresh analysis of the image.

        Returns the ids of cells that are new or reshaped (to be typed again) and a message for the
        person ('' when nothing was to be said). Strokes drawn on other masks are set aside."""
        try:
            return self._restore(image_path, analysis)
        except OSError as err:
            return [], f"{Path(image_path).name}: earlier mask corrections could not be read ({err})"

    def _restore(self, image_path: Path | str, analysis: Analysis) -> tuple[list[int], str]:
        folder = self.folder_for(image_path)
        j = Journal(folder)
        entries = j.read()
        if not entries:
            return [], ""
        try:
            base = json.loads((folder / BASE_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            base = {}
        if base.get("model_masks") != fingerprint(analysis.class_map):
            aside = folder.with_name(f"{folder.name}.set-aside-{int(time.time())}")
            try:
                folder.replace(aside)
            except OSError:
                aside = folder
            return [], (f"{len(entries)} mask correction(s) made earlier on {Path(image_path).name} were drawn on "
                        f"another analysis (other models or pixel size) and were not applied; kept in {aside}")
        before = analysis.instances.copy()
        cm_before = analysis.class_map.copy()
        region = None
        for e in entries:
            y0, y1, x0, x1 = e.box
            if y1 > analysis.shape[0] or x1 > analysis.shape[1] or e.class_values.shape != (y1 - y0, x1 - x0):
                continue
            e.apply(analysis.class_map, analysis.instances)
            region = e.box if region is None else (min(region[0], y0), max(region[1], y1),
                                                   min(region[2], x0), max(region[3], x1))
        if region is None:
            return [], ""
        _remeasure(analysis, region)
        changed = (analysis.instances != before) | (analysis.class_map != cm_before)
        ids = set(np.unique(analysis.instances[changed]).tolist()) - {0}
        live = {c.cell_id for c in analysis.cells}
        self._compact(j, analysis, region, entries[-1].seq)
        return sorted(i for i in ids if i in live), ""

    def _compact(self, j: Journal, analysis: Analysis, region: tuple[int, int, int, int], last: int) -> None:
        """One entry for the whole replayed region instead of every stroke (written before the old go)."""
        if len(j.read()) <= 1:
            return
        y0, y1, x0, x1 = region
        cm = analysis.class_map[y0:y1, x0:x1].copy()
        inst = analysis.instances[y0:y1, x0:x1].copy()
        j.append("image", MaskPatch(region, cm, cm, "replayed", inst, inst))
        j.drop_through(last)

    def forget(self, image_path: Path | str) -> None:
        """Drop the journal (the edits are now kept elsewhere, e.g. saved in a project)."""
        folder = self.folder_for(image_path)
        for p in (folder / JOURNAL_FILE, folder / BASE_NAME):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
        try:
            folder.rmdir()
        except OSError:
            pass

