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
from wbc_desktop.core.editing.wand import wand_click
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


def click_point(region: np.ndarray) -> tuple[float, float, float]:
    """The click policy: the centre of the region (its pixel farthest from its edge), as (x, y), and
    the reach a person would give the brush for it (the farthest region pixel from there, + 2 px)."""
    dist = ndi.distance_transform_edt(np.pad(region, 1))[1:-1, 1:-1]
    y, x = np.unravel_index(int(dist.argmax()), dist.shape)
    ys, xs = np.nonzero(region)
    return float(x), float(y), float(np.sqrt(((ys - y) ** 2 + (xs - x) ** 2).max())) + 2.0


def wand_action(cm, rgb, pts, value, halfwidth, scale, region=None, nodes=(), threshold=None, refine=None,
                mode="margin"):
    """One click of the wand at the region's centre: positive (the expert's class), or a negative
    click (background) when the expert says background. The shipped wand: the segmenter's logit
    margin, no refinement."""
    x, y, reach = click_point(region)
    return wand_click(cm, rgb, nodes, x, y, value, reach, scale, threshold=threshold, refine=refine, mode=mode)


def wand_ref_action(cm, rgb, pts, value, halfwidth, scale, region=None, nodes=(), threshold=None):
    """The margin wand followed by the boundary refinement (random walker on the new edge's band)."""
    return wand_action(cm, rgb, pts, value, halfwidth, scale, region, nodes, threshold, refine=True)


def wand_emb_action(cm, rgb, pts, value, halfwidth, scale, region=None, nodes=(), threshold=None):
    """The embedding wand (SMGNN's node embeddings, cosine >= threshold) with the refinement."""
    return wand_action(cm, rgb, pts, value, halfwidth, scale, region, nodes, threshold, refine=True, mode="embedding")


def wand_raw_action(cm, rgb, pts, value, halfwidth, scale, region=None, nodes=(), threshold=None):
    """The embedding wand without the boundary refinement (what the refinement adds)."""
    return wand_action(cm, rgb, pts, value, halfwidth, scale, region, nodes, threshold, refine=False, mode="embedding")


def snap_action(cm: np.ndarray, rgb: np.ndarray, pts: np.ndarray, value: int, halfwidth: float, scale: float, **_):
    """The segmenter's own superpixels (S = 16 model px), whatever the region."""
    return snap_superpixels(cm, rgb, [tuple(p) for p in pts], value, scale=scale)


def snap_sized_action(cm: np.ndarray, rgb: np.ndarray, pts: np.ndarray, value: int, halfwidth: float, scale: float, **_):
    """Superpixels sized to the region as a person sizes the brush ([ ]): as wide as the region."""
    return snap_superpixels(cm, rgb, [tuple(p) for p in pts], value, scale=scale,
                            mean_area=snap_area_for(halfwidth, scale))


def brush_action(cm: np.ndarray, rgb: np.ndarray, pts: np.ndarray, value: int, halfwidth: float, scale: float, **_):
    seed = np.zeros(cm.shape, bool)
    seed[pts[:, 1].astype(int), pts[:, 0].astype(int)] = True
    painted = ndi.distance_transform_edt(~seed) <= halfwidth
    return make_patch(cm, painted, value, "brush")


Tool = Callable[..., Optional[object]]


def correct(pred: np.ndarray, gt: np.ndarray, rgb: np.ndarray, scale: float, tool: Tool, cap: int,
            **extra) -> tuple[int, float, bool]:
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
        patch = tool(cm, rgb, pts, k, half, scale, region=region, **extra)
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


def items(shifted: Optional[Path], split: str = "test") -> list[tuple[str, str, Path, Path]]:
    rows = list(csv.DictReader(open(DATA / "labels.csv", newline="")))
    out = [(split, r["image"], DATA / "images" / r["image"], DATA / "masks" / r["image"])
           for r in rows if r["split"] == split]
    if shifted is not None:
        for r in csv.DictReader(open(shifted / "labels.csv", newline="")):
            out.append((f"shifted:{r['shift']}", r["image"], shifted / "images" / r["image"], shifted / "masks" / r["image"]))
    return out


TOOLS = {"snap": ("snap, S=16", snap_action), "snapsz": ("snap, sized", snap_sized_action),
         "brush": ("brush", brush_action), "wandraw": ("embedding wand, no refinement", wand_raw_action),
         "wandemb": ("embedding wand + refinement", wand_emb_action),
         "wandref": ("margin wand + refinement", wand_ref_action), "wand": ("margin wand (shipped)", wand_action)}
WITHIN = 10  # the share of images that reach the target within this many actions


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shifted", type=Path, default=Path("/tmp/shifted_test"),
                    help="shifted copies of the split (made with make_shifted_val.py if missing)")
    ap.add_argument("--no-shifted", action="store_true", help="the split only")
    ap.add_argument("--split", default="test", help="test, or val to tune the wand's threshold")
    ap.add_argument("--tools", default="snapsz,brush,wandraw,wandemb,wandref,wand", help=f"of {','.join(TOOLS)}")
    ap.add_argument("--threshold", type=float, help="the wand's similarity threshold (default: the shipped one)")
    ap.add_argument("--cap", type=int, default=40)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"needs {DATA}")
    shifted = None if a.no_shifted else a.shifted
    if shifted is not None and not (shifted / "labels.csv").is_file():
        subprocess.run([sys.executable, "-m", "training.data.make_shifted_val", "--split", a.split, "--out", str(shifted)],
                       cwd=ROOT, check=True)
    tools = [t for t in a.tools.split(",") if t]
    seg = Segmenter.load("default", device="cpu")
    per: dict[str, dict[str, list]] = {}
    t0 = time.perf_counter()
    for group, name, ip, mp in items(shifted, a.split):
        rgb = read_image(ip).pixels
        gt = read_mask(mp, rgb.shape[:2])
        res = seg.segment(rgb)
        g = per.setdefault(group, {"start": [], **{k: [] for t in tools for k in (t, f"{t}_ok")}})
        g["start"].append(score(res.class_map, gt))
        for t in tools:
            extra = {"nodes": res.nodes, "threshold": a.threshold} if t.startswith("wand") else {}
            n, _, ok = correct(res.class_map, gt, rgb, res.scale, TOOLS[t][1], a.cap, **extra)
            g[t].append(n)
            g[f"{t}_ok"].append(ok)
    print(f"effort to mean Dice (nucleus, cytoplasm) >= {TARGET}: actions per image (cap {a.cap}); "
          f"{time.perf_counter() - t0:.0f} s\n")
    ratios = [t for t in tools if t != "brush"] if "brush" in tools else []
    print("| set | images | start score | " + " | ".join(f"{TOOLS[t][0]}: mean / median actions (reached; within {WITHIN})"
                                                       for t in tools)
          + "".join(f" | {TOOLS[t][0]} / brush" for t in ratios) + " |")
    print("|---" * (3 + len(tools) + len(ratios)) + "|")
    summary = {}

    def line(label: str, g: dict) -> None:
        arr = {t: np.array(g[t]) for t in tools}
        row = {"images": len(g["start"]), "start_score": float(np.mean(g["start"]))}
        cells = []
        for t in tools:
            ok = np.array(g[f"{t}_ok"], bool)
            within = int((ok & (arr[t] <= WITHIN)).sum())
            row.update({f"{t}_mean": float(arr[t].mean()), f"{t}_median": float(np.median(arr[t])),
                        f"{t}_reached": int(ok.sum()), f"{t}_within{WITHIN}": within})
            cells.append(f"{arr[t].mean():.1f} / {np.median(arr[t]):.0f} ({int(ok.sum())}/{len(ok)}; {within})")
        rs = []
        for t in ratios:
            br = arr["brush"].mean()
            r = arr[t].mean() / br if br else float("nan")
            row[f"{t}_over_brush"] = float(r)
            rs.append(f"{r:.2f}")
        summary[label] = row
        print(f"| {label} | {row['images']} | {row['start_score']:.3f} | " + " | ".join(cells + rs) + " |")

    for label, g in per.items():
        line(label, g)
    allsh = {k: sum((g[k] for n, g in per.items() if n.startswith("shifted:")), [])
             for k in per[next(iter(per))]}
    if allsh["start"]:
        line("all shifted copies", allsh)
    if a.json:
        a.json.write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
