"""Stain self-calibration (core.imaging.self_calibration): Dice with and without it, per shift kind.

Each image goes through ``Pipeline.analyze`` (the path of ``analyze`` and ``evaluate``) twice:
with the self-calibration off, and on (the default: fitted to the first look's glance, only for
images the glance finds unfamiliar; the one segmentation then goes through it). Also reported: the share flagged, and what forcing the pass on every
image would give (why it is not done: it costs familiar images a little).

    python -m training.data.make_shifted_val --split test --out /tmp/shifted_test
    python -m training.eval.eval_self_calibration /tmp/shifted_test --originals test [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np

from training.lib.paths import DATA as SHARED_DATA
from wbc_desktop.core.io.images import ImageData, read_image, read_mask
from wbc_desktop.core.pipeline import Pipeline
from wbc_desktop.core.segmentation.metrics import dice_scores

DATA = SHARED_DATA / "wbc-seg-cellavision"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shifted", type=Path)
    ap.add_argument("--originals", default=None, help="also the unshifted images of this split")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    items = [(r["shift"], a.shifted / "images" / r["image"], a.shifted / "masks" / r["image"])
             for r in csv.DictReader(open(a.shifted / "labels.csv", newline=""))]
    if a.originals:
        items += [("original", DATA / "images" / r["image"], DATA / "masks" / r["image"])
                  for r in csv.DictReader(open(DATA / "labels.csv", newline="")) if r["split"] == a.originals]
    pipe = Pipeline.load("default", None, device="cpu")
    if pipe.segmenter.stain_reference is None:
        raise SystemExit("the default segmenter has no stain_reference.json (training/recipes/make_stain_reference.py)")
    rows = []
    for kind, ip, mp in items:
        img = read_image(ip)
        gt = read_mask(mp, img.pixels.shape[:2])
        pipe.self_calibrate = False
        off = pipe.analyze(ImageData(img.pixels))
        pipe.self_calibrate = True
        on = pipe.analyze(ImageData(img.pixels))
        pipe.self_calibrate = "always"
        forced = pipe.analyze(ImageData(img.pixels))
        pipe.self_calibrate = True
        rows.append({"kind": kind, "image": ip.name, "familiarity": off.familiarity,
                     "off": dice_scores(off.class_map, gt), "on": dice_scores(on.class_map, gt),
                     "forced": dice_scores(forced.class_map, gt)})
    print(f"mean Dice (nucleus, cytoplasm, cell) per image, by kind; {a.shifted}\n")
    print("| kind | n | flagged | without | with (flagged images only: the default) | forced on every image |")
    print("|---|---|---|---|---|---|")
    summary = {}
    for k in sorted({r["kind"] for r in rows}) + ["all shifted"]:
        rs = [r for r in rows if (r["kind"] == k if k != "all shifted" else r["kind"] != "original")]
        if not rs:
            continue
        m = {w: float(np.mean([r[w]["mean"] for r in rs])) for w in ("off", "on", "forced")}
        flagged = float(np.mean([r["familiarity"] is not None and r["familiarity"] < 0.5 for r in rs]))
        summary[k] = {"n": len(rs), "flagged": flagged, **m,
                      "on_nucleus": float(np.mean([r["on"]["nucleus"] for r in rs])),
                      "on_cytoplasm": float(np.mean([r["on"]["cytoplasm"] for r in rs]))}
        print(f"| {k} | {len(rs)} | {flagged:.0%} | {m['off']:.4f} | {m['on']:.4f} | {m['forced']:.4f} |")
    if a.json:
        a.json.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
