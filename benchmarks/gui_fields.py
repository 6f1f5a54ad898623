"""The window against ``wbc-desktop analyze`` on the same fields, in one run.

Why: a walk-through found each field taking several times longer in the window than in ``analyze``.
This opens the fields in the app (models already loaded in its model process) and times each one
from the open to its overlay, runs ``analyze`` on the same files in a subprocess (its time after the
models are loaded, to the last file written), and prints both per field with the worst GUI-thread
stall meanwhile. Called by :mod:`benchmarks.gui_window` (``python -m benchmarks.gui_window --fields ...``).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path


def gui_fields(window, files: list[Path], heartbeat, timeout_s: float = 600) -> dict[str, float]:
    """Seconds per field in the window: open all, time to each overlay; the worst GUI stall (ms,
    from ``heartbeat``: :class:`benchmarks.heartbeat.Heartbeat`)."""
    from PySide6.QtCore import QEventLoop, QTimer

    import shutil

    c = window.controller
    copies = Path(tempfile.mkdtemp(prefix="wbc-bench-fields-"))  # new paths: nothing cached in the window
    files = [Path(shutil.copy(f, copies / f"{k:02d}_{Path(f).name}")) for k, f in enumerate(files)]
    want = {Path(f).resolve() for f in files}
    done: dict[Path, float] = {}
    loop = QEventLoop()

    def on_done(out) -> None:
        p = Path(out.path).resolve()
        if p in want and p not in done:
            done[p] = time.perf_counter()
            if len(done) == len(want):
                loop.quit()

    def on_failed(path, _message, _cancelled) -> None:
        on_done(type("O", (), {"path": path})())

    c.runner.imageDone.connect(on_done)
    c.runner.imageFailed.connect(on_failed)
    hb = heartbeat()
    t0 = time.perf_counter()
    c.open_paths([str(f) for f in files])
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    if len(done) < len(want):
        loop.exec()
    stall = hb.stop()
    c.runner.imageDone.disconnect(on_done)
    c.runner.imageFailed.disconnect(on_failed)
    ends = sorted(done.values())
    return {"fields": float(len(ends)), "total s": (ends[-1] - t0) if ends else float("nan"),
            "per field s": (ends[-1] - t0) / len(ends) if ends else float("nan"),
            "first field s": (ends[0] - t0) if ends else float("nan"), "max GUI stall ms": stall}


def analyze_fields(files: list[Path], device: str = "cpu") -> dict[str, float]:
    """``wbc-desktop analyze`` on the same files: seconds per field after its models are loaded."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "wbc_desktop.cli", "analyze", *map(str, files), "--out", out, "--device", device]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        loaded = None
        for line in proc.stderr:  # "device: ..." is printed once the models are loaded
            if loaded is None and line.startswith("device:"):
                loaded = time.perf_counter()
        proc.wait()
        end = time.perf_counter()
    if proc.returncode not in (0, 1) or loaded is None:
        raise RuntimeError(f"analyze failed ({proc.returncode})")
    return {"models loaded s": loaded - t0, "per field s": (end - loaded) / len(files), "total s": end - t0}


def report(window, files: list[Path], heartbeat, device: str = "cpu") -> list[str]:
    """Both, as lines to print (the window's per field against analyze's, target ≤ 1.5x)."""
    g = gui_fields(window, files, heartbeat)
    a = analyze_fields(files, device)
    ratio = g["per field s"] / a["per field s"] if a["per field s"] > 0 else float("nan")
    return [f"{len(files)} fields: window {g['per field s']:.2f} s per field (first overlay {g['first field s']:.2f} s "
            f"after the open, all {g['total s']:.1f} s), analyze {a['per field s']:.2f} s per field after its models "
            f"loaded ({a['models loaded s']:.1f} s); window / analyze = {ratio:.2f} (target <= 1.5)",
            f"max GUI-thread stall while the window analysed them: {g['max GUI stall ms']:.0f} ms (target <= 100 ms)"]
