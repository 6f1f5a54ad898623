"""Measure WBC candidate finding (wbc_desktop.core.segmentation.candidates) on the shared data.

BCCD (all fields): recall of VOC WBC boxes (found = a candidate box holds the GT centre AND covers
>= 80 % of its area), false candidates per field, time per 640x480; big fields made by upscaling a
BCCD image (time, peak RSS growth, each size in a fresh subprocess); wbc-seg-cellavision crops:
exactly one candidate holding the centre WBC (its nucleus mask's centre).

    PYTHONPATH=$PWD nice -n 10 /work/main/.venv/bin/python -m training.eval.eval_candidates --out training/reports/segmenter/candidates.md
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import time
import zlib

import numpy as np
from PIL import Image

from training.lib.paths import DATA, REPO
from wbc_desktop.core.segmentation import candidates as C
from training.lib.voc import covers, read_voc_boxes
from wbc_desktop.core.imaging.stain import hed_jitter

DATA = str(DATA)


def voc_wbc(xml: str) -> list[list[int]]:
    return [[int(v) for v in b] for b in read_voc_boxes(xml, "WBC")]


def bccd(lines: list[str], stain: bool = False) -> None:
    paths = sorted(glob.glob(f"{DATA}/bccd/images/*.jpg"))
    found = n_gt = n_cand = n_false = 0
    small_gt = small_found = 0
    t, misses, extra = [], [], []
    areas, ratio, crop_frac = [], [], []
    for p in paths:
        a = np.asarray(Image.open(p).convert("RGB"))
        if stain:  # another lab's staining: strong HED shift, seeded per field
            a = hed_jitter(a, np.random.default_rng(zlib.crc32(os.path.basename(p).encode())), sigma=0.3, bias=0.03)
        gts = voc_wbc(p.replace("/images/", "/annotations/").rsplit(".", 1)[0] + ".xml")
        t0 = time.perf_counter()
        cands = C.find_candidates(a)
        t.append(time.perf_counter() - t0)
        hit = [any(covers(g, c.box) for c in cands) for g in gts]
        for g in gts:
            m = [c for c in cands if covers(g, c.box)]
            if m:
                b = m[0].box
                ratio.append((b[2] - b[0]) * (b[3] - b[1]) / ((g[2] - g[0]) * (g[3] - g[1])))
        crop_frac.append(sum((c.box[2] - c.box[0]) * (c.box[3] - c.box[1]) for c in cands) / (a.shape[0] * a.shape[1]))
        found += sum(hit)
        n_gt += len(gts)
        n_cand += len(cands)
        false = [c for c in cands if not any(covers(g, c.box) for g in gts)]
        n_false += len(false)
        for g in gts:
            areas.append((g[2] - g[0]) * (g[3] - g[1]))
            if (g[2] - g[0]) * (g[3] - g[1]) < 60 * 60:  # far smaller than any WBC here (~200 px)
                small_gt += 1
                small_found += any(covers(g, c.box) for c in cands)
        if not all(hit):
            misses.append(f"{os.path.basename(p)}: GT {gts} candidates {[c.box for c in cands]}")
        if false:
            extra.append(os.path.basename(p))
    lines += [f"- fields: {len(paths)}, GT WBC boxes: {n_gt} (of which {small_gt} smaller than 60x60 px, "
              f"median GT box area {np.median(areas):.0f} px2)",
              f"- **recall {found}/{n_gt} = {found / n_gt:.3f}**; without the {small_gt} tiny GT boxes: "
              f"{found - small_found}/{n_gt - small_gt} = {(found - small_found) / (n_gt - small_gt):.3f}",
              f"- candidates per field: {n_cand / len(paths):.2f}; false (covering no GT box): {n_false} in all, "
              f"{n_false / len(paths):.2f} per field, in {len(extra)} fields",
              f"- time per 640x480 field (scale estimate included): median {np.median(t) * 1e3:.1f} ms, "
              f"p95 {np.percentile(t, 95) * 1e3:.1f} ms",
              f"- crop size: matched candidate box area / GT box area: median {np.median(ratio):.2f} "
              f"(p10-p90 {np.percentile(ratio, 10):.2f}-{np.percentile(ratio, 90):.2f}); summed candidate area / field "
              f"area: median {np.median(crop_frac):.2f}", "", "Misses:", ""]
    lines += [f"- {m}" for m in misses] + [""]
    lines += [f"Fields with a false candidate: {', '.join(extra)}", ""]


def cellavision(lines: list[str]) -> None:
    paths = sorted(glob.glob(f"{DATA}/wbc-seg-cellavision/images/*.png"))
    exact = found = 0
    bad, extra = [], []
    counts = []
    for p in paths:
        a = np.asarray(Image.open(p).convert("RGB"))
        m = np.asarray(Image.open(p.replace("/images/", "/masks/")))
        m = m[..., 0] if m.ndim == 3 else m
        ys, xs = np.nonzero(m > 192)
        cy, cx = ys.mean(), xs.mean()
        cands = C.find_candidates(a)
        counts.append(len(cands))
        holding = [c for c in cands if c.box[0] <= cx < c.box[2] and c.box[1] <= cy < c.box[3]]
        # The whole cell (mask > 0) should be inside the crop.
        inside = 0.0
        if holding:
            x0, y0, x1, y1 = holding[0].box
            cell = m > 64
            inside = cell[y0:y1, x0:x1].sum() / max(cell.sum(), 1)
        ok = len(holding) == 1 and inside >= 0.95
        found += ok
        exact += ok and len(cands) == 1
        if not ok:
            bad.append(f"{os.path.basename(p)} ({len(holding)} holding the centre, {inside:.0%} of the cell inside)")
        if len(cands) > 1:
            extra.append(f"{os.path.basename(p)} {[c.box for c in cands]}")
    hist = {int(k): int(v) for k, v in zip(*np.unique(counts, return_counts=True))}
    lines += [f"- images: {len(paths)}; **centre WBC found whole (one candidate holds its nucleus centre and "
              f">= 95 % of its cell mask): {found}/{len(paths)}**; and it is the only candidate: {exact}/{len(paths)}; "
              f"candidates per image histogram {hist}",
              "", "Centre WBC not found whole: " + ("; ".join(bad) if bad else "none"), "",
              "Images with more than one candidate (check by eye: a second WBC cut by the border is a right answer): "
              + ("; ".join(extra) if extra else "none"), ""]


def big_child(size: str) -> None:
    import resource

    w, h = map(int, size.split("x"))
    src = np.asarray(Image.open(sorted(glob.glob(f"{DATA}/bccd/images/*.jpg"))[0]).convert("RGB"))
    a = np.asarray(Image.fromarray(src).resize((w, h), Image.BILINEAR))
    C.find_candidates(a[:64, :64])  # imports and first-call costs out of the timing
    del src
    # ru_maxrss cannot be reset and already holds the resize's temporaries, so also reset the
    # kernel's peak (VmHWM) via /proc/self/clear_refs and read the growth over the current RSS.
    def status(key: str) -> float:
        with open("/proc/self/status") as fh:
            return next(float(x.split()[1]) for x in fh if x.startswith(key)) / 1024

    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        hwm_ok = status("VmHWM:") <= status("VmRSS:") + 1
    except OSError:
        hwm_ok = False
    rss0 = status("VmRSS:")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ts, cpu = [], []
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        cands = C.find_candidates(a)
        ts.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"ms": float(np.median(ts) * 1e3), "min_ms": float(np.min(ts) * 1e3), "cpu_ms": float(np.median(cpu) * 1e3), "peak_extra_mb": (after - before) / 1024,
                      "hwm_extra_mb": status("VmHWM:") - rss0 if hwm_ok else None,
                      "image_mb": a.nbytes / 2**20, "n": len(cands), "boxes": [c.box for c in cands]}))


def big(lines: list[str]) -> None:
    lines += ["| field (BCCD 00000 upscaled) | wall time: median / min of 5 | CPU time (median) | ru_maxrss growth | peak RSS over RSS before the calls (VmHWM reset) | image itself | candidates |",
              "|---|---|---|---|---|---|---|"]
    for size in ("640x480", "1920x1440", "4000x3000"):
        r = subprocess.run([sys.executable, "-m", "training.eval.eval_candidates", "--child", size],
                           capture_output=True, text=True, env=os.environ, cwd=REPO)
        d = json.loads(r.stdout.strip().splitlines()[-1])
        lines.append(f"| {size} | {d['ms']:.0f} / {d['min_ms']:.0f} ms | {d['cpu_ms']:.0f} ms | {d['peak_extra_mb']:.0f} MB | {d['hwm_extra_mb'] if d['hwm_extra_mb'] is None else round(d['hwm_extra_mb'])} MB | {d['image_mb']:.0f} MB | {d['n']} {d['boxes']} |")
    lines.append("")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    ap.add_argument("--child")
    ap.add_argument("--pad", type=float, help="override candidates.PAD (for a sweep)")
    ap.add_argument("--timing", action="store_true", help="only time: 640x480 BCCD fields and the big fields")
    args = ap.parse_args()
    if args.pad is not None:
        C.PAD = args.pad
    if args.child:
        big_child(args.child)
        return
    if args.timing:
        t, cpu = [], []
        for p in sorted(glob.glob(f"{DATA}/bccd/images/*.jpg")):
            a = np.asarray(Image.open(p).convert("RGB"))
            t0, c0 = time.perf_counter(), time.process_time()
            C.find_candidates(a)
            t.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        L = [f"- BCCD 640x480, all {len(t)} fields: wall median {np.median(t) * 1e3:.1f} ms (p95 {np.percentile(t, 95) * 1e3:.1f}), "
             f"CPU median {np.median(cpu) * 1e3:.1f} ms (p95 {np.percentile(cpu, 95) * 1e3:.1f}); "
             f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", ""]
        big(L)
        print("\n".join(L))
        return
    L = ["# WBC candidates: measured", "",
         "Produced by `PYTHONPATH=$PWD nice -n 10 /work/main/.venv/bin/python -m training.eval.eval_candidates "
         f"--out training/reports/segmenter/candidates.md` (PAD={C.PAD}, shared 2-core CPU, no GPU).", "",
         "## BCCD, all fields (VOC WBC boxes)", ""]
    bccd(L)
    L += ["## BCCD, all fields, after a strong HED stain shift (hed_jitter sigma 0.3, bias 0.03, seed crc32(name))", ""]
    bccd(L, stain=True)
    L += ["## wbc-seg-cellavision crops (one WBC each)", ""]
    cellavision(L)
    L += ["## Big fields: time and memory (each size in a fresh process; RSS from resource.getrusage)", ""]
    big(L)
    text = "\n".join(L) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
