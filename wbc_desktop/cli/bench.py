"""``wbc-desktop bench``: the issue's speed and memory figures, SMGNN beside the U-Net reference.

Figures are printed, not asserted: timing targets are checked by reading this output.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from wbc_desktop.core.segmentation.augment import resize
from wbc_desktop.core.errors import ModelError
from wbc_desktop.core.io.atomic import atomic_write_text
from wbc_desktop.core.io.images import list_images, read_image
from wbc_desktop.core.io.paths import samples_dir
from wbc_desktop.core.cells.views import describe_info


def _crops(folder: str | None) -> list[np.ndarray]:
    if folder:
        files = list_images([folder])
    else:
        fx = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "cellavision" / "images"
        files = list_images([fx]) if fx.is_dir() else [samples_dir() / "single_cell_cellavision_001.png"]
    return [resize(read_image(f).pixels, (300, 300)) for f in files[:10]]


def _field(w: int, h: int) -> np.ndarray:
    """A big field at a real microscope's scale: a mosaic of the bundled 640x480 fields, mirrored
    alternately, so red cells keep their true size (upscaling one field would fake a low magnification).
    """
    tiles = [read_image(samples_dir() / n).pixels for n in ("smear_field_bccd_00010.jpg", "smear_field_bccd_00071.jpg")]
    th, tw = tiles[0].shape[:2]
    rows = []
    for r in range(-(-h // th)):
        row = []
        for c in range(-(-w // tw)):
            t = tiles[(r + c) % 2]
            row.append(t[:, ::-1] if c % 2 else t)
        rows.append(np.concatenate(row, 1))
    return np.ascontiguousarray(np.concatenate(rows, 0)[:h, :w])


def time_crops(seg, crops: list[np.ndarray], repeat: int) -> dict[str, float]:
    for c in crops[:2]:
        seg.segment(c)  # warm-up
    parts: dict[str, list[float]] = {}
    totals = []
    for i in range(repeat):
        c = crops[i % len(crops)]
        t = time.perf_counter()
        r = seg.segment(c)
        totals.append((time.perf_counter() - t) * 1e3)
        for k in ("superpixels", "graph", "model", "scale"):
            parts.setdefault(k, []).append(r.timings_ms.get(k, 0.0))
    out = {f"{k}_ms": statistics.median(v) for k, v in parts.items()}
    out["total_ms"] = statistics.median(totals)
    return out


def time_field(seg, w: int, h: int, repeat: int = 3) -> float:
    img = _field(w, h)
    seg.segment(img)
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        seg.segment(img)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


_RSS_CHILD = """
import resource, sys, json
from wbc_desktop.core.segmentation.segmenter import Segmenter
from wbc_desktop.cli.bench import _field
seg = Segmenter.load(sys.argv[1], device=sys.argv[2])
img = _field(4000, 3000)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
r = seg.segment(img)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"peak_rss_mb": peak / 1024, "before_mb": before / 1024, "crops": len(r.crops)}))
"""


def peak_rss_field(model: str, device: str) -> dict:
    """Peak resident memory of a fresh process that segments one 4000x3000 field."""
    root = str(Path(__file__).resolve().parents[2])
    p = subprocess.run([sys.executable, "-c", _RSS_CHILD, model, device], capture_output=True, text=True,
                       cwd=root, timeout=600)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def bench_model(name: str, device: str, crops, repeat: int) -> dict:
    from wbc_desktop.core.segmentation.segmenter import Segmenter

    seg = Segmenter.load(name, device=device)
    res: dict[str, Any] = {"model": seg.info(), "device": seg.device_name, "crop_300": time_crops(seg, crops, repeat)}
    res["field_1920x1440_s"] = time_field(seg, 1920, 1440)
    res["field_4000x3000"] = peak_rss_field(name, device)
    return res


def bench_analyze(model: str, device: str, repeat: int = 5) -> dict:
    """Whole ``analyze`` (segment, cells, types) of a 640x480 field, and classifier ms per cell."""
    from wbc_desktop.core.pipeline import Pipeline

    pipe = Pipeline.load(model, "default", device=device)
    img = read_image(samples_dir() / "smear_field_bccd_00010.jpg")
    pipe.analyze(img)

    def timed() -> tuple[float, float | None, int]:
        totals, per_cell, n = [], [], 0
        for _ in range(repeat):
            a = pipe.analyze(img)
            totals.append(a.timings_ms["total"])
            n = len(a.cells)
            if a.cells:
                per_cell.append(a.timings_ms["classify"] / len(a.cells))
        return statistics.median(totals), (statistics.median(per_cell) if per_cell else None), n

    total, per_cell, n = timed()
    res = {"analyze_640x480_ms": total, "classify_ms_per_cell": per_cell, "cells": n,
           "classifier": pipe.classifier.info() if pipe.classifier else None}
    if pipe.classifier is not None and pipe.classifier.recheck_below is not None:
        # the card's policy costs more for unsure cells: the one-view figure shows what is fixed cost
        pipe.classifier.set_views(1)
        res["analyze_640x480_ms_one_view"], res["classify_ms_per_cell_one_view"], _ = timed()
        pipe.classifier.set_views(0)
    return res


def run_bench(args: argparse.Namespace) -> int:
    import torch

    crops = _crops(args.images)
    report: dict[str, Any] = {"torch_threads": torch.get_num_threads(), "models": {}}
    try:
        report["analyze"] = bench_analyze(args.model, args.device)
    except ModelError as e:
        report["analyze"] = {"error": str(e)}
    for name in [args.model, args.reference]:
        try:
            report["models"][name] = bench_model(name, args.device, crops, args.repeat)
        except ModelError as e:
            report["models"][name] = {"error": str(e)}
    print(format_report(report))
    if args.json:
        atomic_write_text(args.json, json.dumps(report, indent=2) + "\n")
    return 0


def format_report(report: dict) -> str:
    lines = [f"torch threads: {report['torch_threads']}"]
    hdr = f"{'model':<18}{'params':>9}{'scale':>7}{'SP ms':>8}{'graph':>8}{'model':>8}{'total':>8}{'1920x1440 s':>13}{'4000x3000 RSS MB':>18}  device"
    lines.append(hdr)
    for name, r in report["models"].items():
        if "error" in r:
            lines.append(f"{name:<18}  {r['error']}")
            continue
        c = r["crop_300"]
        rss = r["field_4000x3000"].get("peak_rss_mb", float("nan"))
        lines.append(
            f"{name:<18}{r['model']['params']:>9}{c.get('scale_ms', 0):>7.1f}{c.get('superpixels_ms', 0):>8.1f}{c.get('graph_ms', 0):>8.1f}"
            f"{c['model_ms']:>8.1f}{c['total_ms']:>8.1f}{r['field_1920x1440_s']:>13.2f}{rss:>18.0f}  {r['device']}"
        )
    lines.append("(ms per 300x300 image, medians; 'total' is the whole segment() call incl. scale estimate and resampling)")
    an = report.get("analyze", {})
    if "error" in an:
        lines.append(f"analyze: {an['error']}")
    elif an:
        pc = an["classify_ms_per_cell"]
        ci = an.get("classifier") or {}
        policy = describe_info(ci) if ci else "none"
        lines.append(f"analyze 640x480 field (segment + cells + types): {an['analyze_640x480_ms']:.0f} ms; "
                     f"classifier {'n/a' if pc is None else f'{pc:.1f}'} ms per cell ({an.get('cells', '?')} cell(s), "
                     f"{policy})")
        if "analyze_640x480_ms_one_view" in an:
            p1 = an["classify_ms_per_cell_one_view"]
            lines.append(f"  with one view per cell: {an['analyze_640x480_ms_one_view']:.0f} ms; "
                         f"classifier {'n/a' if p1 is None else f'{p1:.1f}'} ms per cell")
    return "\n".join(lines)
