"""Worst GUI-thread stall while a retraining runs (target: at most 100 ms), and its wall time.

A 10 ms QTimer heartbeat on the GUI thread (``benchmarks.heartbeat.Heartbeat``) records the gaps between
beats from the moment Retrain is pressed until the result dialog is up; the longest gap is the
worst stall the person would feel. Meanwhile the window keeps working as during a review: it
steps through the project's images every 0.5 s. The training runs the real engine in its own
process, exactly as the Retrain action does (``--engine`` swaps in another module).

Run under Xvfb or offscreen::

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.gui_retrain --project DIR [--wizard]

``--wizard`` drives the wizard instead of the one-click action (the live pyqtgraph curves are
drawn from every event). Prints one line per figure.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--project", type=Path, required=True, help="a project folder with corrections")
    ap.add_argument("--engine", default="wbc_desktop.core.retrain")
    ap.add_argument("--wizard", action="store_true", help="run through the wizard (live curves)")
    ap.add_argument("--time-budget", type=float, default=None, help="seconds per model (default: one-click's)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--baseline", type=float, default=5.0, help="seconds of reviewing measured before training")
    ap.add_argument("--fake-models", action="store_true", help="no analysis models in the window (faster)")
    args = ap.parse_args(argv)

    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from benchmarks.heartbeat import Heartbeat
    from wbc_desktop.gui.app import build
    from wbc_desktop.gui.settings import AppSettings

    tmp = Path(tempfile.mkdtemp())
    settings = AppSettings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    settings.device = args.device
    kw = {}
    if args.fake_models:
        from tests.gui.fakes import FakePipeline

        kw["loader"] = lambda device: FakePipeline()
    win = build(settings, review_root=tmp / "reviews", **kw)
    win.show()
    r = win.retrainer
    r.launcher.engine = args.engine
    r._project = args.project.resolve()
    runner = win.controller.runner

    loop = QEventLoop()
    runner.pipelineReady.connect(lambda _s: loop.quit())
    runner.pipelineFailed.connect(lambda _s: loop.quit())
    runner.load_pipeline(args.device)
    loop.exec()
    images = sorted(p for p in (r._project / "images").glob("*") if p.is_file())
    if images:  # analysed before the probe starts: the probe measures reviewing, not analysing
        runner.idle.connect(loop.quit)
        QTimer.singleShot(600_000, loop.quit)
        win.controller.open_paths(images[:10])
        loop.exec()
    review = QTimer()
    review.timeout.connect(lambda: win.controller.step_image(1))
    review.start(500)

    hb = Heartbeat()  # baseline: the same reviewing, no training
    QTimer.singleShot(int(1000 * args.baseline), loop.quit)
    loop.exec()
    base = sorted(hb.stop() and hb.gaps)

    hb = Heartbeat()
    marks: dict[str, float] = {}
    t0 = time.perf_counter()
    done = QEventLoop()
    r.launcher.finished.connect(lambda _res: (marks.setdefault("train s", time.perf_counter() - t0), done.quit()))
    r.launcher.failed.connect(lambda m: (print("FAILED:", m), done.quit()))
    r.launcher.cancelled.connect(done.quit)
    n_events = [0]
    r.launcher.event.connect(lambda _e: n_events.__setitem__(0, n_events[0] + 1))
    if args.wizard:
        t_open = time.perf_counter()
        r.open_wizard()
        QApplication.processEvents()
        print(f"wizard opens in {1e3 * (time.perf_counter() - t_open):.0f} ms (pyqtgraph import, pages)")
        wiz = r.wizard
        settle = QEventLoop()
        QTimer.singleShot(300, settle.quit)
        settle.exec()
        hb.gaps.clear()
        wiz.next()  # to the settings page
        if args.time_budget:
            wiz.options.time_s.setValue(int(args.time_budget))
        QTimer.singleShot(300, settle.quit)
        settle.exec()
        print(f"worst GUI stall showing the settings page: {max(hb.gaps or [0.0]):.1f} ms (before any training)")
        hb.gaps.clear()
        t0 = time.perf_counter()
        wiz.next()  # the live page: the training starts
    else:
        if args.time_budget:
            orig = r.default_settings
            r.default_settings = lambda p: {**(orig(p) or {}), "time_budget_s": args.time_budget}
        r.one_click()
    QTimer.singleShot(900_000, done.quit)
    done.exec()
    QTimer.singleShot(300, done.quit)  # the result dialog / page draws
    done.exec()
    review.stop()
    hb.stop()
    gaps = sorted(hb.gaps)
    print(f"mode: {'wizard (live curves)' if args.wizard else 'one click (status bar)'}; engine {args.engine}; "
          f"device {args.device}")
    print(f"training wall time: {marks.get('train s', float('nan')):.1f} s ({n_events[0]} events)")
    if base:
        print(f"baseline (reviewing, no training, {args.baseline:.0f} s): worst gap {base[-1]:.1f} ms, "
              f"p99 {base[int(0.99 * (len(base) - 1))]:.1f} ms")
    print(f"worst GUI-thread stall: {gaps[-1] if gaps else float('nan'):.1f} ms (target <= 100 ms)")
    if gaps:
        print(f"p99 gap: {gaps[int(0.99 * (len(gaps) - 1))]:.1f} ms; median {statistics.median(gaps):.1f} ms; "
              f"{len(gaps)} beats of 10 ms")
    r.launcher.kill()
    runner.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
