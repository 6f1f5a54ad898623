"""The paper's IoU reconstruction score (Eq. 2) on a split: what superpixels alone can rebuild.

    python -m training.eval.eval_superpixel_ceiling [--split test] [--scale 0.5] [--mean-area 16]

Each superpixel takes its majority label and the rebuilt mask is compared with the expert mask;
the pixel CNN exists to recover what this ceiling loses.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from training.lib.paths import DATA as SHARED_DATA, REPO
from wbc_desktop.core.segmentation.augment import resize
from wbc_desktop.core.io.datasets import find_pairs, load_pairs, split_names
from wbc_desktop.core.segmentation.superpixels import compute_superpixels, reconstruction_iou

ROOT = REPO  # the repository root (training.lib.paths)

DATA = SHARED_DATA / "wbc-seg-cellavision"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--split", default="test")
    ap.add_argument("--scale", type=float, nargs="+", default=[1.0, 0.5])
    ap.add_argument("--mean-area", type=float, default=16.0)
    args = ap.parse_args()
    pairs = load_pairs(find_pairs(args.data / "images", args.data / "masks", split_names(args.data / "labels.csv", args.split)))
    for s in args.scale:
        scores = []
        for _, rgb, mask in pairs:
            h, w = mask.shape
            size = (round(w * s), round(h * s))
            img, m = (rgb, mask) if s == 1.0 else (resize(rgb, size), resize(mask, size, nearest=True))
            scores.append(reconstruction_iou(compute_superpixels(img, args.mean_area), m))
        mean = {k: float(np.mean([x[k] for x in scores])) for k in scores[0]}
        print(f"split {args.split}, scale {s}, S={args.mean_area}: IoU background {mean['iou_0']:.3f} "
              f"cytoplasm {mean['iou_1']:.3f} nucleus {mean['iou_2']:.3f} mIoU {mean['miou']:.3f} ({len(scores)} images)")


if __name__ == "__main__":
    main()
