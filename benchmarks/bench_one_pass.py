"""Issue 26's figures in one run, each beside scikit-image's SLIC (S = 16) on the same images.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 python -m benchmarks.bench_one_pass [--quick] [--skip-memory] [--json OUT]

The reference is ``skimage.segmentation.slic(rgb, n_segments=h*w/16, compactness=10, start_label=0)``
with scikit-image's defaults otherwise (10 iterations, connectivity enforced, Lab), on the input image.
Each image is timed as SLIC then ``analyze`` back to back, so load on this shared machine hits both.

- analyze per 300x300 cellavision test image / SLIC (target <= 0.6);
- analyze per 300x300 stain-shifted crop (the ``_hed`` copies of ``training.data.make_shifted_val --split test``) / SLIC (<= 0.6);
- a 1920x1440 field (the mosaic of ``cli/bench.py``) / SLIC (<= 0.4);
- unfamiliar (the ``_hed`` copies) / familiar (their sources), analyze time per image (<= 1.2);
- peak RSS of a fresh process analysing a 4000x3000 field (<= 1.5 GB);
- peak RSS of ``wbc-desktop analyze`` over 600 images / over 60, for PBC test images (familiar) and for
  stain-shifted copies of them (HED shift, three sizes; unfamiliar), each in a fresh process (<= 1.1);
- per set, how often the first look glanced twice and how often an image was segmented more than once.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

from training.lib.paths import DATA, REPO

ROOT = REPO  # the repository root (training.lib.paths)
CELLAVISION = DATA / "wbc-seg-cellavision"
SHIFTED = Path("/work/cache/shifted_test")  # python -m training.data.make_shifted_val --split test --out (this)
PBC = DATA / "pbc"
SPLIT = ROOT / "training" / "data" / "splits" / "pbc_split.csv"


def slic_reference(rgb: np.ndarray) -> np.ndarray:
    from skimage.segmentation import slic

    h, w = rgb.shape[:2]
    return slic(rgb, n_segments=max(1, h * w // 16), compactness=10, start_label=0)


def _cellavision_test() -> list[Path]:
    rows = csv.DictReader(open(CELLAVISION / "labels.csv", newline=""))
    return [CELLAVISION / "images" / r["image"].strip() for r in rows if r["split"].strip() == "test"]


def _hed_copies() -> list[Path]:
    if not SHIFTED.is_dir():
        raise SystemExit(f"{SHIFTED} missing: python -m training.data.make_shifted_val --split test --out {SHIFTED}")
    return sorted((SHIFTED / "images").glob("*_hed.png"))


def time_set(pipe, images: list[np.ndarray], repeat: int) -> dict:
    """SLIC then analyze on each image, ``repeat`` rounds; sums, ratio and the pass counts."""
    from wbc_desktop.core.io.images import ImageData

    for rgb in images:  # warm-up round: lazy model loads (the stain-robust classifier, a card's second
        pipe.analyze(ImageData(rgb))  # opinion) and first-call costs stay out of the timings
    slic_reference(images[0])
    t_slic, t_an, glanced_twice, passes, flagged = [], [], 0, [], 0
    for r in range(repeat):
        for rgb in images:
            t = time.perf_counter()
            slic_reference(rgb)
            t_slic.append(time.perf_counter() - t)
            t = time.perf_counter()
            a = pipe.analyze(ImageData(rgb))
            t_an.append(time.perf_counter() - t)
            if r == 0:
                glanced_twice += int(a.timings_ms.get("glances", 0) >= 2)
                passes.append(int(a.timings_ms.get("segment_passes", 0)))
                flagged += int(a.familiarity is not None and a.familiarity < 0.5)
    return {"n": len(images), "repeat": repeat, "slic_s": sum(t_slic) / len(t_slic), "analyze_s": sum(t_an) / len(t_an),
            "ratio": sum(t_an) / sum(t_slic), "glanced_twice": glanced_twice,
            "segmented_more_than_once": sum(p > 1 for p in passes), "passes_known": all(passes), "flagged": flagged}


_FIELD_CHILD = """
import resource, json
from wbc_desktop.core.pipeline import Pipeline
from wbc_desktop.core.io.images import ImageData
from wbc_desktop.cli.bench import _field
pipe = Pipeline.load("default", "default", device="cpu")
img = _field(4000, 3000)
a = pipe.analyze(ImageData(img))
print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "cells": len(a.cells)}))
"""

_BATCH_CHILD = """
import resource, json, sys, tempfile
from wbc_desktop.cli import main
with tempfile.TemporaryDirectory() as out:
    rc = main(["analyze", sys.argv[1], "--out", out, "--device", "cpu"])
rss = next(int(l.split()[1]) / 1024 for l in open("/proc/self/status") if l.startswith("VmRSS"))
print(json.dumps({"rc": rc, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "end_mb": rss}))
"""


def _child(code: str, *args: str) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    env.setdefault("PYTHONPATH", str(ROOT))  # a PYTHONPATH given (another tree: the baseline) is kept
    p = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, env=env)
    if p.returncode not in (0, 1):
        return {"error": (p.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def _pbc_test(n: int) -> list[Path]:
    rows = [r for r in csv.DictReader(open(SPLIT, newline="")) if r["split"] == "test"]
    rows = rows[:: max(1, len(rows) // n)][:n]
    return [PBC / r["image"] for r in rows]


def _stain_shifted(sources: list[Path], folder: Path) -> list[Path]:
    """HED-shifted copies (as make_shifted_val's ``_hed``: sigma 0.3, bias 0.03), at 0.62, 0.8 or 1x size."""
    from PIL import Image

    from wbc_desktop.core.imaging.stain import hed_jitter
    from wbc_desktop.core.io.images import read_image

    out = []
    for i, p in enumerate(sources):
        rng = np.random.default_rng(zlib.crc32(p.name.encode()))
        rgb = hed_jitter(read_image(p).pixels, alpha=rng.uniform(0.7, 1.3, 3), beta=rng.uniform(-0.03, 0.03, 3))
        im = Image.fromarray(rgb)
        f = (0.62, 0.8, 1.0)[i % 3]
        if f != 1.0:
            im = im.resize((round(im.width * f), round(im.height * f)), Image.LANCZOS)
        q = folder / f"{p.stem}_hed{i % 3}.png"
        im.save(q, compress_level=1)
        out.append(q)
    return out


def memory_ratio(files: list[Path], small: int, large: int) -> dict:
    """Peak RSS over ``large`` images and over ``small`` of them taken evenly from the same list (the
    same mix of classes and sizes: a peak set by one kind of image, e.g. a platelet crop sized as a
    white cell, must be in both), each run in a fresh process."""
    res = {}
    for n in (small, large):
        chosen = files[:: max(1, large // n)][:n] if n < large else files[:n]
        with tempfile.TemporaryDirectory() as d:
            for i in range(n):  # distinct names: each is a new image to the batch
                src = chosen[i % len(chosen)]
                os.symlink(src, Path(d) / f"{i:05d}_{src.name}")
            res[n] = _child(_BATCH_CHILD, d)
    ok = all("peak_mb" in v for v in res.values())
    return {**{str(k): v for k, v in res.items()}, "ratio": res[large]["peak_mb"] / res[small]["peak_mb"] if ok else None}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1 round of timings, memory over 30 and 300 images")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--memory-only", action="store_true", help="only the batch memory figures")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    import torch

    from wbc_desktop.cli.bench import _field
    from wbc_desktop.core.io.images import read_image
    from wbc_desktop.core.pipeline import Pipeline

    repeat = 1 if a.quick else a.repeat
    report: dict = {"load_before": os.getloadavg(), "torch_threads": torch.get_num_threads()}
    if a.memory_only:
        return _memory_only(a, report)
    pipe = Pipeline.load("default", "default", device="cpu")
    familiar = [read_image(p).pixels for p in _cellavision_test()]
    hed_paths = _hed_copies()
    hed = [read_image(p).pixels for p in hed_paths]
    sources = {p.name.split("_")[0] + ".png" for p in hed_paths}
    familiar_src = [read_image(CELLAVISION / "images" / s).pixels for s in sorted(sources)]
    report["cellavision"] = time_set(pipe, familiar, repeat)
    report["shifted"] = time_set(pipe, hed, repeat)
    report["field"] = time_set(pipe, [_field(1920, 1440)], repeat)
    report["unfamiliar_over_familiar"] = report["shifted"]["analyze_s"] / report["cellavision"]["analyze_s"]
    report["sources_are_the_test_images"] = len(familiar_src) == len(familiar)
    report["field_4000x3000"] = _child(_FIELD_CHILD)
    if not a.skip_memory:
        small, large = (30, 300) if a.quick else (60, 600)
        pbc = _pbc_test(large)
        report["memory_pbc"] = memory_ratio(pbc, small, large)
        with tempfile.TemporaryDirectory() as d:
            report["memory_shifted"] = memory_ratio(_stain_shifted(pbc, Path(d)), small, large)
    report["load_after"] = os.getloadavg()
    print(format_report(report))
    if a.json:
        a.json.write_text(json.dumps(report, indent=1) + "\n")
    return 0


def _memory_only(a, report: dict) -> int:
    small, large = (30, 300) if a.quick else (60, 600)
    pbc = _pbc_test(large)
    report["memory_pbc"] = memory_ratio(pbc, small, large)
    with tempfile.TemporaryDirectory() as d:
        report["memory_shifted"] = memory_ratio(_stain_shifted(pbc, Path(d)), small, large)
    report["load_after"] = os.getloadavg()
    print(json.dumps(report, indent=1))
    if a.json:
        a.json.write_text(json.dumps(report, indent=1) + "\n")
    return 0


def format_report(r: dict) -> str:
    def ok(v, target, le=True):
        return "met" if v is not None and (v <= target if le else v >= target) else "MISSED"

    lines = [f"load average before {r['load_before'][0]:.2f}, after {r['load_after'][0]:.2f}; torch threads {r['torch_threads']}"]
    for key, name, target in (("cellavision", "cellavision test 300x300", 0.6), ("shifted", "stain-shifted 300x300 (_hed)", 0.6),
                              ("field", "field 1920x1440", 0.4)):
        s = r[key]
        passes = (f"{s['segmented_more_than_once']}/{s['n']} segmented more than once" if s["passes_known"]
                  else "segmentation passes not recorded")
        lines.append(f"{name:32s} analyze {s['analyze_s'] * 1e3:8.0f} ms  SLIC {s['slic_s'] * 1e3:8.0f} ms  "
                     f"ratio {s['ratio']:.2f} (target <= {target}: {ok(s['ratio'], target)}); "
                     f"{s['glanced_twice']}/{s['n']} glanced twice, {passes}; {s['flagged']}/{s['n']} flagged")
    u = r["unfamiliar_over_familiar"]
    lines.append(f"unfamiliar / familiar per image: {u:.2f} (target <= 1.2: {ok(u, 1.2)})")
    f = r["field_4000x3000"]
    if "peak_mb" in f:
        lines.append(f"4000x3000 field, peak RSS of a fresh process: {f['peak_mb']:.0f} MB (target <= 1536: {ok(f['peak_mb'], 1536)})")
    else:
        lines.append(f"4000x3000 field: {f}")
    for key, name in (("memory_pbc", "PBC test (familiar)"), ("memory_shifted", "stain-shifted PBC copies")):
        if key in r:
            m = r[key]
            ks = [k for k in m if k != "ratio"]
            peaks = ", ".join(f"{k} images {m[k].get('peak_mb', float('nan')):.0f} MB (at the end "
                              f"{m[k].get('end_mb', float('nan')):.0f})" for k in ks)
            lines.append(f"analyze peak RSS, {name}: {peaks}; ratio {m['ratio'] or float('nan'):.3f} "
                         f"(target <= 1.1: {ok(m['ratio'], 1.1)})")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
