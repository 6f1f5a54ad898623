"""Accuracy of a classifier typing each cell from 1, 2 or 4 rotated views, from the crop cache.

``--recheck-below`` adds the cascade of ``training/reports/classifier/rules/unsure-recheck-views.txt``: 4 views only for the cells
whose first view's top probability is below each given value (and the fraction re-checked).

Why: averaging the class probabilities over quarter turns of a crop steadies the call; whether
it pays for its extra forward passes is decided on the joint val split (PBC val + CellaVision
val, as training chooses models), and the test split is read only after that choice
(``training/reports/classifier/rules/rotated-views.txt``). Crops are the exact centre crops of the
training cache, i.e. what inference cuts. Writes a JSON with accuracy per split and views.

Example::

    PYTHONPATH=. python -m training.eval.eval_views --model default --split val \
        --out training/reports/classifier/views_default_val.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from training.lib.paths import DATA, REPO
from training.data.pbc_data import SPLIT_FILE, build_cache, cellavision_rows, read_split
from wbc_desktop.core.cells.classifier import CellClassifier
from wbc_desktop.core.cells.views import VIEWS
from wbc_desktop.core.cells.crops import context_spec

ROOT = REPO  # the repository root (training.lib.paths)

def centre(crops: np.ndarray, size: int) -> np.ndarray:
    """The inference crop inside a cached context crop (exact: same pixel scale, centred)."""
    t = (crops.shape[1] - size) // 2
    return crops[:, t : t + size, t : t + size]


def split_crops(data: Path, cache_dir: Path, clf: CellClassifier, split: str,
                with_cellavision: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Centre crops and class indices of one split (PBC, plus the CellaVision rows of that split)."""
    def missing(_rgb):
        raise SystemExit(f"no crop cache for {context_spec(clf.spec)} in {cache_dir}: run train_classifier.py --cache-only")

    rows = read_split(SPLIT_FILE)
    crops, _ = build_cache(data / "pbc", rows, clf.spec, cache_dir, masks="segmenter", mask_fn=missing)
    pick = [i for i, r in enumerate(rows) if r[2] == split]
    x, y = [centre(crops[pick], clf.spec.size)], [clf.classes.index(rows[i][1]) for i in pick]
    if with_cellavision:
        cv_rows = cellavision_rows(data / "wbc-seg-cellavision")
        cv, _ = build_cache(data / "wbc-seg-cellavision" / "images", cv_rows, clf.spec, cache_dir,
                            masks="segmenter", mask_fn=missing, prefix="cellavision")
        pick = [i for i, r in enumerate(cv_rows) if r[2] == split]
        x.append(centre(cv[pick], clf.spec.size))
        y += [clf.classes.index(cv_rows[i][1]) for i in pick]
    return np.ascontiguousarray(np.concatenate(x)), np.array(y)


def add_split_args(p: argparse.ArgumentParser) -> None:
    """The options that pick a split of the crop cache (shared by the views and second-opinion evals)."""
    p.add_argument("--split", choices=("val", "test"), default="val")
    p.add_argument("--pbc-only", action="store_true", help="leave out the CellaVision rows of the split")
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--cache-dir", type=Path, default=Path("/work/cache/cls"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", type=Path)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="default")
    add_split_args(p)
    p.add_argument("--views", type=int, nargs="+", default=list(VIEWS), help="1, 2, 4; 0: the card's policy")
    p.add_argument("--recheck-below", type=float, nargs="*", default=[],
                   help="also: 4 views only for cells whose first view's top probability is below each value")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    clf = CellClassifier.load(a.model, device="cpu")
    x, y = split_crops(a.data, a.cache_dir, clf, a.split, not a.pbc_only)
    res = {"model": clf.info(), "split": a.split, "cellavision_rows": not a.pbc_only, "n": int(len(y)), "accuracy": {}}
    for v in a.views:  # 0: the card's policy (re-check, second opinion)
        clf.set_views(v)
        pred = clf.predict_crops(x).argmax(1)
        key = str(v) if v else "card"
        res["accuracy"][key] = float((pred == y).mean())
        print(f"{clf.info()['name']} {a.split} views {key}: {res['accuracy'][key]:.4f} (n {len(y)})", flush=True)
    if a.recheck_below:
        clf.set_views(1)
        first = clf.predict_crops(x).max(1)
        res["recheck"] = {}
    for t in a.recheck_below:
        clf.set_views(4, recheck_below=t)
        acc = float((clf.predict_crops(x).argmax(1) == y).mean())
        frac = float((first < t).mean())
        res["recheck"][str(t)] = {"accuracy": acc, "rechecked": frac}
        print(f"{clf.info()['name']} {a.split} 4 views below {t}: {acc:.4f} (re-checked {frac:.1%}, n {len(y)})", flush=True)
    if a.out:
        a.out.write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
