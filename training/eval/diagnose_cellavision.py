"""Why a PBC-only classifier mistypes the CellaVision lymphocytes: sizes, and what-if inputs.

Two measurements, written to ``--out`` (JSON) for the report:

1. Size in red-cell diameters (the magnification-free ruler of ``core.scale``) of each class's
   cell and nucleus: CellaVision with the experts' masks, a PBC sample with the segmenter's.
2. Accuracy of ``--model`` on the 100 CellaVision crops (the cached crops of the training
   recipe) after one change to the input at a time: colour (Reinhard transfer to PBC's mean Lab
   statistics, stronger stain), nucleus darkening, cytoplasm rim shrinking (the inverse of the
   ``cyto_p`` warp), blur, blanking the background (no red cells for context), and re-estimated
   BatchNorm statistics on the unlabelled CellaVision crops (AdaBN). A change that made the crops
   "look like PBC" in the way that matters would raise the lymphocytes' figure.

Example (after ``train_classifier.py --add-cellavision`` has cached the CellaVision crops)::

    PYTHONPATH=. python -m training.eval.diagnose_cellavision --model pbc-only \
        --out training/reports/classifier/cellavision_diagnosis.json
"""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from training.lib.paths import DATA, REPO
from training.data.pbc_data import PBC_CLASSES, build_cache, cellavision_rows, read_split
from wbc_desktop.core.cells.augment import (
    AugmentSettings, cytoplasm_warp, gaussian_blur, geometric, hed_to_rgb, rgb_to_hed,
)
from wbc_desktop.core.cells.crops import context_spec, standardise
from wbc_desktop.core.cells.classifier import CellClassifier

ROOT = REPO  # the repository root (training.lib.paths)

WBC = ("basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil")


def sizes_in_rbc(data: Path, per_class: int, seed: int = 1) -> dict[str, dict[str, float]]:
    """Median cell and nucleus diameters in red-cell diameters, per data set and class."""
    from wbc_desktop.core.cells.instances import find_cells
    from wbc_desktop.core.cells.evaluation import nearest_centre
    from wbc_desktop.core.io.images import read_image, read_mask
    from wbc_desktop.core.imaging.scale import estimate_rbc_diameter
    from wbc_desktop.core.segmentation.segmenter import Segmenter

    out: dict[str, dict[str, float]] = {}

    def add(key: str, cell: np.ndarray, nuc: np.ndarray, rbc: float) -> None:
        d = lambda m: 2 * np.sqrt(m.sum() / np.pi) / rbc  # noqa: E731
        out.setdefault(key, {"cell": [], "nucleus": []})  # type: ignore[arg-type]
        out[key]["cell"].append(d(cell))  # type: ignore[union-attr]
        out[key]["nucleus"].append(d(nuc))  # type: ignore[union-attr]

    cv = data / "wbc-seg-cellavision"
    for name, cls, _ in cellavision_rows(cv):
        rgb = read_image(cv / "images" / name).pixels
        e = estimate_rbc_diameter(rgb)
        if e.diameter_px:
            m = read_mask(cv / "masks" / name, rgb.shape[:2])
            add(f"cellavision {cls}", m > 0, m == 2, e.diameter_px)
    seg = Segmenter.load("default", device="cpu")
    rng = np.random.default_rng(seed)
    for cls in WBC:
        paths = sorted((data / "pbc" / cls).glob("*.jpg"))
        for i in rng.permutation(len(paths))[:per_class]:
            rgb = read_image(paths[i]).pixels
            e = estimate_rbc_diameter(rgb)
            r = seg.segment(rgb)
            inst, cells = find_cells(r.class_map, scale=r.scale)
            c = nearest_centre(cells, r.class_map.shape)
            if c is None or not e.diameter_px:
                continue
            m = inst == c.cell_id
            add(f"pbc {cls}", m, m & (r.class_map == 2), e.diameter_px)
    return {k: {"n": len(v["cell"]), "cell": float(np.median(v["cell"])), "nucleus": float(np.median(v["nucleus"]))}
            for k, v in sorted(out.items())}


def what_if(clf: CellClassifier, ctx: torch.Tensor, y: np.ndarray, pbc_lab: tuple[np.ndarray, np.ndarray]) -> dict:
    """Accuracy per class after each single change of the input crops."""
    size = clf.spec.size
    base = geometric(ctx, size, None)
    n, w = ctx.shape[0], ctx.shape[-1]

    def od(x: torch.Tensor, factor: torch.Tensor | float) -> torch.Tensor:
        return torch.cat([hed_to_rgb(rgb_to_hed(x[:, :3], clip=False) * factor), x[:, 3:]], 1)

    def shrink(k: float) -> torch.Tensor:
        s = AugmentSettings(cyto_p=1.0, cyto_stretch=(k, k), cyto_min_share=0.0)
        theta = torch.tensor([[size / w, 0, 0], [0, size / w, 0]]).expand(n, 2, 3)
        grid = cytoplasm_warp(F.affine_grid(theta, [n, 5, size, size], align_corners=False), ctx, s)
        return F.grid_sample(ctx, grid, mode="bilinear", padding_mode="border", align_corners=False)

    def reinhard(x: torch.Tensor) -> torch.Tensor:
        from skimage import color

        lab = color.rgb2lab(x[:, :3].permute(0, 2, 3, 1).numpy())
        m, s = lab.mean((1, 2), keepdims=True), lab.std((1, 2), keepdims=True)
        rgb = color.lab2rgb((lab - m) / s * pbc_lab[1] + pbc_lab[0]).astype(np.float32)
        return torch.cat([torch.from_numpy(rgb).permute(0, 3, 1, 2), x[:, 3:]], 1)

    def blank(x: torch.Tensor) -> torch.Tensor:
        cell = (x[:, 3:4] + x[:, 4:5] > 0.5).float()
        cell = F.max_pool2d(cell, 7, 1, 3)  # a few pixels of margin around the cell
        bg = x[:, :3].flatten(2).quantile(0.98, dim=2)[..., None, None]
        return torch.cat([x[:, :3] * cell + bg * (1 - cell), x[:, 3:]], 1)

    changes: dict[str, Callable[[], torch.Tensor]] = {
        "as is": lambda: base,
        "colour: Reinhard to PBC's Lab statistics": lambda: reinhard(base),
        "all stains x1.2 (darker)": lambda: od(base, 1.2),
        "nucleus stain x1.3 (darker nucleus)": lambda: od(base, 1 + 0.3 * base[:, 3:4]),
        "cytoplasm rim x0.7": lambda: shrink(0.7),
        "cytoplasm rim x0.5": lambda: shrink(0.5),
        "blur sigma 1": lambda: torch.cat([gaussian_blur(base[:, :3], 1.0), base[:, 3:]], 1),
        "background blanked (no red cells)": lambda: blank(base),
    }
    out = {name: score(clf.model, make(), y) for name, make in changes.items()}
    adapted = copy.deepcopy(clf.model)
    for m in adapted.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the passes below
    adapted.train()
    with torch.no_grad():
        for k in range(4):
            adapted(standardise(base.rot90(k, (2, 3)).contiguous().clone()))
    out["AdaBN: BatchNorm statistics from the unlabelled CellaVision crops"] = score(adapted.eval(), base, y)
    return out


@torch.no_grad()
def score(model: torch.nn.Module, x: torch.Tensor, y: np.ndarray) -> dict:
    pred = torch.softmax(model.eval()(standardise(x.clone())), 1).argmax(1).numpy()
    per = {c: float((pred[y == i] == i).mean()) for i, c in enumerate(PBC_CLASSES) if (y == i).any()}
    return {"accuracy": float((pred == y).mean()), "per_class": per}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="pbc-only")
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--cache-dir", type=Path, default=Path("/work/cache/cls"))
    p.add_argument("--per-class", type=int, default=25, help="PBC images per class for the size table")
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    torch.set_num_threads(2)
    clf = CellClassifier.load(a.model, device="cpu")
    cv_root = a.data / "wbc-seg-cellavision"
    rows = cellavision_rows(cv_root)

    def no_masks(rgb):
        raise SystemExit("CellaVision crops are not cached: run train_classifier.py --add-cellavision first")

    crops, _ = build_cache(cv_root / "images", rows, clf.spec, a.cache_dir, masks="segmenter", mask_fn=no_masks,
                           prefix="cellavision")
    ctx = torch.from_numpy(crops).permute(0, 3, 1, 2).float() / 255
    y = np.array([PBC_CLASSES.index(c) for _, c, _ in rows])
    pbc = np.load(next(a.cache_dir.glob(f"pbc_segmented_{_key(clf)}.npy")), mmap_mode="r")
    pbc_lab = _lab_stats(np.asarray(pbc[::40, ..., :3]))
    result = {"model": clf.info(), "what_if": what_if(clf, ctx, y, pbc_lab),
              "size_in_red_cells": sizes_in_rbc(a.data, a.per_class)}
    a.out.write_text(json.dumps(result, indent=2) + "\n")
    for k, v in result["what_if"].items():
        print(f"{k:70s} {100 * v['accuracy']:5.1f}%  lymphocytes {100 * v['per_class']['lymphocyte']:5.1f}%")
    for k, v in result["size_in_red_cells"].items():
        print(f"{k:26s} n {v['n']:3d}  cell {v['cell']:.2f}  nucleus {v['nucleus']:.2f} red-cell diameters")
    return 0


def _key(clf: CellClassifier) -> str:
    from training.data.pbc_data import cache_key

    return cache_key(context_spec(clf.spec), "segmenter", len(read_split()))


def _lab_stats(rgb_u8: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over images of each image's Lab mean and std (PBC's colour, for Reinhard transfer)."""
    from skimage import color

    lab = color.rgb2lab(rgb_u8)
    return lab.mean((1, 2)).mean(0), lab.std((1, 2)).mean(0)


if __name__ == "__main__":
    raise SystemExit(main())
