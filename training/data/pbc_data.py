"""PBC data for the classifier: the fixed split and cached, normalised crops.

Cache files under ``--cache-dir`` (never committed) are keyed by the crop spec and the mask
source, so changing either rebuilds them instead of silently reusing stale crops.
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from wbc_desktop.core.cells.crops import CropSpec, cell_crops, context_spec, image_crop
from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.cells.evaluation import nearest_centre
from wbc_desktop.core.io.images import read_image

PBC_CLASSES = ("basophil", "eosinophil", "erythroblast", "ig", "lymphocyte", "monocyte", "neutrophil", "platelet")
SPLIT_FILE = Path(__file__).resolve().parent / "splits" / "pbc_split.csv"

MaskFn = Callable[[np.ndarray], tuple[np.ndarray, float]]  # rgb -> (class_map, scale)


def list_pbc(root: Path) -> list[tuple[str, str]]:
    """(path relative to ``root``, class) for every PBC image, sorted."""
    items = []
    for c in PBC_CLASSES:
        for p in sorted((root / c).glob("*.jpg")):
            if not p.name.startswith("."):  # macOS metadata files (one .DS_*.jpg is in the set)
                items.append((f"{c}/{p.name}", c))
    return items


def make_split(items: list[tuple[str, str]], seed: int = 0, val: float = 0.15, test: float = 0.15) -> list[tuple[str, str, str]]:
    """Stratified train/val/test assignment, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    out = []
    for c in sorted({c for _, c in items}):
        names = sorted(p for p, k in items if k == c)
        rng.shuffle(names)
        n_te, n_va = int(round(len(names) * test)), int(round(len(names) * val))
        for i, p in enumerate(names):
            out.append((p, c, "test" if i < n_te else "val" if i < n_te + n_va else "train"))
    return sorted(out)


def write_split(rows: list[tuple[str, str, str]], path: Path = SPLIT_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["image", "cell_type", "split"])
        w.writerows(rows)


def read_split(path: Path = SPLIT_FILE) -> list[tuple[str, str, str]]:
    with open(path, newline="") as f:
        return [(r["image"], r["cell_type"], r["split"]) for r in csv.DictReader(f)]


def central_cell_crop(rgb: np.ndarray, cm: np.ndarray, scale: float, spec: CropSpec) -> Optional[np.ndarray]:
    """Crop of the cell nearest the image centre (PBC crops are centred on their cell)."""
    inst, cells = find_cells(cm, scale=scale)
    best = nearest_centre(cells, cm.shape)
    if best is None:
        return None
    return cell_crops(rgb, cm, inst, [best.cell_id], spec, scale)[0]


def cellavision_rows(root: Path) -> list[tuple[str, str, str]]:
    """(image file, cell type, split) of the CellaVision set's labels.csv (its fixed split)."""
    with open(root / "labels.csv", newline="") as f:
        return [(r["image"].strip(), r["cell_type"].strip(), r["split"].strip()) for r in csv.DictReader(f)]


def cache_key(spec: CropSpec, masks: str, n: int) -> str:
    blob = json.dumps({"spec": spec.to_card(), "masks": masks, "n": n, "v": 6}, sort_keys=True)
    return hashlib.sha1(blob.encode()).hexdigest()[:10]


def build_cache(
    root: Path,
    rows: list[tuple[str, str, str]],
    spec: CropSpec,
    cache_dir: Path,
    masks: str = "none",
    mask_fn: Optional[MaskFn] = None,
    log: Callable[[str], None] = print,
    prefix: str = "pbc",
) -> tuple[np.ndarray, np.ndarray]:
    """Context crops (segmented mode) or resized images (image mode) for every row.

    Returns ``crops`` NxSxSxC uint8 and ``found`` bool N (False where no cell was segmented:
    those rows fall back to a centred crop of typical size so they are never dropped).
    """
    ctx = context_spec(spec) if spec.mode == "segmented" else spec
    key = cache_key(ctx, masks, len(rows))
    f_crops, f_found = cache_dir / f"{prefix}_{spec.mode}_{key}.npy", cache_dir / f"{prefix}_{spec.mode}_{key}_found.npy"
    if f_crops.exists() and f_found.exists():
        return np.load(f_crops), np.load(f_found)
    cache_dir.mkdir(parents=True, exist_ok=True)
    out = np.zeros((len(rows), ctx.size, ctx.size, ctx.channels), np.uint8)
    found = np.ones(len(rows), bool)
    t0 = time.time()
    for i, (rel, _, _) in enumerate(rows):
        rgb = load_rgb(root / rel)  # full size: inference sees full-size images too
        if spec.mode == "image":
            out[i] = image_crop(rgb, ctx)
        else:
            cm, scale = mask_fn(rgb)
            if cm.shape != rgb.shape[:2]:
                raise ValueError(f"{rel}: mask {cm.shape} does not match image {rgb.shape[:2]}")
            crop = central_cell_crop(rgb, cm, scale, ctx)
            if crop is None:
                found[i] = False
                crop = fallback_crop(rgb, ctx)
            out[i] = crop
        if (i + 1) % 500 == 0:
            log(f"cache {spec.mode}: {i + 1}/{len(rows)} in {time.time() - t0:.0f}s")
    np.save(f_crops, out)
    np.save(f_found, found)
    return out, found


def load_rgb(path: Path) -> np.ndarray:
    """RGB uint8 at full size (v1 decoded at half size; its crops were blurrier than inference's)."""
    return read_image(path).pixels


def fallback_crop(rgb: np.ndarray, spec: CropSpec) -> np.ndarray:
    """A centred crop assuming a typical PBC cell (~100 px across) with empty masks."""
    from wbc_desktop.core.cells.crops import crop_cell

    h, w = rgb.shape[:2]
    z = np.zeros((h, w), bool)
    img = rgb
    if spec.white_balance:
        from wbc_desktop.core.cells.crops import white_balance

        img = white_balance(rgb)
    return crop_cell(img, z, z, (w / 2, h / 2), 100.0, spec)
