"""``wbc-desktop --self-test``: does this installation work? Answered without a window.

Why: a lab installs a folder it cannot inspect. The self-test walks every part an analysis
needs, in the installed copy itself (frozen or source): the bundled resources, torch and the
other libraries, every shipped model file, the analysis of the bundled samples checked against
``resources/samples/expected.json`` (see ``cli.selftest_check`` for the tolerances), the
separate model process the app uses (a "spawn" child, the part a frozen build most often
breaks), and Qt drawing the main window off screen. It prints the device, versions and timings
and exits 0, or names what is missing or wrong and exits 1 (2 when resources are missing).

``--write-expected`` rewrites ``expected.json`` from this run (after a model update).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional, TextIO

from wbc_desktop import __version__

EXPECTED = "expected.json"


class Report:
    """Lines to stdout; to a file in the user folder when there is no console (Windows GUI build)."""

    def __init__(self) -> None:
        self.stream: Optional[TextIO] = sys.stdout
        self.failures: list[str] = []
        if self.stream is None:
            from wbc_desktop.core.io.paths import user_data_dir

            path = user_data_dir() / "self-test.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.stream = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def fail(self, text: str) -> None:
        self.failures.append(text)
        self.line(f"FAIL  {text}")

    def close(self) -> None:
        if self.stream is not sys.stdout and self.stream is not None:
            self.stream.close()


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="wbc-desktop --self-test",
                                 description="check this installation: models, samples, model process, Qt")
    ap.add_argument("--self-test", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--write-expected", action="store_true",
                    help=f"write resources/samples/{EXPECTED} from this run instead of checking against it")
    ap.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    ap.add_argument("--skip", action="append", default=[], choices=["process", "qt", "models"],
                    help="leave out a step (repeatable): the model process, the Qt window, the other shipped models")
    return ap.parse_args(argv)


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _versions() -> str:
    import numpy
    import torch

    parts = [f"python {platform.python_version()}", f"torch {torch.__version__}", f"numpy {numpy.__version__}"]
    for mod in ("torch_geometric", "scipy", "skimage", "PySide6"):
        try:
            parts.append(f"{mod} {__import__(mod).__version__}")
        except Exception as e:  # noqa: BLE001 - a missing library is reported, not raised
            parts.append(f"{mod} MISSING ({type(e).__name__})")
    return ", ".join(parts)


def _shipped_models() -> list[tuple[str, Path]]:
    from wbc_desktop.core.weights.registry import CARD, KINDS, WEIGHTS, shipped_root

    out = []
    for kind in KINDS:
        d = shipped_root() / kind
        for folder in sorted(d.iterdir()) if d.is_dir() else []:
            if (folder / WEIGHTS).is_file() or (folder / CARD).is_file():
                out.append((kind, folder))
    return out


def _check_models(rep: Report, device: str) -> None:
    """Every shipped model's weights load and build (a broken or missing file fails here)."""
    from wbc_desktop.core.cells.classifier import CellClassifier
    from wbc_desktop.core.errors import WbcError
    from wbc_desktop.core.segmentation.segmenter import Segmenter

    for kind, folder in _shipped_models():
        loader = Segmenter.load if kind == "segmenter" else CellClassifier.load
        try:
            m, dt = _timed(lambda: loader(str(folder), device=device))
            rep.line(f"ok    {kind} {folder.name} v{m.info()['version']} loads ({dt * 1e3:.0f} ms)")
        except WbcError as e:
            rep.fail(f"{kind} {folder.name}: {e}")


def _analyse_samples(rep: Report, pipe: Any, files: list[Path]) -> list[Any]:
    from wbc_desktop.core.errors import WbcError

    analyses = []
    for path in files:
        try:
            a, dt = _timed(lambda: pipe.analyze(path))
        except WbcError as e:
            rep.fail(f"{path.name}: {e}")
            continue
        types = ", ".join(f"{c.cell_type} {c.confidence:.2f}" for c in a.cells) or "none"
        rep.line(f"ok    {path.name}: {len(a.cells)} cells ({types}) in {dt * 1e3:.0f} ms")
        analyses.append(a)
    return analyses


def _check_expected(rep: Report, analyses: list[Any], expected_path: Path, threshold: float) -> None:
    from wbc_desktop.cli.selftest_check import compare

    try:
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        rep.fail(f"{expected_path} cannot be read ({e})")
        return
    verdict = compare(analyses, expected, threshold=threshold)
    for note in verdict.notes:
        rep.line(f"note  {note}")
    for failure in verdict.failures:
        rep.fail(failure)
    if verdict.ok:
        n = sum(len(v.get("cells", [])) for v in expected.get("images", {}).values())
        rep.line(f"ok    results match {EXPECTED} ({len(expected.get('images', {}))} images, {n} cells)")


class _EarlyProcess:
    """Starts the app's model process in a thread at once, so its torch import overlaps ours."""

    def __init__(self, device: str) -> None:
        self.proc: Any = None
        self.error: Optional[BaseException] = None
        self.ready_s = 0.0
        self.proc_device = ""
        self._t0 = time.perf_counter()
        self._thread = threading.Thread(target=self._start, args=(device,), name="self-test-process", daemon=True)
        self._thread.start()

    def _start(self, device: str) -> None:
        from wbc_desktop.core.pipeline_process import PipelineProcess

        try:
            self.proc = PipelineProcess(device=device, start_timeout_s=120.0)
        except BaseException as e:  # noqa: BLE001 - reported by check()
            self.error = e
        self.ready_s = time.perf_counter() - self._t0

    def shutdown(self) -> None:
        """Stop the child (also when the self-test ends early); waits for a start under way."""
        self._thread.join(150.0)
        if self.proc is not None:
            proc, self.proc_device, self.proc = self.proc, self.proc.device, None
            proc.close()

    def check(self, rep: Report, sample: Path, reference: Any) -> None:
        """The model process (a spawn child of this executable) gives the same cells as this process."""
        self._thread.join(150.0)
        if self.proc is None:
            rep.fail(f"model process: {self.error or 'did not start within 150 s'}")
            return
        try:
            a, dt = _timed(lambda: self.proc.analyze(sample))
        except Exception as e:  # noqa: BLE001 - any failure of the child is the finding
            rep.fail(f"model process: {e}")
            return
        finally:
            self.shutdown()
        same = [(c.bbox, c.cell_type) for c in a.cells] == [(c.bbox, c.cell_type) for c in reference.cells]
        if same:
            rep.line(f"ok    model process ({self.proc_device}) ready in {self.ready_s:.1f} s (started with the "
                     f"self-test), same cells ({dt * 1e3:.0f} ms)")
        else:
            rep.fail(f"model process: {sample.name} gave {len(a.cells)} cells unlike this process' "
                     f"{len(reference.cells)}")


def _check_x11_library(rep: Report) -> None:
    """Linux: the library Qt's X11 plugin needs and pip cannot install (libxcb-cursor.so.0)."""
    import os

    from wbc_desktop.gui.measure.linux_libs import SONAME, problem, xcb_needed

    if not sys.platform.startswith("linux"):
        return
    missing = problem(env={})  # as on an X11 desktop, whatever this shell's QT_QPA_PLATFORM
    if not missing:
        rep.line(f"ok    X11: {SONAME} found (the window can open on an X11 desktop)")
    elif xcb_needed(os.environ) and (os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM", "") == "xcb"):
        rep.fail(f"X11: {missing}")  # an X11 desktop here: the window would not open
    else:
        rep.line(f"note  X11: {SONAME} missing; fine on Wayland or without a display, needed on an X11 desktop: "
                 + missing.split("with:")[1].split("then")[0].strip())


def _check_qt(rep: Report) -> None:
    try:
        from wbc_desktop.gui.measure.selftest_qt import check_qt

        (problems, info), dt = _timed(check_qt)
    except ImportError as e:
        rep.fail(f"Qt: cannot import the GUI ({e})")
        return
    for p in problems:
        rep.fail(f"Qt: {p}")
    if not problems:
        rep.line(f"ok    Qt {info} ({dt:.1f} s)")


def run(args: argparse.Namespace, rep: Report) -> int:
    """The steps in order; returns the exit status. The model process never outlives it."""
    early: list[_EarlyProcess] = []
    try:
        return _run(args, rep, early)
    finally:
        for e in early:
            e.shutdown()


def _run(args: argparse.Namespace, rep: Report, started: list) -> int:
    from wbc_desktop.core.io.images import list_images
    from wbc_desktop.core.io.paths import resources_dir, samples_dir

    t_start = time.perf_counter()
    frozen = "frozen" if getattr(sys, "frozen", False) else "source"
    rep.line(f"wbc-desktop {__version__} self-test ({frozen}; {platform.system()} {platform.machine()}; "
             f"{sys.executable})")
    rep.line(f"resources: {resources_dir()}")
    files = list_images([samples_dir()]) if samples_dir().is_dir() else []
    expected_path = samples_dir() / EXPECTED
    if not files:
        rep.fail(f"no sample images in {samples_dir()} (the installation is incomplete)")
        return 2
    if not args.write_expected and not expected_path.is_file():
        rep.fail(f"{expected_path} is missing (the installation is incomplete; a developer writes it "
                 "with --self-test --write-expected)")
        return 2
    early = None if "process" in args.skip or args.write_expected else _EarlyProcess(args.device)
    started.extend([early] if early else [])
    (versions, dt_import) = _timed(_versions)
    rep.line(f"versions: {versions}")
    from wbc_desktop.core.errors import WbcError
    from wbc_desktop.core.pipeline import Pipeline

    try:
        pipe, dt_load = _timed(lambda: Pipeline.load("default", "default", device=args.device))
    except WbcError as e:
        rep.fail(f"default models: {e}")
        return 1
    from wbc_desktop.core.device import device_label

    rep.line(f"device: {device_label(pipe.segmenter.device)}")
    rep.line(f"timing: libraries imported in {dt_import:.1f} s, default models loaded in {dt_load:.1f} s")
    if "models" not in args.skip:
        _check_models(rep, args.device)
    analyses, dt_an = _timed(lambda: _analyse_samples(rep, pipe, files))
    rep.line(f"timing: {len(files)} samples analysed in {dt_an:.1f} s")
    if args.write_expected:
        return _write_expected(rep, analyses, expected_path, len(files))
    threshold = pipe.classifier.threshold if pipe.classifier is not None else 0.5
    _check_expected(rep, analyses, expected_path, threshold)
    if early is not None and analyses:
        early.check(rep, files[0], analyses[0])
    if "qt" not in args.skip:
        _check_x11_library(rep)
        _check_qt(rep)
    total = time.perf_counter() - t_start
    if rep.failures:
        rep.line(f"self-test FAILED: {len(rep.failures)} problem(s) in {total:.1f} s")
        return 1
    rep.line(f"self-test passed in {total:.1f} s")
    return 0


def _write_expected(rep: Report, analyses: list[Any], path: Path, n_files: int) -> int:
    from wbc_desktop.cli.selftest_check import expectations
    from wbc_desktop.core.io.atomic import atomic_write_text

    if rep.failures or len(analyses) != n_files:
        rep.line(f"not writing {path}: some samples failed")
        return 1
    data = expectations(analyses, written_by=f"wbc-desktop {__version__} --self-test --write-expected")
    atomic_write_text(path, json.dumps(data, indent=1) + "\n")
    rep.line(f"wrote {path} ({len(analyses)} images)")
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    rep = Report()
    try:
        return run(args, rep)
    except ImportError as e:  # a library left out of the build: say which
        rep.fail(f"a library cannot be imported: {str(e).strip().splitlines()[-1] if str(e).strip() else e!r}")
        return 1
    except Exception as e:  # noqa: BLE001 - e.g. a library's own file missing from the build
        rep.fail(f"unexpected {type(e).__name__}: {e}")
        return 1
    finally:
        rep.close()
