"""Benchmark: the batch gallery with 2,000 cells (targets: opens in ≤ 1 s, no scroll stall > 50 ms).

``python -m benchmarks.gui_gallery [--cells 2000] [--per-image 50]`` builds the real window
(no models), fills it with synthetic analysed fields (their display data made beforehand, as the
worker does), then times switching the gallery to *whole batch* until the first screen is painted,
and scrolls the whole grid top to bottom in wheel-sized steps every 16 ms while a 10 ms timer on
the GUI thread measures the longest gap between its beats (the worst stall a user would feel).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def _fields(n_cells: int, per_image: int):
    """(ImageData, Analysis) pairs of synthetic fields with ``per_image`` cells each."""
    from wbc_desktop.core.io.images import ImageData
    from benchmarks.gui_window import synthetic_field

    import numpy as np

    rng = np.random.default_rng(1)
    types = ["neutrophil", "lymphocyte", "monocyte", "eosinophil", "basophil", "unidentified"]
    out, k = [], 0
    side = int(np.ceil(np.sqrt(per_image))) * 120
    while k < n_cells:
        image, a = synthetic_field(side, side, 120)
        a.cells = a.cells[:min(per_image, n_cells - k)]
        for c in a.cells:
            c.cell_type = str(rng.choice(types))
            c.confidence = float(rng.uniform(0.3, 1.0))
        name = f"field_{len(out):03d}.png"
        out.append((ImageData(image.pixels, Path(name)), a))
        k += len(a.cells)
    return out


def bench_gallery(window, fields) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    from benchmarks.heartbeat import Heartbeat
    from wbc_desktop.gui.document import ImageEntry
    from wbc_desktop.gui.viewer.prepare import prepare

    app = QApplication.instance()
    doc = window.controller.doc
    for image, a in fields:  # what the worker hands over: analysis + display data
        doc.entries.append(ImageEntry(image.path))
        doc.set_result(image.path, image, a, display=prepare(image.pixels, a))
    doc.entriesChanged.emit()
    window.actions_.show_gallery.trigger()
    app.processEvents()
    batch = window.batch_gallery
    t0 = time.perf_counter()
    window.scoped_gallery.set_batch(True)
    batch.view.viewport().repaint()
    app.processEvents()
    opened = time.perf_counter() - t0
    n = len(batch.model.rows)
    bar = batch.view.verticalScrollBar()
    beat = Heartbeat(10)
    step = max(1, batch.view.gridSize().height())  # one row of thumbnails per wheel notch
    steps, worst_cpu = 0, 0.0
    t1 = time.perf_counter()
    while bar.value() < bar.maximum():
        c0 = time.thread_time()  # the GUI thread's own CPU time: the work, apart from the machine's load
        bar.setValue(bar.value() + step)
        app.processEvents()
        worst_cpu = max(worst_cpu, time.thread_time() - c0)
        steps += 1
        end = time.perf_counter() + 0.016
        while time.perf_counter() < end:
            app.processEvents()
    scroll_s = time.perf_counter() - t1
    worst = beat.stop()
    gaps = sorted(beat.gaps)
    p99 = gaps[int(0.99 * (len(gaps) - 1))] if gaps else 0.0
    over = sum(1 for g in gaps if g > 50)
    return {"cells": n, "images": len(fields), "open_s": opened, "worst_stall_ms": worst, "scroll_steps": steps,
            "scroll_s": scroll_s, "p99_gap_ms": p99, "gaps_over_50ms": over, "beats": len(gaps),
            "worst_step_cpu_ms": worst_cpu * 1e3, "thumbnails_made": len(batch.model._icons)}


def bench_project_open(window, n_images: int, cells_per_image: int, folder: Path) -> dict[str, float]:
    """A project of ``n_images`` analysed synthetic fields, opened in ``window``: time to the
    open call's return, to every stored analysis in the Document, and the worst GUI gap meanwhile."""
    from PySide6.QtWidgets import QApplication

    from wbc_desktop.core.io.atomic import write_png_atomic
    from wbc_desktop.core.project.project import Project
    from benchmarks.heartbeat import Heartbeat

    app = QApplication.instance()
    p = Project.create(folder / "project", user="bench")
    (folder / "images").mkdir(exist_ok=True)
    for image, a in _fields(n_images * cells_per_image, cells_per_image):
        path = folder / "images" / image.path.name
        write_png_atomic(path, image.pixels)
        p.save_analysis(p.add_image(path), a)
    p.close()
    s = window.project_session
    done: list[float] = []
    s.loaded.connect(lambda: done.append(time.perf_counter()))
    beat = Heartbeat(10)
    t0 = time.perf_counter()
    s.open(folder / "project")
    returned = time.perf_counter() - t0
    while not done and time.perf_counter() - t0 < 600:
        app.processEvents()
    worst = beat.stop()
    out = {"images": len(window.controller.doc.entries), "returned_s": returned,
           "loaded_s": (done[0] - t0) if done else float("nan"), "worst_stall_ms": worst}
    s.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=2000)
    ap.add_argument("--per-image", type=int, default=50)
    ap.add_argument("--project-images", type=int, default=200, help="also time opening a project of this many "
                    "analysed images (0: skip)")
    args = ap.parse_args(argv)
    from benchmarks.fresh_window import fresh_window

    app, win = fresh_window(lambda d: None)
    m = bench_gallery(win, _fields(args.cells, args.per_image))
    print(f"batch gallery: {m['cells']} cells in {m['images']} images (Qt platform "
          f"{app.platformName()})", flush=True)
    print(f"open (scope -> whole batch, first screen painted): {m['open_s']:.3f} s  (target <= 1 s)", flush=True)
    print(f"scroll top to bottom: {m['scroll_steps']} steps in {m['scroll_s']:.1f} s, worst GUI stall "
          f"{m['worst_stall_ms']:.1f} ms  (target <= 50 ms); 99th percentile gap {m['p99_gap_ms']:.1f} ms; "
          f"{m['gaps_over_50ms']} of {m['beats']} gaps over 50 ms; {m['thumbnails_made']} thumbnails framed on demand",
          flush=True)
    print(f"worst GUI-thread CPU time of one scroll step (repaint + new thumbnails): {m['worst_step_cpu_ms']:.1f} ms; "
          f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    if args.project_images:
        pm = bench_project_open(win, args.project_images, 10, Path(tempfile.mkdtemp()))
        print(f"project of {pm['images']} analysed images: open returns in {pm['returned_s']:.2f} s, every "
              f"analysis in the window after {pm['loaded_s']:.1f} s (read in the background), worst GUI stall "
              f"{pm['worst_stall_ms']:.0f} ms; load average {os.getloadavg()[0]:.1f}", flush=True)
    win.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
