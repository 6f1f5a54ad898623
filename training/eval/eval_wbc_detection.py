"""Finding every white cell on fields from new set-ups (issue 23, item 0): recall and false WBCs.

Sets: BCCD (every 4th field from the 2nd), low-cost-camera copies of other BCCD fields
(training/data/lowcost.py: x0.45-1, defocus, vignetting, casts, noise, JPEG), and the smartphone
fields' test split (pig blood: finding cells only). The full pipeline as the app runs it; WBC
recall at box IoU >= 0.5 (one-to-one greedy matching, training/eval/eval_bccd.match_boxes) and false
WBCs per field (found cells matched to no WBC box; also without the cells typed platelet, since
BCCD boxes platelets apart; the smartphone fields' cells are not typed for this figure).

    nice -n 10 python -m training.eval.eval_wbc_detection --n 30 --out training/reports/first-contact/wbc_detection.md
"""

from __future__ import annotations

import argparse
import csv
import glob
import os
import time
import zlib
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

from training.data.lowcost import Camera, degrade  # noqa: E402
from training.eval.eval_bccd import match_boxes  # noqa: E402
from wbc_desktop.core.io.images import ImageData  # noqa: E402
from training.lib.voc import read_voc_boxes  # noqa: E402

from training.lib.paths import DATA  # noqa: E402


def bccd(n: int, start: int = 1, lowcost: bool = False):
    paths = sorted(glob.glob(str(DATA / "bccd/images/*.jpg")))[start::4][:n]
    for i, p in enumerate(paths):
        rgb = np.asarray(Image.open(p).convert("RGB"))
        gt = read_voc_boxes(p.replace("/images/", "/annotations/").rsplit(".", 1)[0] + ".xml", "WBC")
        if lowcost:
            rng = np.random.default_rng(zlib.crc32(p.encode()))
            cam = Camera.random(rng, cast=("pink-violet", "yellow-orange", "none")[i % 3])
            rgb = degrade(rgb, cam, rng)
            gt = [tuple(v * cam.scale for v in b) for b in gt]
        yield os.path.basename(p), rgb, gt


def smartphone(n: int):
    boxes = defaultdict(list)
    with open(DATA / "fields-smartphone/boxes.csv", newline="") as f:
        for r in csv.DictReader(f):
            if r["split"].strip() == "test" and r["label"].strip() == "wbc":
                boxes[r["image"]].append(tuple(float(r[k]) for k in ("x0", "y0", "x1", "y1")))
    for name in sorted(boxes)[:n]:
        yield name, np.asarray(Image.open(DATA / "fields-smartphone/images" / name).convert("RGB")), boxes[name]


def evaluate(pipe, items) -> dict:
    n_gt = n_hit = n_false = n_false_np = n = 0
    times, scales = [], []
    for name, rgb, gt in items:
        t0 = time.process_time()  # CPU seconds (one thread): steadier than wall time on a shared machine
        a = pipe.analyze(ImageData(rgb, Path(name)))
        times.append(time.process_time() - t0)
        pred = [tuple(map(float, c.bbox)) for c in a.cells]
        m = match_boxes(list(gt), pred, 0.5)
        hit = {pi for _, pi, _ in m}
        false = [c for i, c in enumerate(a.cells) if i not in hit]
        n += 1
        n_gt += len(gt)
        n_hit += len(m)
        n_false += len(false)
        n_false_np += sum(1 for c in false if c.final_type != "platelet")
        scales.append(a.scale_method)
    return {"fields": n, "boxes": n_gt, "recall": n_hit / max(n_gt, 1), "false_per_field": n_false / max(n, 1),
            "false_non_platelet_per_field": n_false_np / max(n, 1), "s_per_field": float(np.median(times)),
            "scale_methods": {k: scales.count(k) for k in sorted(set(scales))}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--out")
    ap.add_argument("--sets", default="bccd,bccd-lowcost,smartphone-test")
    a = ap.parse_args()
    from wbc_desktop.core.pipeline import Pipeline

    pipe = Pipeline.load("default", "default", device="cpu")
    makers = {"bccd": lambda: bccd(a.n, 1), "bccd-lowcost": lambda: bccd(a.n, 3, lowcost=True),
              "smartphone-test": lambda: smartphone(a.n)}
    L = ["# WBC detection on fields from new set-ups", "",
         f"`nice -n 10 python -m training.eval.eval_wbc_detection --n {a.n}` (CPU, shared 2-core machine; "
         "default models, the app's pipeline). Targets: recall >= .95 at IoU >= .5, false WBCs <= 0.3 per field.", "",
         "| set | fields | WBC boxes | recall | false WBCs / field | false non-platelet / field | CPU s / field (median) | scale methods |",
         "|---|---|---|---|---|---|---|---|"]
    figures = {}
    for s in a.sets.split(","):
        r = evaluate(pipe, makers[s]())
        figures[s] = r
        L.append(f"| {s} | {r['fields']} | {r['boxes']} | {r['recall']:.3f} | {r['false_per_field']:.2f} | "
                 f"{r['false_non_platelet_per_field']:.2f} | {r['s_per_field']:.2f} | {r['scale_methods']} |")
        print(L[-1], flush=True)
    text = "\n".join(L) + "\n"
    print(text)
    if a.out:
        Path(a.out).write_text(text)
        import json

        Path(a.out).with_suffix(".json").write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
