"""Effort to correct: how many tool actions a person needs to bring the model's masks to Dice 0.95.

The metric interactive-segmentation papers use (clicks to a target overlap), played by a simulated
annotator whose oracle is the expert mask. Each action fixes the largest wrong region:

* the region: the largest 8-connected component of pixels whose predicted class differs from the
  expert's, taken per expert class (so the action has one class to paint);
* the gesture, the same for both tools: a drag along the region's medial axis (its skeleton), points
  kept at least 2 model pixels apart as the app's snap tool samples a drag;
* superpixel snap (``core.editing.snap.snap_superpixels``, the app's S tool): every superpixel under
  the drag takes the expert's class;
* brush (the app's B tool, ``core.editing.edits``): disks along the same points, the radius a person
  would pick for that region (the median half-width along the axis, at least 1 px).

An action that does not raise the image's score is undone (Ctrl+Z: one more action) and that region
is not tried again. The score is the mean of the nucleus and cytoplasm Dice of the image; an image
is done at >= 0.95 (0 actions when the model's output already is), or gives up after ``--cap``
actions (reported as not reached). Data: the test split of wbc-seg-cellavision and its stain/scale-
shifted copies (``training/data/make_shifted_val.py --split test``).

    python -m training.eval.eval_effort [--shifted DIR] [--cap 40] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Optional

import numpy as np
from scipy import ndimage as ndi
from skimage.morphology import skeletonize

from training.lib.paths import DATA as SHARED_DATA, REPO
from wbc_desktop.core.io.images import read_image, read_mask
from wbc_desktop.core.editing.edits import make_patch
from wbc_desktop.core.editing.snap import snap_area_for, snap_superpixels
from wbc_desktop.core.segmentation.segmenter import Segmenter

ROOT = REPO  # the repository root (training.lib.paths)

DATA = SHARED_DATA / "wbc-seg-cellavision"
TARGET = 0.95
STEP_MODEL_PX = 2.0


def score(pred: np.ndarray, gt: np.ndarray) -> float:
    """Mean Dice of nucleus (2) and cytoplasm (1)."""
    out = []
    for k in (1, 2):
        p, g = pred == k, gt == k
        s = p.sum() + g.sum()
        out.append(1.0 if s == 0 else 2.0 * (p & g).sum() / s)
    return float(np.mean(out))


def wrong_regions(pred: np.ndarray, gt: np.ndarray, tried: set) -> list[tuple[int, int, np.ndarray]]:
    """(size, expert class, mask) of each wrong component, largest first, leaving out tried ones."""
    wrong = pred != gt
    out = []
    for k in (0, 1, 2):
        lab, n = ndi.label(wrong & (gt == k), structure=np.ones((3, 3), bool))
        if not n:
            continue
        sizes = ndi.sum_labels(np.ones_like(lab), lab, index=np.arange(1, n + 1))
        for i in np.argsort(-sizes)[:20]:
            m = lab == i + 1
            ys, xs = np.nonzero(m)
            key = (k, int(ys[0]), int(xs[0]))
            if key not in tried:
                out.append((int(sizes[i]), k, m, key))
    out.sort(key=lambda t: -t[0])
    return out


def drag_points(region: np.ndarray, step_px: float) -> tuple[np.ndarray, float]:
    """Points along the region's skeleton (x, y), at least ``step_px`` apart; and its median half-width."""
    skel = skeletonize(region)
    if not skel.any():
        skel = region
    dist = ndi.distance_transform_edt(region)
    ys, xs = np.nonzero(skel)
    order = np.lexsort((xs, ys))
    pts, last = [], None
    for y, x in zip(ys[order], xs[order]):
        if last is None or abs(x - last[0]) + abs(y - last[1]) >= step_px:
            pts.append((float(x), float(y)))
            last = (x, y)
    return np.asarray(pts), float(max(1.0, np.median(dist[ys, xs])))


def snap_action(cm: np.ndarray, rgb: np.ndarray, pts: np.ndarray, value: int, halfwidth: float, scale: float):
    """The segmenter's own superpixels (S = 16 model px), whatever the region."""
    return snap_superpixels(cm, rgb, [tuple(p) for p in pts], value, scale=scale)


def snap_sized_action(cm: np.ndarray, rgb: np.ndarray, pts: np.ndarray, value: int, halfwidth: float, scale: float):
    """Superpixels sized to the region as a person sizes the brush ([ ]): as wide as the region."""
    return snap_superpixels(cm, rgb, [tuple(p) for p in pts], value, scale=scale,
                            mean_area=snap_area_for(halfwidth, scale))


def brush_action(cm: np.ndarray, rgb: np.ndarray, pts: np.ndarray, value: int, halfwidth: float, scale: float):
    seed = np.zeros(cm.shape, bool)
    seed[pts[:, 1].astype(int), pts[:, 0].astype(int)] = True
    painted = ndi.distance_transform_edt(~seed) <= halfwidth
    return make_patch(cm, painted, value, "brush")


Tool = Callable[..., Optional[object]]


def correct(pred: np.ndarray, gt: np.ndarray, rgb: np.ndarray, scale: float, tool: Tool, cap: int) -> tuple[int, float, bool]:
    """Actions used, the final score and whether the target was reached."""
    cm = pred.copy()
    s = score(cm, gt)
    actions, tried = 0, set()
    while s < TARGET and actions < cap:
        regions = wrong_regions(cm, gt, tried)
        if not regions:
            break
        _, k, region, key = regions[0]
        pts, half = drag_points(region, STEP_MODEL_PX / max(scale, 1e-3))
        patch = tool(cm, rgb, pts, k, half, scale)
        actions += 1
        if patch is None:
            tried.add(key)
            continue
        patch.apply(cm)
        new = score(cm, gt)
        if new <= s:  # made it worse or no better: undone, one more action
            patch.revert(cm)
            actions += 1
            tried.add(key)
            continue
        s = new
    return actions, s, s >= TARGET


def items(shifted: Optional[Path]) -> list[tuple[str, str, Path, Path]]:
    rows = list(csv.DictReader(open(DATA / "labels.csv", newline="")))
    out = [("test", r["image"], DATA / "images" / r["image"], DATA / "masks" / r["image"])
           for r in rows if r["split"] == "test"]
    if shifted is not None:
        for r in csv.DictReader(open(shifted / "labels.csv", newline="")):
            out.append((f"shifted:{r['shift']}", r["image"], shifted / "images" / r["image"], shifted / "masks" / r["image"]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shifted", type=Path, default=Path("/tmp/shifted_test"),
                    help="shifted copies of the test split (made with make_shifted_val.py if missing)")
    ap.add_argument("--cap", type=int, default=40)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"needs {DATA}")
    if not (a.shifted / "labels.csv").is_file():
        subprocess.run([sys.executable, "-m", "training.data.make_shifted_val", "--split", "test", "--out", str(a.shifted)],
                       cwd=ROOT, check=True)
    seg = Segmenter.load("default", device="cpu")
    per: dict[str, dict[str, list]] = {}
    t0 = time.perf_counter()
    for group, name, ip, mp in items(a.shifted):
        rgb = read_image(ip).pixels
        gt = read_mask(mp, rgb.shape[:2])
        res = seg.segment(rgb)
        g = per.setdefault(group, {k: [] for k in ("start", "snap", "snapsz", "brush", "snap_ok", "snapsz_ok", "brush_ok")})
        g["start"].append(score(res.class_map, gt))
        for tname, tool in (("snap", snap_action), ("snapsz", snap_sized_action), ("brush", brush_action)):
            n, _, ok = correct(res.class_map, gt, rgb, res.scale, tool, a.cap)
            g[tname].append(n)
            g[f"{tname}_ok"].append(ok)
    print(f"effort to mean Dice (nucleus, cytoplasm) >= {TARGET}: actions per image (cap {a.cap}); "
          f"{time.perf_counter() - t0:.0f} s\n")
    tools = ("snap", "snapsz", "brush")
    names = {"snap": "snap, S=16", "snapsz": "snap, sized", "brush": "brush"}
    print("| set | images | start score | " + " | ".join(f"{names[t]}: mean / median actions (reached)" for t in tools)
          + " | snap S=16 / brush | snap sized / brush |")
    print("|---" * (3 + len(tools) + 2) + "|")
    summary = {}

    def line(label: str, g: dict) -> None:
        arr = {t: np.array(g[t]) for t in tools}
        br = arr["brush"].mean()
        row = {"images": len(arr["brush"]), "start_score": float(np.mean(g["start"]))}
        cells = []
        for t in tools:
            row.update({f"{t}_mean": float(arr[t].mean()), f"{t}_median": float(np.median(arr[t])),
                        f"{t}_reached": int(sum(g[f"{t}_ok"]))})
            cells.append(f"{arr[t].mean():.1f} / {np.median(arr[t]):.0f} ({sum(g[f'{t}_ok'])}/{len(arr[t])})")
        r1, r2 = arr["snap"].mean() / br if br else float("nan"), arr["snapsz"].mean() / br if br else float("nan")
        row.update({"snap_over_brush": float(r1), "snapsz_over_brush": float(r2)})
        summary[label] = row
        print(f"| {label} | {row['images']} | {row['start_score']:.3f} | " + " | ".join(cells) + f" | {r1:.2f} | {r2:.2f} |")

    for label, g in per.items():
        line(label, g)
    shifted = {k: sum((g[k] for n, g in per.items() if n.startswith("shifted:")), [])
               for k in ("start", *tools, *(f"{t}_ok" for t in tools))}
    if shifted["snap"]:
        line("all shifted copies", shifted)
    if a.json:
        a.json.write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
