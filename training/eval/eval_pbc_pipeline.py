"""PBC test split through the product path: segmenter -> cells -> classifier, central cell scored.

Unlike the test figure in the card (crops cached from the training masks), this runs what a
user runs on a PBC image. Example::

    PYTHONPATH=. python -m training.eval.eval_pbc_pipeline --model resources/models/classifier/default \
        --out training/reports/classifier/pbc_test_pipeline.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from training.lib.paths import DATA, REPO
from training.eval.eval_cellavision import make_analyze_fn
from training.data.pbc_data import SPLIT_FILE, read_split
from wbc_desktop.core.cells.classifier import CellClassifier
from wbc_desktop.core.cells.evaluation import evaluate_classification

ROOT = REPO  # the repository root (training.lib.paths)

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=DATA / "pbc")
    p.add_argument("--model", default="default")
    p.add_argument("--seg-model", default="default")
    p.add_argument("--masks", choices=("segmenter", "threshold"), default="segmenter")
    p.add_argument("--split", default="test")
    p.add_argument("--limit", type=int, default=0, help="every k-th image so that about N remain")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--views", type=int, choices=(1, 2, 4), default=0,
                   help="rotated views for every cell (default: the card's policy)")
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    clf = CellClassifier.load(a.model, device="cpu")
    if a.views:
        clf.set_views(a.views)
    items = [(rel, c) for rel, c, s in read_split(SPLIT_FILE) if s == a.split]
    if a.limit and len(items) > a.limit:
        items = items[:: -(-len(items) // a.limit)]
    t = time.time()
    r = evaluate_classification(make_analyze_fn(clf, a.masks, None, a.seg_model), items, image_dir=a.data)
    r.update(model=clf.info(), masks=a.masks, split=a.split, seconds=round(time.time() - t, 1))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(r, indent=2) + "\n")
    print(f"PBC {a.split} via {a.masks}: accuracy {r['accuracy']:.4f} (forced {r['accuracy_forced']:.4f}) n={r['n']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
