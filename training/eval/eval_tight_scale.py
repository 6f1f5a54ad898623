"""Scale and Dice on tight single-cell crops (training/data/tight_crops.py), with and without red cells.

Cellavision: crops of the test split's central cell, resampled to each pixel factor; the true
model scale is the training scale (0.5) times the factor; Dice against the cropped ground truth
is compared with the full test images' Dice. PBC (optional ``--pbc N`` per class, test split): the
truth is the pipeline's red-cell scale on the full 360x363 image times the factor; no Dice (no
masks; crops from the model's own mask of the full image).

    PYTHONPATH=. python -m training.eval.eval_tight_scale --json training/reports/other-labs/tight_scale.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from training.lib.paths import REPO
from training.data.tight_crops import CV, tight_crop
from wbc_desktop.core.io.images import ImageData, read_image, read_mask
from wbc_desktop.core.segmentation.metrics import dice_scores, mean_scores

ROOT = REPO  # the repository root (training.lib.paths)

TRAIN_SCALE = 0.5


def summarise(rows: list[dict]) -> dict:
    err = np.array([abs(r["scale"] / r["truth"] - 1.0) for r in rows])
    out = {"n": len(rows), "within_15pct": round(float((err <= 0.15).mean()), 4),
           "median_abs_error": round(float(np.median(err)), 4),
           "methods": {m: sum(r["method"] == m for r in rows) for m in sorted({r["method"] for r in rows})}}
    if rows and "dice" in rows[0]:
        out["dice"] = {k: round(v, 4) for k, v in mean_scores([r["dice"] for r in rows]).items()}
    return out


def main() -> None:
    from wbc_desktop.core.io.atomic import atomic_write_text
    from wbc_desktop.core.io.datasets import split_names
    from wbc_desktop.core.pipeline import Pipeline

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--factors", type=float, nargs="+", default=[0.4, 0.5, 1.0, 2.0, 2.5])
    ap.add_argument("--split", default="test")
    ap.add_argument("--pbc", type=int, default=0, help="PBC test images per class (0: none)")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    pipe = Pipeline.load()
    report: dict = {"cellavision": {}, "pbc": {}}
    full = []
    crops: dict[str, list] = {}
    for stem in sorted(split_names(CV / "labels.csv", a.split)):
        img = read_image(CV / "images" / f"{stem}.png")
        cm = read_mask(CV / "masks" / f"{stem}.png", img.shape)
        full.append(dice_scores(pipe.analyze(img).class_map, cm))
        for f in a.factors:
            for rc in (True, False):
                crop, ccm = tight_crop(img.pixels, cm, f, rc)
                r = pipe.analyze(ImageData(crop))
                key = f"x{f:g} {'with' if rc else 'without'} red cells"
                crops.setdefault(key, []).append({"image": stem, "scale": r.scale, "truth": TRAIN_SCALE * f,
                                                  "method": r.scale_method, "dice": dice_scores(r.class_map, ccm)})
    report["cellavision"]["full images dice"] = {k: round(v, 4) for k, v in mean_scores(full).items()}
    print(f"cellavision {a.split} full images: Dice " + " ".join(f"{k} {v:.3f}" for k, v in mean_scores(full).items()))
    for key, rows in crops.items():
        s = summarise(rows)
        report["cellavision"][key] = s
        print(f"  {key:28s} n={s['n']:3d} scale within 15%: {s['within_15pct']:6.1%}  median error {s['median_abs_error']:.1%}"
              f"  Dice mean {s['dice']['mean']:.3f} (cell {s['dice']['cell']:.3f})  {s['methods']}")
    if a.pbc:
        from training.recipes.make_familiarity import pbc_items

        prow: dict[str, list] = {}
        for _name, load in pbc_items("test", a.pbc, seed=3):
            rgb = load()
            base = pipe.analyze(ImageData(rgb))
            if base.scale_method != "red-cells":
                continue
            for f in a.factors:
                for rc in (True, False):
                    t = tight_crop(rgb, base.class_map, f, rc)
                    if t is None:
                        continue
                    r = pipe.analyze(ImageData(t[0]))
                    key = f"x{f:g} {'with' if rc else 'without'} red cells"
                    prow.setdefault(key, []).append({"scale": r.scale, "truth": base.scale * f, "method": r.scale_method})
        for key, rows in prow.items():
            s = summarise(rows)
            report["pbc"][key] = s
            print(f"  PBC {key:24s} n={s['n']:3d} scale within 15%: {s['within_15pct']:6.1%}  median error {s['median_abs_error']:.1%}  {s['methods']}")
    if a.json:
        atomic_write_text(a.json, json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
