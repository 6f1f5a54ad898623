"""Right or unsure: typed accuracy and unidentified share per data set, and the stricter threshold
for unfamiliar images chosen on shifted copies of *val*.

Each image's largest found cell is scored against the image's label (cellavision labels.csv,
PBC class folder, BCCD wbc_types.csv fields with one type). Records (type, confidence,
familiarity) are cached in /tmp, so thresholds can be swept without re-running the models.
The choice: the smallest threshold in the grid whose typed accuracy on the flagged images of the
shifted cellavision *val* copies is >= ``--target``; it is written into familiarity.json
(``unsure_below``) only with ``--write``. Test sets are then reported at that threshold.

    PYTHONPATH=. python -m training.eval.eval_unsure --json training/reports/other-labs/unsure-default-typing.json --write
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from training.lib.paths import REPO
from training.recipes.make_familiarity import CV, DATA, pbc_items, shifted_items, tight_items
from wbc_desktop.core.io.images import ImageData, read_image

ROOT = REPO  # the repository root (training.lib.paths)

CACHE = Path("/tmp/wbc_unsure")
SHIFTS = ("_s0.6", "_s1.4", "_hed", "_blur", "_mix0.7", "_mix1.3")
GRID = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99, 1.01)


def cv_types() -> dict[str, str]:
    with open(CV / "labels.csv", newline="") as f:
        return {Path(r["image"]).stem: r["cell_type"] for r in csv.DictReader(f)}


def shifted_val_items(suffix: str):
    from training.data.make_shifted_val import shift
    from wbc_desktop.core.io.datasets import split_names
    from wbc_desktop.core.io.images import read_mask

    for stem in sorted(split_names(CV / "labels.csv", "val")):
        def make(s=stem):
            rgb = read_image(CV / "images" / f"{s}.png").pixels
            return shift(rgb, read_mask(CV / "masks" / f"{s}.png", rgb.shape[:2]), s, suffix, 0)[0]
        yield f"{stem}{suffix}", make


def bccd_items(half: str):
    with open(DATA / "bccd" / "wbc_types.csv", newline="") as f:
        types = {r["image"]: r["cell_type"].strip() for r in csv.DictReader(f)}
    paths = sorted((DATA / "bccd" / "images").glob("*.jpg"))
    paths = paths[(0 if half == "even" else 1)::2]
    for p in paths:
        t = types.get(p.name, "")
        if t and ";" not in t:
            yield p.stem, t, lambda q=p: read_image(q).pixels


def records(pipe, name: str, items) -> list[dict]:
    cache = CACHE / f"{name}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    out = []
    for stem, truth, load in items:
        a = pipe.analyze(ImageData(load()))
        c = max(a.cells, key=lambda c: c.area_px) if a.cells else None
        out.append({"image": stem, "truth": truth, "pred": c.predicted_type if c else None,
                    "conf": c.confidence if c else 0.0, "familiarity": a.familiarity})
    CACHE.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(out))
    print(f"{name}: {len(out)} images", file=sys.stderr)
    return out


def figures(rows: list[dict], base: float, strict: float) -> dict:
    """Typed accuracy and unidentified share with ``strict`` applied to flagged images only."""
    typed = right = 0
    for r in rows:
        thr = strict if (r["familiarity"] is not None and r["familiarity"] < 0.5) else base
        if r["pred"] is not None and r["conf"] >= thr:
            typed += 1
            right += r["pred"] == r["truth"]
    n = len(rows)
    return {"n": n, "typed_accuracy": round(right / typed, 4) if typed else None,
            "unidentified": round(1 - typed / n, 4) if n else None, "overall_right": round(right / n, 4) if n else None,
            "flagged": round(sum(r["familiarity"] is not None and r["familiarity"] < 0.5 for r in rows) / max(n, 1), 4)}


def main() -> None:
    from wbc_desktop.core.io.atomic import atomic_write_text
    from wbc_desktop.core.pipeline import Pipeline

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--target", type=float, default=0.9)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--write", action="store_true", help="store the chosen threshold in familiarity.json")
    a = ap.parse_args()
    pipe = Pipeline.load()
    # records keep predicted_type and confidence, which no threshold changes: the sweep applies them
    base = pipe.classifier.threshold
    types = cv_types()
    val = []
    for s in SHIFTS:
        val += records(pipe, f"shifted_val{s}", ((n, types[n[:3]], ld) for n, ld in shifted_val_items(s)))
    sweep = {t: figures(val, base, t) for t in GRID}
    ok = [t for t in GRID if (sweep[t]["typed_accuracy"] or 0) >= a.target]
    chosen = ok[0] if ok else GRID[-1]
    print(f"shifted cellavision val ({len(val)}): " + ", ".join(
        f"{t:g}: {sweep[t]['typed_accuracy']} typed, {sweep[t]['unidentified']:.0%} unid." for t in GRID))
    print(f"chosen threshold for unfamiliar images: {chosen:g}")
    sets = {f"shifted cellavision test {s}": records(pipe, f"shifted_test{s}", ((n, types[n[:3]], ld) for n, ld in shifted_items(s)))
            for s in SHIFTS}
    sets["tight crops cellavision test (with red cells)"] = records(
        pipe, "tight_rbc", ((n, types[n[:3]], ld) for n, ld in tight_items(red_cells=True)))
    sets["tight crops cellavision test (without red cells)"] = records(
        pipe, "tight_norbc", ((n, types[n[:3]], ld) for n, ld in tight_items(red_cells=False)))
    sets["BCCD held-out odd half (one-type fields, largest cell)"] = records(pipe, "bccd_odd", bccd_items("odd"))
    sets["PBC test (25/class)"] = records(pipe, "pbc_test", ((n, n.split("/")[0], ld) for n, ld in pbc_items("test", 25, seed=2)))
    report = {"base_threshold": base, "chosen_unfamiliar_threshold": chosen, "val_sweep": {str(k): v for k, v in sweep.items()},
              "sets": {}}
    for name, rows in sets.items():
        before, after = figures(rows, base, base), figures(rows, base, chosen)
        report["sets"][name] = {"before": before, "after": after}
        print(f"{name:52s} n={before['n']:3d} flagged {after['flagged']:.0%}: typed acc {before['typed_accuracy']} -> "
              f"{after['typed_accuracy']}, unidentified {before['unidentified']:.0%} -> {after['unidentified']:.0%}")
    if a.json:
        atomic_write_text(a.json, json.dumps(report, indent=2) + "\n")
    if a.write:
        p = Path(pipe.segmenter.source) / "familiarity.json"
        d = json.loads(p.read_text())
        d["unsure_below"] = chosen
        atomic_write_text(p, json.dumps(d) + "\n")


if __name__ == "__main__":
    main()
