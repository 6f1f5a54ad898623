"""The examples a retraining learns from: corrected masks (segmenter) and person-typed cells
(classifier), from a project folder (read only: the window may have it open) or from explicit
file lists (the CLI); and the split into training and held-out images.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from wbc_desktop.core.errors import InputError, WbcError
from wbc_desktop.core.io.images import read_image, read_mask
from wbc_desktop.core.retrain.settings import RetrainSettings

log = logging.getLogger(__name__)


@dataclass
class SegExample:
    name: str
    rgb: np.ndarray  # HxWx3 uint8
    mask: np.ndarray  # HxW class map 0/1/2
    pixel_size_um: Optional[float] = None


@dataclass
class CellExample:
    """One typed cell; ``class_map``/``instances`` None means: segment the image to find it."""

    image: str  # the image's name (the split keeps one image's cells together)
    rgb: np.ndarray
    cell_type: str
    class_map: Optional[np.ndarray] = None
    instances: Optional[np.ndarray] = None
    cell_id: Optional[int] = None
    centre: Optional[tuple[float, float]] = None  # x, y of the cell meant (cells.csv), else the image centre
    scale: Optional[float] = None  # model pixels per image pixel, when known


def split_names(names: list[str], val_fraction: float, seed: int) -> tuple[set[str], set[str]]:
    """Training and held-out names: a seeded shuffle; at least one of each when there are 2+."""
    uniq = sorted(set(names))
    if val_fraction <= 0 or len(uniq) < 2:
        return set(uniq), set()
    order = list(np.random.default_rng(seed).permutation(len(uniq)))
    n_val = min(len(uniq) - 1, max(1, int(round(len(uniq) * val_fraction))))
    val = {uniq[i] for i in order[:n_val]}
    return set(uniq) - val, val


# ---- project mode -----------------------------------------------------------------------------
def _project_images(root: Path) -> list:
    from wbc_desktop.core.project.layout import PROJECT_FILE, ProjectLayout
    from wbc_desktop.core.project.manifest import parse

    p = ProjectLayout(root).project_file
    if not p.is_file():
        raise WbcError(f"{root}: not a WBC Desktop project (no {PROJECT_FILE})")
    images, _ = parse(p.read_text(encoding="utf-8"), p.name)
    return images


def _image_file(root: Path, im) -> Optional[Path]:
    if not im.path:
        return None
    p = Path(im.path)
    p = p if p.is_absolute() else root / p
    return p if p.is_file() else None


def _wanted(im, selected: Optional[list[str]]) -> bool:
    return selected is None or im.key in selected or im.name in selected or Path(im.path).name in selected


def project_examples(s: RetrainSettings, notes: list[str]) -> tuple[list[SegExample], list[CellExample]]:
    """Corrected images (``masks/<key>.png``) and cells with a person's type (``cells.csv``)."""
    from wbc_desktop.core.project import cells_table
    from wbc_desktop.core.project.cell_ids import read_instances
    from wbc_desktop.core.project.layout import ProjectLayout

    if s.project_dir is None:
        raise WbcError("no project folder to retrain from")
    root = Path(s.project_dir)
    layout = ProjectLayout(root)
    rows = cells_table.read(layout.cells_file)
    seg: list[SegExample] = []
    cells: list[CellExample] = []
    for im in _project_images(root):
        if not _wanted(im, s.selected):
            continue
        corrected = layout.corrected_mask(im.key)
        typed = [r for r in rows.get(im.key, []) if r.get("person_type") and r["person_type"] != "unidentified"]
        if not corrected.is_file() and not typed:
            continue
        path = _image_file(root, im)
        if path is None:
            notes.append(f"{im.name or im.key}: image file not found; skipped")
            continue
        try:
            rgb = read_image(path).pixels
            cm_path = corrected if corrected.is_file() else layout.model_mask(im.key)
            cm = read_mask(cm_path, rgb.shape[:2]) if cm_path.is_file() else None
        except InputError as e:
            notes.append(f"{im.name or im.key}: {e}; skipped")
            continue
        name = im.name or im.key
        if corrected.is_file() and cm is not None and "segmenter" in s.models:
            seg.append(SegExample(name, rgb, cm))
        if typed and "classifier" in s.models:
            inst = read_instances(layout.instances(im.key), rgb.shape[:2]) if cm is not None else None
            for r in typed:
                cells.append(CellExample(name, rgb, r["person_type"], cm, inst, int(r["cell_id"]),
                                         (float(r["centroid_x"]), float(r["centroid_y"])), im.scale or None))
    return seg, cells


# ---- explicit mode ----------------------------------------------------------------------------
def explicit_seg_examples(s: RetrainSettings, notes: list[str]) -> list[SegExample]:
    out = []
    for img, msk in zip(s.images, s.masks):
        try:
            data = read_image(img)
            out.append(SegExample(Path(img).name, data.pixels, read_mask(msk, data.pixels.shape[:2]), data.pixel_size_um))
        except InputError as e:
            notes.append(f"{e}; skipped")
    return out


def explicit_cell_examples(s: RetrainSettings, notes: list[str]) -> list[CellExample]:
    """Single-cell images (the cell nearest the centre), with their masks when given."""
    masks = {Path(m).stem: Path(m) for m in s.classifier_masks}
    out = []
    for img, cell_type in s.labels:
        try:
            rgb = read_image(img).pixels
            m = masks.get(Path(img).stem)
            cm = read_mask(m, rgb.shape[:2]) if m is not None else None
        except InputError as e:
            notes.append(f"{e}; skipped")
            continue
        out.append(CellExample(Path(img).name, rgb, cell_type, cm))
    return out


def read_label_rows(csv_path: Path, images_dir: Path) -> list[tuple[Path, str]]:
    """``image,cell_type`` (evaluate --labels format) or a project's ``cells.csv`` (person types)."""
    csv_path, images_dir = Path(csv_path), Path(images_dir)
    try:
        with open(csv_path, newline="", encoding="utf-8") as f:
            rd = csv.DictReader(f)
            cols = rd.fieldnames or []
            rows = list(rd)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputError(f"{csv_path.name}: cannot be read ({e})") from None
    if "person_type" in cols:
        pairs = [(r["image"], r["person_type"]) for r in rows if r.get("person_type") not in (None, "", "unidentified")]
    elif "image" in cols and "cell_type" in cols:
        pairs = [(r["image"].strip(), r["cell_type"].strip()) for r in rows if r.get("cell_type", "").strip()]
    else:
        raise InputError(f"{csv_path.name}: needs columns image,cell_type (or a project's cells.csv)")
    out, missing = [], []
    for name, t in pairs:
        p = Path(name) if Path(name).is_absolute() else images_dir / name
        if not p.is_file():
            cands = sorted(images_dir.glob(f"{Path(name).stem}.*")) if not p.suffix else []
            if not cands:
                missing.append(name)
                continue
            p = cands[0]
        for part in t.split(";"):
            out.append((p, part.strip()))
    if missing:
        log.warning("%d labelled images not found in %s (first: %s)", len(missing), images_dir, missing[0])
    return out
