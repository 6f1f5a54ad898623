"""Time CellClassifier.classify per cell on CPU (crop normalisation + one batched forward).

Builds a synthetic field by tiling the CellaVision fixtures (expert masks) so several cells
are typed in one call, as in a smear field. Example::

    PYTHONPATH=. python training/bench_classifier.py --model resources/models/classifier/default
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from wbc_desktop.core.cells import find_cells  # noqa: E402
from wbc_desktop.core.classify import CellClassifier  # noqa: E402
from wbc_desktop.core.io import read_image, read_mask  # noqa: E402
from wbc_desktop.core.view_policy import describe_views  # noqa: E402

FIX = ROOT / "tests" / "fixtures" / "cellavision"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="default")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--views", type=int, default=None, help="rotated views for every cell (default: the card's policy)")
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
    print(f"{clf.info()['name']}: {ms:.2f} ms per cell ({len(cells)} cells per call, {describe_views(clf.views, clf.recheck_below, clf.info()['second_opinion'])}, {a.threads} thread(s), CPU)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
