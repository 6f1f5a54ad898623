"""The project's recovery paths: a damaged ``project.json``, the journal after a crash, reviews kept
in the app's data folder by older versions, and the 16-bit cell-id PNGs."""

from __future__ import annotations

import io
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import numpy as np
from PIL import Image

from wbc_desktop.core.analysis import Cell
from wbc_desktop.core.io.atomic import atomic_write_bytes, write_png_atomic
from wbc_desktop.core.io.images import class_map_to_mask
from wbc_desktop.core.project import cells_table
from wbc_desktop.core.project.manifest import PROJECT_FILE, ProjectError, ProjectImage, parse
from wbc_desktop.core.review.recompute import measure
from wbc_desktop.core.review.store import ImageReview, ReviewStore

if TYPE_CHECKING:
    from wbc_desktop.core.project.project import Project

log = logging.getLogger(__name__)


def encode_instances(inst: np.ndarray) -> bytes:
    """Cell ids as a 16-bit grayscale PNG (Pillow reads it back as mode I;16 / I)."""
    if inst.size and int(inst.max()) > 65535:
        raise ValueError("more than 65535 cell ids in one image")
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(inst.astype(np.uint16))).save(buf, format="PNG")
    return buf.getvalue()


def read_instances(path: Path, shape: tuple[int, int]) -> np.ndarray | None:
    try:
        with Image.open(path) as im:
            arr = np.asarray(im).astype(np.int32)
    except Exception as e:  # a damaged file: the cells are recomputed from the mask instead
        log.warning("%s: unreadable (%s); cells recomputed from the mask", path.name, e)
        return None
    return arr if arr.shape == tuple(shape) else None


def recover_images(root: Path, rows: dict[str, list[dict]], messages: list[str]) -> tuple[list[ProjectImage], dict]:
    """``project.json``'s images; a damaged file is kept aside and the project rebuilt around it."""
    p = root / PROJECT_FILE
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
    bak = root / (PROJECT_FILE + ".bak")
    try:
        images, extra = parse(bak.read_text(encoding="utf-8"), bak.name)
        messages.append(f"{PROJECT_FILE}: {problem}; opened from the last good copy ({bak.name}); "
                        "the latest image states may need checking")
        return images, extra
    except (ValueError, TypeError, KeyError, OSError, ProjectError):
        pass
    keys = set(rows)
    for folder in ("model", "masks"):
        keys |= {q.stem for q in (root / folder).glob("*.png")} if (root / folder).is_dir() else set()
    images = []
    for k in sorted(keys):
        im = ProjectImage(key=k, path="", name=k)
        if (root / "model" / f"{k}.png").is_file():
            im.mark("analysed", None)
        if (root / "masks" / f"{k}.png").is_file():
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


def replay_journal(project: "Project") -> int:
    """Apply the journalled strokes to the saved masks, write them, empty the journal; how many."""
    entries = project.journal.read()
    if not entries:
        return 0
    by_key: dict[str, list] = {}
    for e in entries:
        by_key.setdefault(e.key, []).append(e)
    done = 0
    for key, es in by_key.items():
        im = project.find(key)
        a = project.load_analysis(im) if im is not None else None
        if a is None:
            project.messages.append(f"journal: {len(es)} edit(s) of unknown image {key} ignored")
            continue
        review = project.review_for(im)
        region = None
        for e in es:
            if e.class_values.shape != (e.box[1] - e.box[0], e.box[3] - e.box[2]) or e.box[1] > a.shape[0] \
                    or e.box[3] > a.shape[1]:
                project.messages.append(f"journal: an edit of {key} does not fit its image; ignored")
                continue
            e.apply(a.class_map, a.instances)
            y0, y1, x0, x1 = e.box
            region = e.box if region is None else (min(region[0], y0), max(region[1], y1),
                                                   min(region[2], x0), max(region[3], x1))
            done += 1
        if region is None:
            continue
        _remeasure(a, region)
        write_png_atomic(project.root / "masks" / f"{key}.png", class_map_to_mask(a.class_map))
        atomic_write_bytes(project.root / "instances" / f"{key}.png", encode_instances(a.instances))
        im.mark("corrected", project.user)
        project.rows[key] = cells_table.rows_for(key, a, review)
    cells_table.write(project.root / cells_table.CELLS_FILE, project.rows, [i.key for i in project.images])
    project.journal.drop_through(max(e.seq for e in entries))
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


def set_aside_corrections(project: "Project", im: ProjectImage) -> Optional[str]:
    """Before a new model analysis replaces an edited image's: keep the person's masks (never
    deleted) as ``masks/replaced/<key>-<time>.png`` (+ instances); returns that name or None."""
    project.flush()  # journalled strokes into the masks first
    src = project.root / "masks" / f"{im.key}.png"
    if not src.is_file():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    dest = project.root / "masks" / "replaced" / f"{im.key}-{stamp}.png"
    dest.parent.mkdir(parents=True, exist_ok=True)
    src.replace(dest)
    inst = project.root / "instances" / f"{im.key}.png"
    if inst.is_file():
        inst.replace(dest.with_name(f"{im.key}-{stamp}.instances.png"))
    with project._mutex:
        project.open_images.pop(im.key, None)
        im.unmark("corrected")
        project.save()
    return f"masks/replaced/{dest.name}"
