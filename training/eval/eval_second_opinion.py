"""Accuracy when unsure cells get a second opinion from several models' rotated views (crop cache).

Why: the re-check cascade (``training/reports/classifier/rules/unsure-recheck-views.txt``) types confident cells from one view of
one model; ``training/reports/classifier/rules/second-opinion-ensemble.txt`` asks whether the unsure ones gain from more
independently trained models of the same recipe, at the cost of their extra forward passes. The
first model decides who is unsure. Writes per-candidate accuracy and re-checked fraction.

Example::

    PYTHONPATH=. python -m training.eval.eval_second_opinion --split val --members default \
        /work/cache/cls/models/v2.2-shipped /work/cache/cls/models/seed2 \
        --recheck-below 0.6 0.8 0.9 --out training/reports/classifier/second_opinion_val.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from training.lib.paths import REPO
from training.eval.eval_views import add_split_args, split_crops
from wbc_desktop.core.cells.classifier import CellClassifier

ROOT = REPO  # the repository root (training.lib.paths)

def turn_probs(clf: CellClassifier, x: np.ndarray) -> np.ndarray:
    """4 x N x K: the class probabilities of each quarter turn of each crop."""
    clf.set_views(1)
    return np.stack([clf.predict_crops(np.ascontiguousarray(np.rot90(x, k, (1, 2)))) for k in range(4)])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--members", nargs="+", required=True, help="models; the first one decides who is unsure")
    add_split_args(p)
    p.add_argument("--recheck-below", type=float, nargs="+", default=[0.6, 0.8, 0.9])
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    clfs = [CellClassifier.load(m, device="cpu") for m in a.members]
    if any(c.classes != clfs[0].classes or c.spec != clfs[0].spec for c in clfs):
        raise SystemExit("members differ in classes or crop spec")
    x, y = split_crops(a.data, a.cache_dir, clfs[0], a.split, not a.pbc_only)
    probs = [turn_probs(c, x) for c in clfs]  # each 4 x N x K
    first = probs[0][0]
    res = {"members": [dict(c.info(), path=m) for c, m in zip(clfs, a.members)], "split": a.split,
           "cellavision_rows": not a.pbc_only, "n": int(len(y)),
           "one_view": float((first.argmax(1) == y).mean()), "candidates": {}}
    for k in range(1, len(clfs) + 1):
        second = np.mean([q.mean(0) for q in probs[:k]], 0)  # members x 4 turns
        for t in a.recheck_below:
            unsure = first.max(1) < t
            pred = np.where(unsure[:, None], second, first).argmax(1)
            key = f"{k} model(s), t {t}"
            res["candidates"][key] = {"models": k, "t": t, "accuracy": float((pred == y).mean()),
                                      "rechecked": float(unsure.mean())}
            print(f"{a.split} {key}: {res['candidates'][key]['accuracy']:.4f} (re-checked {unsure.mean():.1%}, "
                  f"n {len(y)})", flush=True)
    if a.out:
        a.out.write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
