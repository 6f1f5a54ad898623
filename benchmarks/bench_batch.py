"""Batch figures for issue 16: memory flat in the number of images, worker scaling, overhead, a slide.

    python -m benchmarks.bench_batch [--images DIR] [--only memory,workers,slide] [--json OUT]

- memory: peak RSS of one ``analyze`` process for 60 and for 600 images (the same few images
  repeated through symbolic links), target 600 <= 1.1 x 60;
- workers: images/s on a LocalCluster of 1 and of 2 single-threaded workers (models loaded and
  warm before the clock starts), target >= 1.8 x; and the per-image overhead of the batch (wall
  time per image minus the task's own time) as a share of the pipeline's time, target <= 10 %;
- slide: a synthetic 20k x 20k tiled BigTIFF (``training.make_slide``) analysed in tiles in one
  process: time and peak RSS, target <= 2 GB.
Each figure is measured in a fresh process. The machine may be shared: the report says its load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from training.lib.paths import DATA, REPO

ROOT = REPO  # the repository root (training.lib.paths)

PBC = DATA / "pbc"


def _peak_child(code: str) -> dict:
    """Run ``code`` in a fresh Python; it prints a JSON line last; add its peak RSS in MB."""
    wrapped = code + "\nimport resource, json as _j\nprint(_j.dumps({**RESULT, 'peak_mb': " \
                     "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
    r = subprocess.run([sys.executable, "-c", wrapped], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(r.stderr[-3000:])
    return json.loads(r.stdout.strip().splitlines()[-1])


def _sources(images: str | None, n: int) -> list[Path]:
    if images:
        src = sorted(p for p in Path(images).iterdir() if p.suffix.lower() in (".jpg", ".png"))
    elif PBC.is_dir():
        # PBC's neutrophil folder holds a hidden '.DS_*.jpg' that is no image: leave hidden files out
        src = [p for c in sorted(PBC.iterdir()) for p in sorted(q for q in c.glob("*.jpg") if not q.name.startswith("."))[:3]]
    else:
        src = sorted((ROOT / "tests" / "fixtures" / "cellavision" / "images").glob("*.png"))
    return src[:n]


def _folder(tmp: Path, name: str, src: list[Path], n: int) -> Path:
    d = tmp / name
    d.mkdir()
    for i in range(n):
        s = src[i % len(src)]
        os.symlink(s, d / f"{i:05d}_{s.name}")
    return d


def bench_memory(tmp: Path, src: list[Path]) -> dict:
    out = {}
    for n in (60, 600):
        d = _folder(tmp, f"mem{n}", src, n)
        t = time.perf_counter()
        r = _peak_child(f"from wbc_desktop.cli import main\nrc = main(['analyze', {str(d)!r}, '--out', "
                        f"{str(tmp / f'out{n}')!r}, '--device', 'cpu'])\nRESULT = {{'rc': rc}}")
        out[n] = {"peak_mb": round(r["peak_mb"], 1), "seconds": round(time.perf_counter() - t, 1)}
        print(f"memory: {n} images: peak {r['peak_mb']:.0f} MB, {out[n]['seconds']} s", flush=True)
    out["ratio_600_to_60"] = round(out[600]["peak_mb"] / out[60]["peak_mb"], 3)
    return out


WORKERS = """
import time
from pathlib import Path
from wbc_desktop.core.batch.cluster import open_client
from wbc_desktop.core.batch.job import BatchSettings, warm
from wbc_desktop.core.batch.runner import run_batch
from wbc_desktop.core.batch import records
from wbc_desktop.core.io.images import list_images
files = list_images([{folder!r}])
s = BatchSettings(device='cpu', threads=1)
with open_client(workers={n}) as c:
    c.run(warm, s)  # models loaded on every worker before the clock starts
    t = time.perf_counter()
    rep = run_batch(files, Path({out!r}), s, client=c, say=lambda x: None)
    wall = time.perf_counter() - t
import json
recs = [json.loads(p.read_text()) for p in (records.record_path(Path({out!r}), f) for f in files) if p.is_file()]
RESULT = {{'images': len(files), 'wall_s': wall, 'pipeline_ms': sum(r['ms'] for r in recs) / len(recs),
          'task_ms': sum(r['task_ms'] for r in recs) / len(recs)}}
"""


def bench_workers(tmp: Path, src: list[Path], n_images: int) -> dict:
    d = _folder(tmp, "workers", src, n_images)
    out = {}
    for n in (1, 2):
        r = _peak_child(WORKERS.format(folder=str(d), n=n, out=str(tmp / f"w{n}")))
        ips = r["images"] / r["wall_s"]
        per_image_ms = r["wall_s"] * 1e3 / r["images"]
        out[n] = {"images_per_s": round(ips, 3), "pipeline_ms": round(r["pipeline_ms"], 1),
                  "task_ms": round(r["task_ms"], 1), "wall_ms_per_image": round(per_image_ms, 1)}
        if n == 1:  # one worker: every ms of wall time not spent inside a task is the batch's overhead
            out["overhead_ms_per_image"] = round(per_image_ms - r["task_ms"], 1)
            out["overhead_share_of_pipeline"] = round((per_image_ms - r["pipeline_ms"]) / r["pipeline_ms"], 3)
            out["cluster_overhead_share"] = round((per_image_ms - r["task_ms"]) / r["pipeline_ms"], 3)
        print(f"workers: {n}: {ips:.2f} images/s ({r['pipeline_ms']:.0f} ms pipeline, {r['task_ms']:.0f} ms task, "
              f"{per_image_ms:.0f} ms wall per image)", flush=True)
    out["speedup_2_vs_1"] = round(out[2]["images_per_s"] / out[1]["images_per_s"], 3)
    return out


def bench_slide(tmp: Path, side: int, cells: int) -> dict:
    from training.data.make_slide import make_slide
    from wbc_desktop.core.io.images import list_images

    slide = tmp / "slide.tif"
    n = make_slide(slide, side, cells, list_images([ROOT / "tests" / "fixtures" / "cellavision" / "images"]))
    t = time.perf_counter()
    r = _peak_child(f"from wbc_desktop.cli import main\nrc = main(['analyze', {str(slide)!r}, '--out', "
                    f"{str(tmp / 'slide_out')!r}, '--device', 'cpu'])\nRESULT = {{'rc': rc}}")
    secs = time.perf_counter() - t
    found = len((tmp / "slide_out" / "cells.csv").read_text().splitlines()) - 1
    print(f"slide: {side}x{side} px, {n} cells pasted, {found} rows: {secs:.0f} s, peak {r['peak_mb']:.0f} MB", flush=True)
    return {"side": side, "cells_pasted": n, "rows": found, "seconds": round(secs, 1), "peak_mb": round(r["peak_mb"], 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", help="folder of single-cell images to repeat (default: 24 PBC images)")
    ap.add_argument("--only", default="memory,workers,slide")
    ap.add_argument("--worker-images", type=int, default=60)
    ap.add_argument("--side", type=int, default=20000)
    ap.add_argument("--cells", type=int, default=100)
    ap.add_argument("--json")
    a = ap.parse_args()
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} at start (other sessions share it)", flush=True)
    res: dict = {"cores": os.cpu_count(), "load_at_start": round(load[0], 1)}
    src = _sources(a.images, 24)
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        parts = a.only.split(",")
        if "memory" in parts:
            res["memory"] = bench_memory(tmp, src)
        if "workers" in parts:
            res["workers"] = bench_workers(tmp, src, a.worker_images)
        if "slide" in parts:
            res["slide"] = bench_slide(tmp, a.side, a.cells)
    res["load_at_end"] = round(os.getloadavg()[0], 1)
    print(f"load average {res['load_at_end']:.1f} at end")
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
