"""Colour standardisation (issue 23, item 1): masks and types with and without it.

Sets (cellavision test + val images, which no model trained on; masks and types from the data):
* ``original``: as they are;
* ``shifted``: /work/cache/shifted_test (training/make_shifted_val.py: HED stain shift, blur/JPEG,
  rescale; the _hed and _mix variants);
* ``cast-yellow-orange`` / ``cast-pink-violet``: low-cost-camera copies at x1 (training/data/lowcost.py:
  the cast, vignetting, defocus, noise, JPEG).
Per set and setting: mean Dice (nucleus, cytoplasm, cell, mean) through the full pipeline, the
central cell's type (shown and best guess) against the label, and the time per image.

    nice -n 10 python -m training.eval.eval_colour --out training/reports/first-contact/colour_standardisation.md
"""

from __future__ import annotations

import argparse
import csv
import time
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from training.data.lowcost import Camera, degrade  # noqa: E402
from training.lib.paths import DATA as SHARED  # noqa: E402
from wbc_desktop.core.cells.evaluation import central_cell  # noqa: E402
from wbc_desktop.core.io.images import ImageData, read_mask  # noqa: E402
from wbc_desktop.core.segmentation.metrics import dice_scores, mean_scores  # noqa: E402

DATA = SHARED / "wbc-seg-cellavision"
SHIFTED = Path("/work/cache/shifted_test")


def mask_cls(path: Path) -> np.ndarray:
    m = read_mask(path)
    return m if m.max() <= 2 else np.digitize(m, [64, 192]).astype(np.uint8)


MODES = [False, True]


def sets(limit: int | None):
    rows = [r for r in csv.DictReader(open(DATA / "labels.csv")) if r["split"] in ("test", "val")][:limit]
    base = [(r["image"], np.asarray(Image.open(DATA / "images" / r["image"]).convert("RGB")),
             mask_cls(DATA / "masks" / r["image"]), r["cell_type"]) for r in rows]
    out = {"original": base}
    if SHIFTED.is_dir():
        sh = [r for r in csv.DictReader(open(SHIFTED / "labels.csv")) if r["shift"] in ("hed", "mix0.7", "mix1.3")][:limit and 3 * limit]
        out["shifted (HED, mix)"] = [(r["image"], np.asarray(Image.open(SHIFTED / "images" / r["image"]).convert("RGB")),
                                      mask_cls(SHIFTED / "masks" / r["image"]), r["cell_type"]) for r in sh]
    for cast in ("yellow-orange", "pink-violet"):
        items = []
        for name, rgb, m, t in base:
            rng = np.random.default_rng(zlib.crc32(f"{name}{cast}".encode()))
            cam = Camera(scale=1.0, blur=float(rng.uniform(0.6, 1.5)), vignette=float(rng.uniform(0.15, 0.45)),
                         cast=cast, noise=float(rng.uniform(1, 5)), jpeg=int(rng.integers(55, 90)))
            items.append((name, degrade(rgb, cam, rng), m, t))
        out[f"cast-{cast}"] = items
    return out


def run(pipe, items, on) -> dict:
    if not hasattr(run, "plug"):
        run.plug = pipe.standardise  # type: ignore[attr-defined]
    pipe.standardise = run.plug if on else None  # type: ignore[attr-defined]
    scores, shown, guess, times, applied = [], 0, 0, [], 0
    for name, rgb, truth, t in items:
        t0 = time.process_time()  # CPU seconds of this process (one thread): steadier than wall time on a shared machine
        a = pipe.analyze(ImageData(rgb, Path(name)))
        times.append(time.process_time() - t0)
        scores.append(dice_scores(a.class_map, truth))
        c = central_cell(a)
        shown += int(c is not None and c.cell_type == t)
        guess += int(c is not None and (c.predicted_type or c.cell_type) == t)
        applied += int(bool(a.standardisation))
    d = mean_scores(scores)
    n = len(items)
    return {**d, "shown": shown / n, "guess": guess / n, "s": float(np.median(times)), "applied": applied / n, "n": n}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int)
    ap.add_argument("--out")
    ap.add_argument("--modes", default="no,yes", help="comma list of no, yes")
    ap.add_argument("--sets", help="comma list of set names (default: all)")
    a = ap.parse_args()
    MODES[:] = [{"no": False, "yes": True}.get(m, m) for m in a.modes.split(",")]
    from wbc_desktop.core.pipeline import Pipeline

    pipe = Pipeline.load("default", "default", device="cpu")
    L = ["# Colour standardisation: with and without", "",
         "`nice -n 10 python -m training.eval.eval_colour --out training/reports/first-contact/colour_standardisation.md` "
         "(CPU, shared 2-core machine; the full pipeline, default models, unfamiliar images typed by other-labs as shipped). "
         "Images: wbc-seg-cellavision test + val (21), no model trained on them.", "",
         "| set | standardised | n | share changed | Dice nucleus | cytoplasm | cell | mean | type shown right | best guess right | CPU s/image (median) |",
         "|---|---|---|---|---|---|---|---|---|---|---|"]
    figures = {}
    for name, items in sets(a.limit).items():
        if a.sets and name not in a.sets.split(","):
            continue
        for on in MODES:
            r = run(pipe, items, on)
            figures[f"{name} / {'yes' if on else 'no'}"] = r
            L.append(f"| {name} | {on if isinstance(on, str) else ('yes' if on else 'no')} | {r['n']} | {r['applied']:.0%} | {r['nucleus']:.3f} | {r['cytoplasm']:.3f} | "
                     f"{r['cell']:.3f} | {r['mean']:.3f} | {r['shown']:.0%} | {r['guess']:.0%} | {r['s']:.2f} |")
            print(L[-1], flush=True)
    text = "\n".join(L) + "\n"
    if a.out:
        Path(a.out).write_text(text)
        import json

        Path(a.out).with_suffix(".json").write_text(json.dumps(figures, indent=1))
    print(text)


if __name__ == "__main__":
    main()
