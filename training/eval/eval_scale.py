"""Measure the red-cell scale estimator (wbc_desktop.core.imaging.scale) on the shared data.

Prints a Markdown report (and writes it with --out): consistency on wbc-seg-cellavision,
equivariance under rescaling, PBC and BCCD distributions (BCCD against its VOC RBC boxes), timing.

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python -m training.eval.eval_scale --out training/reports/other-labs/scale_estimation.md
"""

from __future__ import annotations

import argparse
import glob
import os
import time

import numpy as np
from PIL import Image

from training.lib.paths import DATA
from training.lib.voc import read_voc_boxes
from wbc_desktop.core.imaging.scale import estimate_rbc_diameter

DATA = str(DATA)
SCALES = (0.4, 0.6, 1.0, 1.5)


def load(p: str) -> np.ndarray:
    return np.asarray(Image.open(p).convert("RGB"))


def rescale(a: np.ndarray, s: float) -> np.ndarray:
    if s == 1.0:
        return a
    h, w = a.shape[:2]
    return np.asarray(Image.fromarray(a).resize((max(1, round(w * s)), max(1, round(h * s))), Image.LANCZOS))


def est(a: np.ndarray) -> float:
    e = estimate_rbc_diameter(a)
    return float(e.diameter_px) if (e.ok and e.diameter_px) else float("nan")


def stats(v: np.ndarray) -> str:
    ok = v[np.isfinite(v)]
    if ok.size == 0:
        return f"n={v.size}, none measured"
    p5, q1, med, q3, p95 = np.percentile(ok, [5, 25, 50, 75, 95])
    return (f"n={v.size}, measured {ok.size} ({ok.size / v.size:.0%}), median {med:.1f} px, IQR {q1:.1f}-{q3:.1f}, "
            f"p5-p95 {p5:.1f}-{p95:.1f}, robust CV (IQR/1.35/median) {(q3 - q1) / 1.35 / med:.1%}")


def voc_rbc_diameter(xml: str, w: int, h: int) -> float:
    sizes = []
    for x0, y0, x1, y1 in read_voc_boxes(xml, "RBC"):
        if x0 > 2 and y0 > 2 and x1 < w - 3 and y1 < h - 3:  # cut boxes are not diameters
            sizes.append(((x1 - x0) + (y1 - y0)) / 2)
    return float(np.median(sizes)) if len(sizes) >= 2 else float("nan")


def equivariance(paths: list[str], lines: list[str], name: str) -> None:
    base = np.array([est(load(p)) for p in paths])
    lines.append(f"\n**{name}** ({len(paths)} images; base estimate measured on {np.isfinite(base).sum()}):\n")
    lines.append("| scale | measured | median est/(scale x base) | median abs % error | p90 abs % error |")
    lines.append("|---|---|---|---|---|")
    for s in SCALES:
        r = np.array([est(rescale(load(p), s)) / (s * b) if np.isfinite(b) else np.nan for p, b in zip(paths, base)])
        ok = r[np.isfinite(r)]
        err = np.abs(ok - 1) * 100
        lines.append(f"| {s} | {ok.size} | {np.median(ok):.3f} | {np.median(err):.1f} | {np.percentile(err, 90):.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    ap.add_argument("--pbc-per-class", type=int, default=15)
    args = ap.parse_args()
    L: list[str] = ["# Red-cell scale estimation: measured", "",
                    "Produced by `PYTHONPATH=$PWD nice -n 10 /work/main/.venv/bin/python -m training.eval.eval_scale "
                    "--out training/reports/other-labs/scale_estimation.md` (CPU, shared 2-core machine). "
                    "An image counts as measured when `ScaleEstimate.ok`.", ""]
    cv = sorted(glob.glob(f"{DATA}/wbc-seg-cellavision/images/*.png"))
    cvd = np.array([est(load(p)) for p in cv])
    L += ["## 1. Consistency on wbc-seg-cellavision (300x300 crops)", "", stats(cvd), ""]
    bc = sorted(glob.glob(f"{DATA}/bccd/images/*.jpg"))
    pbc = [p for c in sorted(glob.glob(f"{DATA}/pbc/*/")) for p in sorted(glob.glob(c + "*.jpg"))[: args.pbc_per_class]]
    L += ["## 2. Equivariance (image rescaled with Lanczos; ratio 1 is perfect)"]
    equivariance(cv, L, "wbc-seg-cellavision, all")
    equivariance(bc[::4], L, "BCCD, every 4th field")
    L += ["", "## 3. Other sources", ""]
    pd = np.array([est(load(p)) for p in pbc])
    L += [f"- PBC ({args.pbc_per_class} first files per class, 360x363): {stats(pd)}"]
    bd, ref = [], []
    for p in bc:
        a = load(p)
        bd.append(est(a))
        ref.append(voc_rbc_diameter(p.replace("/images/", "/annotations/").rsplit(".", 1)[0] + ".xml", a.shape[1], a.shape[0]))
    bd, ref = np.array(bd), np.array(ref)
    L += [f"- BCCD (all {len(bc)}, 640x480): {stats(bd)}",
          f"- BCCD VOC RBC boxes (median (w+h)/2 of uncut boxes per field): {stats(ref)}"]
    rr = bd / ref
    ok = rr[np.isfinite(rr)]
    L += [f"- BCCD estimate / VOC-box diameter per field: n={ok.size}, median {np.median(ok):.3f}, "
          f"p10-p90 {np.percentile(ok, 10):.3f}-{np.percentile(ok, 90):.3f}, "
          f"fields within 20% of (median ratio x box): {np.mean(np.abs(ok / np.median(ok) - 1) < 0.2):.0%}"]
    L += ["", "## 4. Time (median of 5 runs, single thread of a shared 2-core CPU)", ""]
    a0 = load(bc[0])
    for shape in ((480, 640), (1440, 1920), (3000, 4000)):
        a = a0 if shape == a0.shape[:2] else np.asarray(Image.fromarray(a0).resize(shape[::-1], Image.BILINEAR))
        t = []
        for _ in range(5):
            t0 = time.perf_counter()
            e = estimate_rbc_diameter(a)
            t.append(time.perf_counter() - t0)
        L.append(f"- {shape[1]}x{shape[0]}: {np.median(t) * 1e3:.0f} ms (estimate {e.diameter_px and round(e.diameter_px, 1)} px, {e.method})")
    text = "\n".join(L) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
