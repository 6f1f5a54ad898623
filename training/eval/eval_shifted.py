"""How the shifted copies (training/data/make_shifted_val.py) look to the Qt-free core.

Per shift: the red-cell estimate relative to the unshifted source (should equal the rescale
factor), and whether find_candidates still finds the centre WBC whole (one candidate holding the
nucleus centre and >= 95 % of the cell mask).

    PYTHONPATH=$PWD nice -n 10 /work/main/.venv/bin/python -m training.eval.eval_shifted /work/cache/shifted_val /work/cache/shifted_test
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

from training.lib.paths import DATA
from wbc_desktop.core.segmentation.candidates import find_candidates
from wbc_desktop.core.imaging.scale import estimate_rbc_diameter

SRC = DATA / "wbc-seg-cellavision"


def load(p: Path) -> np.ndarray:
    return np.asarray(Image.open(p).convert("RGB"))


def centre_found(img: np.ndarray, mask: np.ndarray) -> bool:
    ys, xs = np.nonzero(mask > 192)
    cy, cx = ys.mean(), xs.mean()
    hold = [c for c in find_candidates(img) if c.box[0] <= cx < c.box[2] and c.box[1] <= cy < c.box[3]]
    if len(hold) != 1:
        return False
    x0, y0, x1, y1 = hold[0].box
    cell = mask > 64
    return cell[y0:y1, x0:x1].sum() >= 0.95 * cell.sum()


def main() -> None:
    for root in map(Path, sys.argv[1:]):
        man = json.loads((root / "manifest.json").read_text())["variants"]
        rows = list(csv.DictReader(open(root / "labels.csv", newline="")))
        base = {}
        ratio, found, diff = defaultdict(list), defaultdict(list), defaultdict(list)
        for r in rows:
            if r["source"] not in base:
                e = estimate_rbc_diameter(load(SRC / "images" / r["source"]))
                base[r["source"]] = e.diameter_px if e.ok else None
            img = load(root / "images" / r["image"])
            m = np.asarray(Image.open(root / "masks" / r["image"]))
            e = estimate_rbc_diameter(img)
            b = base[r["source"]]
            if b and e.ok:
                ratio[r["shift"]].append(e.diameter_px / b / man[r["image"]]["scale"])
            found[r["shift"]].append(centre_found(img, m))
            src = load(SRC / "images" / r["source"]).astype(np.float32)
            if img.shape == src.shape:
                diff[r["shift"]].append(float(np.abs(img.astype(np.float32) - src).mean()))
        print(f"\n### {root} ({len(rows)} images)\n")
        print("| shift | red-cell estimate / (source estimate x scale), median (n) | centre WBC found whole | mean abs RGB change vs source (x1 shifts) |")
        print("|---|---|---|---|")
        for s in found:
            rr = ratio[s]
            med = f"{np.median(rr):.3f} ({len(rr)})" if rr else "- (0)"
            d = f"{np.mean(diff[s]):.1f}" if diff[s] else "-"
            print(f"| {s} | {med} | {sum(found[s])}/{len(found[s])} | {d} |")


if __name__ == "__main__":
    main()
