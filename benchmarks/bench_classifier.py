"""Time CellClassifier.classify per cell on CPU (crop normalisation + one batched forward).

Builds a synthetic field by tiling the CellaVision fixtures (expert masks) so several cells
are typed in one call, as in a smear field. With the card's re-check policy the time depends on
how many cells are unsure (2 of these 10 at t 0.8), so ``--mix SPLIT`` also times the network on
the cached crops of a PBC split, 10 cells per call (the real share of unsure cells), and adds the
crop-cutting time measured on the fixture field. Example::

    PYTHONPATH=. python -m benchmarks.bench_classifier --model resources/models/classifier/default --mix test
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from training.lib.paths import DATA, REPO
from wbc_desktop.core.cells.crops import cell_crops
from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.cells.classifier import CellClassifier
from wbc_desktop.core.io.images import read_image, read_mask
from wbc_desktop.core.cells.views import describe_info

ROOT = REPO  # the repository root (training.lib.paths)

FIX = ROOT / "tests" / "fixtures" / "cellavision"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="default")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--views", type=int, default=None, help="rotated views for every cell (default: the card's policy)")
    p.add_argument("--mix", choices=("val", "test"), help="also time the network on this PBC split's cached crops")
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--cache-dir", type=Path, default=Path("/work/cache/cls"))
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    names = ["002", "004", "007", "011", "088"]
    rgb = np.concatenate([read_image(FIX / "images" / f"{n}.png").pixels for n in names], 1)
    cm = np.concatenate([read_mask(FIX / "masks" / f"{n}.png") for n in names], 1)
    rgb, cm = np.concatenate([rgb, rgb], 0), np.concatenate([cm, cm], 0)  # 10 cells, 600x1500
    inst, cells = find_cells(cm, scale=0.33)
    clf = CellClassifier.load(a.model, device="cpu")
    if a.views:
        clf.set_views(a.views)
    clf.classify(rgb, cm, inst, cells, scale=0.33)
    t = time.perf_counter()
    for _ in range(a.repeat):
        clf.classify(rgb, cm, inst, cells, scale=0.33)
    ms = (time.perf_counter() - t) / a.repeat / len(cells) * 1e3
    policy = describe_info(clf.info())
    print(f"{clf.info()['name']}: {ms:.2f} ms per cell ({len(cells)} cells per call, {policy}, {a.threads} thread(s), CPU)")
    if a.mix:
        ids, boxes = [c.cell_id for c in cells], [c.bbox for c in cells]
        t = time.perf_counter()
        for _ in range(a.repeat):
            cell_crops(rgb, cm, inst, ids, clf.spec, 0.33, boxes=boxes)
        crop_ms = (time.perf_counter() - t) / a.repeat / len(cells) * 1e3
        from training.eval.eval_views import split_crops

        x, _ = split_crops(a.data, a.cache_dir, clf, a.mix, with_cellavision=False)
        share = ""
        if clf.recheck_below is not None:  # the card's policy (an explicit --views re-checks nothing)
            clf.set_views(1)
            first = clf.predict_crops(x).max(1)
            clf.set_views(0)
            share = f", {float((first < clf.recheck_below).mean()):.1%} unsure"
        t = time.perf_counter()
        for i in range(0, len(x), 10):
            clf.predict_crops(x[i : i + 10])
        net_ms = (time.perf_counter() - t) / len(x) * 1e3
        print(f"  PBC {a.mix} mix (n {len(x)}{share}): network {net_ms:.2f} + crops {crop_ms:.2f} "
              f"= {net_ms + crop_ms:.2f} ms per cell")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
