"""Cold start of the app to a shown window: ``xvfb-run -a python -m benchmarks.app_start [APP...]``.

Why from outside: the figure a user feels is from launching the executable to its window on
the screen, so it is timed from ``Popen`` to the moment X reports a viewable top-level window
titled "WBC Desktop" (``xwininfo``), with nothing added to the app. Each run starts a new
process with a fresh home folder (first-run settings); the app is then stopped, its model
process with it. "Cold" here means a new process; the files may be in the OS page cache.

APP defaults to the built ``dist/wbc-desktop/wbc-desktop``; ``-- python -m wbc_desktop.cli``
times a source install the same way.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
TITLE = re.compile(r'^\s*(0x[0-9a-f]+) "[^"]*WBC Desktop[^"]*"', re.MULTILINE)


def _viewable_window() -> Optional[str]:
    """The id of a mapped top-level 'WBC Desktop' window, if X has one."""
    tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True).stdout
    for wid in TITLE.findall(tree):
        info = subprocess.run(["xwininfo", "-id", wid], capture_output=True, text=True).stdout
        if "IsViewable" in info:
            return wid
    return None


def _stop(proc: subprocess.Popen) -> None:
    """Stop the app and its children (its own process group, started by us)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)


def time_one(cmd: list[str], timeout_s: float) -> float:
    with tempfile.TemporaryDirectory(prefix="wbc-start-") as home:
        env = {"PATH": "/usr/bin:/bin", "HOME": home, "DISPLAY": os.environ["DISPLAY"],
               "WBC_DESKTOP_USER_DIR": str(Path(home) / "user")}
        for name in ("XAUTHORITY", "PYTHONPATH"):  # xvfb-run's cookie; a source checkout
            if name in os.environ:
                env[name] = os.environ[name]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            while time.perf_counter() - t0 < timeout_s:
                if _viewable_window() is not None:
                    return time.perf_counter() - t0
                if proc.poll() is not None:
                    raise RuntimeError(f"the app exited with status {proc.returncode} before showing a window")
                time.sleep(0.02)
            raise RuntimeError(f"no window within {timeout_s:.0f} s")
        finally:
            _stop(proc)


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("app", nargs="*", default=[str(ROOT / "dist" / "wbc-desktop" / "wbc-desktop")])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args(argv)
    if not os.environ.get("DISPLAY"):
        print("error: no DISPLAY; run under xvfb-run -a", file=sys.stderr)
        return 2
    times = []
    for i in range(args.runs):
        try:
            t = time_one(args.app, args.timeout)
        except (RuntimeError, OSError) as e:
            print(f"run {i + 1}: error: {e}", file=sys.stderr)
            return 1
        times.append(t)
        print(f"run {i + 1}: window shown after {t:.2f} s", flush=True)
    print(f"start to window: first {times[0]:.2f} s, median {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s over {len(times)} runs ({' '.join(args.app)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
