"""The project's recovery paths: a damaged ``project.json``, the journal's strokes after a crash,
reviews kept in the app's data folder by older versions.

Why apart from ``project``: each path has its own rules (a damaged file is kept aside, never
overwritten; a stroke that does not fit its image is skipped and said). These functions take the
folder's :class:`~.layout.ProjectLayout` and plain data, never the ``Project`` itself, so the
project imports them and nothing here imports it back.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from wbc_desktop.core.analysis import Analysis, Cell
from wbc_desktop.core.project.journal import Entry
from wbc_desktop.core.project.layout import PROJECT_BACKUP_FILE, PROJECT_FILE, ProjectLayout
from wbc_desktop.core.project.manifest import ProjectError, ProjectImage, parse
from wbc_desktop.core.editing.recompute import measure
from wbc_desktop.core.review.store import ImageReview, ReviewStore

log = logging.getLogger(__name__)


def recover_images(layout: ProjectLayout, rows: dict[str, list[dict]],
                   messages: list[str]) -> tuple[list[ProjectImage], dict]:
    """``project.json``'s images; a damaged file is kept aside and the project rebuilt around it."""
    p = layout.project_file
    try:
        return parse(p.read_text(encoding="utf-8"), p.name)
    except ProjectError:
        raise
    except FileNotFoundError:
        problem = "missing"
    except (ValueError, TypeError, KeyError, OSError, UnicodeDecodeError) as e:
        problem = f"damaged ({str(e).splitlines()[0][:80]})"
        aside = p.with_name(f"{PROJECT_FILE}.damaged-{int(time.time())}")
        try:
            p.replace(aside)
            problem += f", kept as {aside.name}"
        except OSError:
            pass
    bak = layout.backup_file
    try:
        images, extra = parse(bak.read_text(encoding="utf-8"), bak.name)
        messages.append(f"{PROJECT_FILE}: {problem}; opened from the last good copy ({PROJECT_BACKUP_FILE}); "
                        "the latest image states may need checking")
        return images, extra
    except (ValueError, TypeError, KeyError, OSError, ProjectError):
        pass
    keys = set(rows) | layout.keys_with_masks()
    images = []
    for k in sorted(keys):
        im = ProjectImage(key=k, path="", name=k)
        if layout.model_mask(k).is_file():
            im.mark("analysed", None)
        if layout.corrected_mask(k).is_file():
            im.mark("corrected", None)
        images.append(im)
    messages.append(f"{PROJECT_FILE}: {problem}; rebuilt {len(images)} image(s) from cells.csv and the masks; "
                    "add their image files again to see them")
    return images, {}


def migrate_review(store: ReviewStore, image_path: Path, review: ImageReview, cell_ids: set[int]) -> bool:
    """Copy a review sidecar of the app's data folder into ``review``; the project's own decisions win."""
    if not store.path_for(image_path).is_file():
        return False
    old = store.load(image_path)
    moved = False
    for cid, t in old.reviewed.items():
        if cid in cell_ids and cid not in review.reviewed:
            review.reviewed[cid] = t
            review.set_by[cid] = old.set_by.get(cid, ("", old.updated_at or ""))
            moved = True
    if old.signed and not review.signed:
        review.signed_by, review.signed_at = old.signed_by, old.signed_at
        moved = True
    return moved


def apply_entries(a: Analysis, entries: Sequence[Entry], key: str, messages: list[str]) -> int:
    """Apply journalled strokes to ``a`` (masks and cells), in order; how many applied.

    A stroke that does not fit the image (its mask changed size) is skipped and said in ``messages``.
    """
    region = None
    done = 0
    for e in entries:
        if e.class_values.shape != (e.box[1] - e.box[0], e.box[3] - e.box[2]) or e.box[1] > a.shape[0] \
                or e.box[3] > a.shape[1]:
            messages.append(f"journal: an edit of {key} does not fit its image; ignored")
            continue
        e.apply(a.class_map, a.instances)
        y0, y1, x0, x1 = e.box
        region = e.box if region is None else (min(region[0], y0), max(region[1], y1),
                                               min(region[2], x0), max(region[3], x1))
        done += 1
    if region is not None:
        _remeasure(a, region)
    return done


def _remeasure(a, region: tuple[int, int, int, int]) -> None:
    """Cells of a replayed region measured again from the instances (types kept by id)."""
    y0, y1, x0, x1 = region
    old = {c.cell_id: c for c in a.cells}
    near = [c.cell_id for c in a.cells if c.bbox[0] < x1 and c.bbox[2] > x0 and c.bbox[1] < y1 and c.bbox[3] > y0]
    for cid in near:  # widen to whole cells
        bx0, by0, bx1, by1 = old[cid].bbox
        y0, y1, x0, x1 = min(y0, by0), max(y1, by1), min(x0, bx0), max(x1, bx1)
    inst = a.instances[y0:y1, x0:x1]
    ids = sorted((set(np.unique(inst).tolist()) | set(near)) - {0})
    geo = measure(inst, a.class_map[y0:y1, x0:x1], ids, (y0, x0), a.shape)
    cells = [c for c in a.cells if c.cell_id not in ids]
    for k in ids:
        if k in geo:
            c = old.get(k) or Cell(cell_id=k, **geo[k])
            for f, v in geo[k].items():
                setattr(c, f, v)
            cells.append(c)
    a.cells = sorted(cells, key=lambda c: c.cell_id)
