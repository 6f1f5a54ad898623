"""Benchmark: a person's type -> the whole batch typed again by the examples (target: ≤ 1 s).

``python -m benchmarks.gui_learner [--cells 2000] [--types 10]`` builds the real
window with the real model process (shipped models, CPU), fills it with the synthetic analysed
fields of the gallery benchmark whose cells carry 128-value embeddings in the shipped classifier's
space (clustered by type, as a lab's cells are), then types cells one at a time as a person would
and times each from the key to the batch's new types applied in the window (the request crosses
to the model process and back, ``gui/tools/learner.py``).
"""

from __future__ import annotations

import argparse
import os
import time

TYPES = ("neutrophil", "lymphocyte", "monocyte", "eosinophil", "basophil")


def bench(window, fields, n_types: int) -> dict:
    import numpy as np
    from PySide6.QtWidgets import QApplication

    from wbc_desktop.gui.document import ImageEntry
    from wbc_desktop.gui.viewer.prepare import prepare

    app = QApplication.instance()
    c = window.controller
    runner, doc, learner = c.runner, c.doc, window.edit_tools.learner
    while runner.pipeline is None and runner.loading:
        app.processEvents()
        time.sleep(0.01)
    info = runner.pipeline.models_info()["classifier"]
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(len(TYPES), 128)).astype(np.float32)
    truth = {}
    for image, a in fields:
        a.models = {"classifier": {"name": info["name"], "version": info["version"]}}
        for cell in a.cells:
            t = int(rng.integers(len(TYPES)))
            cell.embedding = np.maximum(centres[t] + rng.normal(0, 1.0, 128).astype(np.float32), 0)
            truth[(image.path.name, cell.cell_id)] = TYPES[t]
        doc.entries.append(ImageEntry(image.path))
        doc.set_result(image.path, image, a, display=prepare(image.pixels, a))
    doc.entriesChanged.emit()
    app.processEvents()
    times = []
    picks = [(i, cell) for i, e in enumerate(doc.entries) for cell in e.analysis.cells]
    order = rng.permutation(len(picks))[:n_types]
    for k in order:
        i, cell = picks[int(k)]
        doc.set_current(i)
        done: list[int] = []
        learner.done.connect(done.append)
        t0 = time.perf_counter()
        c.reclassify([cell.cell_id], truth[(doc.entries[i].path.name, cell.cell_id)])
        while not done and time.perf_counter() - t0 < 60:
            app.processEvents()
        times.append((time.perf_counter() - t0) * 1e3)
        learner.done.disconnect(done.append)
    right = sum(cell.final_type == truth[(doc.entries[i].path.name, cell.cell_id)] for i, cell in picks)
    in_order = [round(t) for t in times]
    times.sort()
    return {"cells": len(picks), "typed": len(times), "median_ms": times[len(times) // 2], "max_ms": times[-1],
            "all_ms": in_order, "right_after": right / len(picks)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=2000)
    ap.add_argument("--per-image", type=int, default=50)
    ap.add_argument("--types", type=int, default=10, help="cells typed one after another")
    args = ap.parse_args(argv)
    from benchmarks.fresh_window import fresh_window
    from benchmarks.gui_gallery import _fields

    app, win = fresh_window()
    win.controller.runner.load_pipeline("cpu")
    m = bench(win, _fields(args.cells, args.per_image), args.types)
    print(f"type by example: {m['cells']} cells; {m['typed']} types one after another, each until the batch's "
          f"new types are in the window: median {m['median_ms']:.0f} ms, worst {m['max_ms']:.0f} ms (target <= 1 s); "
          f"in order {m['all_ms']}; cells right afterwards {100 * m['right_after']:.0f}% (synthetic clusters); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    win.controller.runner.shutdown()
    win.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
