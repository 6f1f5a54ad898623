"""Build resources/models/segmenter/default/familiarity.json and report how often each set is flagged.

Reference: cellavision train (79) and a class-balanced sample of the PBC train split, analysed by
the shipped pipeline. Threshold: the distance that leaves ``--quantile`` of the held-out
*validation* images of each lab (cellavision val, a PBC val sample) unflagged, the larger of the
two. Then the share flagged is measured on sets never used for either: cellavision test, a PBC
test sample, all BCCD fields, each kind of stain/scale-shifted copy of cellavision test
(make_shifted_val.shift) and tight crops of cellavision test (tight_crops.tight_crop).

    PYTHONPATH=. python -m training.recipes.make_familiarity --report training/reports/other-labs/familiarity.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from training.lib.paths import DATA, REPO
from wbc_desktop.core.imaging.familiarity import FLAG_BELOW, FamiliarityModel, image_features
from wbc_desktop.core.io.images import ImageData, read_image, read_mask

ROOT = REPO  # the repository root (training.lib.paths)

CV = DATA / "wbc-seg-cellavision"
CACHE = Path("/tmp/wbc_familiarity")


def cv_items(split: str):
    from wbc_desktop.core.io.datasets import split_names

    for stem in sorted(split_names(CV / "labels.csv", split)):
        yield stem, lambda s=stem: read_image(CV / "images" / f"{s}.png").pixels


def pbc_items(split: str, per_class: int, seed: int = 0):
    from training.data.pbc_data import read_split

    rows = [r for r in read_split() if r[2] == split]
    rng = np.random.default_rng(seed)
    by: dict[str, list] = {}
    for r in rows:
        by.setdefault(r[1], []).append(r[0])
    for cls in sorted(by):
        names = sorted(by[cls])
        for i in rng.permutation(len(names))[:per_class]:
            yield names[i], lambda n=names[i]: read_image(DATA / "pbc" / n).pixels


def bccd_items():
    for p in sorted((DATA / "bccd" / "images").glob("*.jpg")):
        yield p.stem, lambda q=p: read_image(q).pixels


def shifted_items(suffix: str):
    from training.data.make_shifted_val import shift

    for stem, load in cv_items("test"):
        def make(s=stem, ld=load):
            rgb = ld()
            cm = read_mask(CV / "masks" / f"{s}.png", rgb.shape[:2])
            return shift(rgb, cm, s, suffix, 0)[0]
        yield f"{stem}{suffix}", make


def tight_items(factors=(0.4, 0.5, 1.0, 2.0, 2.5), red_cells: bool = True):
    from training.data.tight_crops import tight_crop

    for stem, load in cv_items("test"):
        for f in factors:
            def make(s=stem, ld=load, ff=f):
                rgb = ld()
                return tight_crop(rgb, read_mask(CV / "masks" / f"{s}.png", rgb.shape[:2]), ff, red_cells)[0]
            yield f"{stem}_x{f:g}", make


def features(pipe, name: str, items) -> np.ndarray:
    """Feature rows of a set (cached in /tmp by set name: delete to recompute)."""
    cache = CACHE / f"{name}.npy"
    if cache.exists():
        return np.load(cache)
    rows, t0 = [], time.time()
    for _stem, load in items:
        rgb = load()
        a = pipe.analyze(ImageData(rgb))
        rows.append(image_features(rgb, a))
    x = np.array(rows)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(cache, x)
    print(f"{name}: {len(x)} images, {time.time() - t0:.0f} s", file=sys.stderr)
    return x


def main() -> None:
    from wbc_desktop.core.io.atomic import atomic_write_text
    from wbc_desktop.core.pipeline import Pipeline

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "resources/models/segmenter/default/familiarity.json")
    ap.add_argument("--report", type=Path, default=ROOT / "training/reports/other-labs/familiarity.json")
    ap.add_argument("--pbc-per-class", type=int, default=25)
    ap.add_argument("--quantile", type=float, default=0.975)
    ap.add_argument("--k", type=int, default=5)
    a = ap.parse_args()
    pipe = Pipeline.load()
    pipe.familiarity = None
    ref = np.vstack([features(pipe, "cv_train", cv_items("train")),
                     features(pipe, "pbc_train", pbc_items("train", a.pbc_per_class))])
    model = FamiliarityModel.fit(ref, k=a.k)
    cal = {"cellavision val": features(pipe, "cv_val", cv_items("val")),
           "PBC val": features(pipe, "pbc_val", pbc_items("val", a.pbc_per_class, seed=1))}
    d0 = max(float(np.quantile([model.distance(x) for x in v], a.quantile)) for v in cal.values())
    model.with_threshold(d0, reference=f"cellavision train ({79}) + PBC train ({a.pbc_per_class}/class)",
                         threshold=f"{a.quantile:.1%} quantile of cellavision val and PBC val distances (larger)",
                         segmenter="default", classifier="default")
    old = FamiliarityModel.load(a.out)
    model.unsure_below = old.unsure_below if old is not None else None  # set by eval_unsure.py --write
    atomic_write_text(a.out, model.to_json())
    sets = {
        "cellavision test": features(pipe, "cv_test", cv_items("test")),
        "PBC test": features(pipe, "pbc_test", pbc_items("test", 40, seed=2)),
        "BCCD fields": features(pipe, "bccd", bccd_items()),
        **{f"shifted cellavision test {s}": features(pipe, f"shift{s}", shifted_items(s))
           for s in ("_s0.6", "_s1.4", "_hed", "_blur", "_mix0.7", "_mix1.3")},
        "tight crops with red cells": features(pipe, "tight_rbc", tight_items(red_cells=True)),
        "tight crops without red cells": features(pipe, "tight_norbc", tight_items(red_cells=False)),
        **{f"(calibration) {k}": v for k, v in cal.items()},
    }
    report = {"d0": d0, "k": a.k, "flag_below": FLAG_BELOW, "sets": {}}
    for name, x in sets.items():
        fam = np.array([model.score(r) for r in x])
        share = float((fam < FLAG_BELOW).mean())
        report["sets"][name] = {"n": len(x), "flagged": round(share, 4), "median_familiarity": round(float(np.median(fam)), 3)}
        print(f"{name:40s} n={len(x):4d} flagged {share:6.1%}  median familiarity {np.median(fam):.2f}")
    atomic_write_text(a.report, json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
