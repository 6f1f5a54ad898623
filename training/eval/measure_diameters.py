"""Segmented diameter (model pixels) of the central cell of PBC images, per class.

Why: a BCCD neutrophil is sometimes typed platelet (34 of 280 BCCD WBCs). Model pixels are
magnification-free, so a size guard ("a WBC-sized object is no platelet") would be portable; this
measures whether PBC's platelets and WBCs separate by size at all. Every platelet of the split is
used, and 150 random images of each other class. Example::

    PYTHONPATH=. python -m training.eval.measure_diameters --split train --out /tmp/diam_train.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from training.lib.paths import DATA, REPO
from training.data.pbc_data import SPLIT_FILE, read_split
from wbc_desktop.core.cells.evaluation import central_cell
from wbc_desktop.core.pipeline import Pipeline

ROOT = REPO  # the repository root (training.lib.paths)

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", default="train")
    p.add_argument("--per-class", type=int, default=150, help="images per class other than platelet")
    p.add_argument("--data", type=Path, default=DATA / "pbc")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", type=Path)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    by: dict[str, list[str]] = {}
    for rel, cls, split in read_split(SPLIT_FILE):
        if split == a.split:
            by.setdefault(cls, []).append(rel)
    rng = np.random.default_rng(0)
    pipe = Pipeline.load("default", None, device="cpu")
    out: dict[str, list[float]] = {}
    for cls, rels in sorted(by.items()):
        rels = list(rels)
        rng.shuffle(rels)
        for rel in rels if cls == "platelet" else rels[: a.per_class]:
            an = pipe.analyze(a.data / rel)
            cell = central_cell(an)
            if cell is None:
                continue
            out.setdefault(cls, []).append(float(2 * np.sqrt(cell.area_px / np.pi) * an.scale))
    for cls, v in sorted(out.items()):
        d = np.array(v)
        print(f"{cls:13s} n {len(d):4d}  min {d.min():5.1f}  p1 {np.percentile(d, 1):5.1f}  median {np.median(d):5.1f}"
              f"  p99 {np.percentile(d, 99):5.1f}  max {d.max():5.1f}")
    if a.out:
        a.out.write_text(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
