"""Typed-cell sets for the classifier retraining figures, segmented once and cached.

Each item is one labelled cell: the image, the default segmenter's class map, the cell found
(nearest the centre for single-cell images, best-overlapping the VOC box for BCCD fields) and
its true type. Training uses them as CellExamples (the app's typed cells); scoring uses the
crops inference makes (``CellClassifier.predict_crops``), so the figures equal the pipeline's.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from training.lib.paths import DATA, REPO
from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.io.images import read_image
from wbc_desktop.core.retrain.data import CellExample

ROOT = REPO  # the repository root (training.lib.paths)

@dataclass
class Item:
    name: str
    rgb: np.ndarray
    class_map: np.ndarray
    instances: np.ndarray
    cell_id: int
    scale: float
    cell_type: str
    group: str = ""  # split or class

    def example(self) -> CellExample:
        return CellExample(self.name, self.rgb, self.cell_type, self.class_map, self.instances, self.cell_id,
                           None, self.scale)


def _segment(seg, path: Path, box: Optional[tuple] = None):
    rgb = read_image(path).pixels
    r = seg.segment(rgb)
    inst, cells = find_cells(r.class_map, scale=float(r.scale))
    if not cells:
        return None
    if box is None:
        h, w = rgb.shape[:2]
        cx, cy = w / 2, h / 2
    else:
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    c = min(cells, key=lambda c: (c.centroid[0] - cx) ** 2 + (c.centroid[1] - cy) ** 2)
    return rgb, r.class_map, inst, c.cell_id, float(r.scale)


def _cached(cache: Path, build):
    """Items from an npz cache (plain arrays, no pickle), else built and cached."""
    fields = ("rgb", "class_map", "instances")
    if cache.is_file():
        with np.load(cache, allow_pickle=False) as z:
            meta = [line.split("\t") for line in str(z["meta"]).splitlines()]
            return [Item(m[0], z[f"{i}_rgb"], z[f"{i}_class_map"], z[f"{i}_instances"], int(m[1]), float(m[2]), m[3], m[4])
                    for i, m in enumerate(meta)]
    items = build()
    cache.parent.mkdir(parents=True, exist_ok=True)
    arrays = {f"{i}_{k}": getattr(it, k) for i, it in enumerate(items) for k in fields}
    meta = "\n".join(f"{it.name}\t{it.cell_id}\t{it.scale}\t{it.cell_type}\t{it.group}" for it in items)
    np.savez_compressed(cache, meta=np.array(meta), **arrays)
    return items


def cellavision_items(cache_dir: Path) -> list[Item]:
    from wbc_desktop.core.segmentation.segmenter import Segmenter

    def build():
        seg = Segmenter.load("default", device="cpu")
        root = DATA / "wbc-seg-cellavision"
        out = []
        for r in csv.DictReader(open(root / "labels.csv", newline="")):
            got = _segment(seg, root / "images" / r["image"].strip())
            if got is not None:
                out.append(Item(r["image"].strip(), *got, r["cell_type"].strip(), r["split"].strip()))
        return out

    return _cached(cache_dir / "cells_cellavision.npz", build)


def bccd_items(cache_dir: Path) -> list[Item]:
    from training.lib.voc import read_voc_boxes
    from wbc_desktop.core.segmentation.segmenter import Segmenter

    def build():
        seg = Segmenter.load("default", device="cpu")
        root = DATA / "bccd"
        out = []
        for r in csv.DictReader(open(root / "wbc_types.csv", newline="", encoding="utf-8-sig")):
            types = [t.strip() for t in (r.get("cell_type") or "").split(";") if t.strip()]
            xml = root / "annotations" / (Path(r["image"].strip()).stem + ".xml")
            boxes = read_voc_boxes(xml) if xml.is_file() else []
            if len(types) != 1 or len(boxes) != 1:
                continue  # one WBC of one known type per field
            got = _segment(seg, root / "images" / r["image"].strip(), boxes[0])
            if got is not None:
                out.append(Item(r["image"].strip(), *got, types[0], ""))
        return out

    return _cached(cache_dir / "cells_bccd.npz", build)


def pbc_test_items(cache_dir: Path, per_class: int = 40, seed: int = 0) -> list[Item]:
    from training.data.pbc_data import PBC_CLASSES, SPLIT_FILE, read_split
    from wbc_desktop.core.segmentation.segmenter import Segmenter

    def build():
        seg = Segmenter.load("default", device="cpu")
        rows = read_split(SPLIT_FILE)
        rng = np.random.default_rng(seed)
        out = []
        for c in PBC_CLASSES:
            cands = sorted(p for p, k, s in rows if k == c and s == "test")
            for rel in rng.choice(cands, size=min(per_class, len(cands)), replace=False):
                got = _segment(seg, DATA / "pbc" / rel)
                if got is not None:
                    out.append(Item(str(rel), *got, c, c))
        return out

    return _cached(cache_dir / f"cells_pbc_test_{per_class}.npz", build)


def accuracy(model: str, items: list[Item]) -> dict:
    """Shown-type accuracy (unidentified counts as wrong) and forced (best class) accuracy."""
    from wbc_desktop.core.cells.classifier import CellClassifier
    from wbc_desktop.core.cells.crops import cell_crops

    clf = CellClassifier.load(model, device="cpu")
    crops = np.concatenate([cell_crops(it.rgb, it.class_map, it.instances, [it.cell_id], clf.spec, it.scale)
                            for it in items]) if items else np.zeros((0,))
    p = clf.predict_crops(crops)
    best = [clf.classes[int(i)] for i in p.argmax(1)]
    shown = [b if q >= clf.threshold else "unidentified" for b, q in zip(best, p.max(1))]
    truth = [it.cell_type for it in items]
    return {"n": len(items), "accuracy": float(np.mean([s == t for s, t in zip(shown, truth)])),
            "accuracy_forced": float(np.mean([b == t for b, t in zip(best, truth)]))}


def write_project(root: Path, items: list[Item], typed: set[str]) -> Path:
    """A project folder as the app leaves it after typing the cells of ``typed`` images: the
    segmenter's masks (model/), cell ids (instances/) and cells.csv with those person types."""
    from wbc_desktop.core.io.atomic import atomic_write_bytes, write_png_atomic
    from wbc_desktop.core.io.images import class_map_to_mask
    from wbc_desktop.core.project import cells_table, manifest
    from wbc_desktop.core.project.layout import ProjectLayout
    from wbc_desktop.core.project.manifest import ProjectImage
    from wbc_desktop.core.project.cell_ids import encode_instances

    root.mkdir(parents=True, exist_ok=True)
    images, rows = [], {}
    for it in items:
        if it.name not in typed:
            continue
        key = Path(it.name).stem
        src = next((p for p in (DATA / "wbc-seg-cellavision" / "images" / it.name, DATA / "bccd" / "images" / it.name)
                    if p.is_file()), None)
        im = ProjectImage(key=key, path=str(src), name=it.name, scale=it.scale)
        im.mark("analysed", "eval")
        images.append(im)
        write_png_atomic(root / "model" / f"{key}.png", class_map_to_mask(it.class_map))
        atomic_write_bytes(ProjectLayout(root).instances(key), encode_instances(it.instances))
        ys, xs = np.nonzero(it.instances == it.cell_id)
        rows[key] = [{"image": key, "cell_id": it.cell_id, "x0": xs.min(), "y0": ys.min(), "x1": xs.max() + 1,
                      "y1": ys.max() + 1, "centroid_x": f"{xs.mean():.1f}", "centroid_y": f"{ys.mean():.1f}",
                      "model_type": "", "person_type": it.cell_type, "set_by": "eval", "nucleus_area_px": 0,
                      "cytoplasm_area_px": 0, "touches_border": 0}]
    manifest.save(root, images, {"created": "eval_retraining"})
    cells_table.write(ProjectLayout(root).cells_file, rows, [im.key for im in images])
    return root
