"""Loading the pipeline and analysing a queue of images in the background.

One job at a time on a :class:`SerialPool`; the queue gives batch progress; cancel stops the
current image and drops the rest. A CUDA out-of-memory error reloads the models on the CPU
and retries, with a message, instead of failing the image.
"""

from __future__ import annotations

from wbc_desktop.core.weights.labels import version_label

import logging
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, Signal

from wbc_desktop.core.cells.views import describe_info
from wbc_desktop.core.io.tiles import SLIDE_MIN_TILES, TILE

from wbc_desktop.gui.workers import Job, SerialPool

log = logging.getLogger(__name__)

SLIDE_MIN_PX = SLIDE_MIN_TILES * TILE * TILE  # a tiled TIFF over this is a slide, as for `analyze`
Loader = Callable[[str], Any]  # device -> pipeline with .analyze(image, progress, cancel)


def default_loader(device: str, cls_model: str = "default", views: int = 0, seg_model: str = "default") -> Any:
    """The real pipeline, in a child process: torch never loads in the GUI's process, so its
    GIL-holding import and the model load cannot stall the window (see core.pipeline_process)."""
    from wbc_desktop.core.pipeline_process import PipelineProcess

    return PipelineProcess(seg_model=seg_model, cls_model=cls_model, device=device, views=views)


def settings_loader(settings: Any) -> Loader:
    """The real loader with the cell-type model and views the user chose, read when the models (re)load."""
    return lambda device: default_loader(device, cls_model=settings.classifier, views=settings.views,
                                         seg_model=getattr(settings, "segmenter", "default"))


def close_pipeline(pipeline: Any) -> None:
    """Stop a process-hosted pipeline; in-process ones need nothing."""
    close = getattr(pipeline, "close", None)
    if callable(close):
        try:
            close()
        except Exception:  # noqa: BLE001 - shutting down must not raise
            log.debug("closing the pipeline failed", exc_info=True)


def describe_pipeline(pipeline: Any) -> str:
    """'CPU · segmenter default v3 · classifier none' for the status bar."""
    dev = str(getattr(pipeline, "device", "cpu"))
    label = getattr(pipeline, "device_label", None)
    if not label:
        label = "CPU" if dev == "cpu" else dev.upper()  # never import torch here: see default_loader
    parts = [label]
    info = pipeline.models_info() if hasattr(pipeline, "models_info") else {}
    for kind in ("segmenter", "classifier"):
        m = info.get(kind)
        if m:
            views = describe_info(m)
            parts.append(f"{kind} {m.get('name', '?')} {version_label(m.get('version'))}" + (f" ({views})" if views != "1 view" else ""))
        else:
            parts.append(f"{kind} none")
    return " · ".join(parts)


@dataclass
class Outcome:
    """What one image job produced; ``analysis`` is None when no model could run."""

    path: Path
    image: Any  # core.io.ImageData
    analysis: Any = None
    error: Optional[str] = None  # why there is no analysis
    display: Any = None  # viewer.prepare.DisplayData, drawn off the GUI thread


class AnalysisRunner(QObject):
    """Owns the pipeline and the analysis queue; talks to the rest of the app by signals."""

    pipelineLoading = Signal(str)  # device asked for
    pipelineReady = Signal(str)  # status-bar description
    pipelineFailed = Signal(str)
    imageStarted = Signal(object)  # Path
    imageRead = Signal(object, object, object)  # Path, ImageData, DisplayData: shown before the analysis ends
    progress = Signal(float, str)  # overall fraction 0..1 of the queue, message
    imageDone = Signal(object)  # Outcome
    slidePartial = Signal(object)  # Outcome: a whole slide's result so far (tiles still running)
    imageFailed = Signal(object, str, bool)  # Path, one-line message, cancelled by the user
    notice = Signal(str)  # e.g. GPU memory fallback
    idle = Signal()  # queue empty, nothing running
    retyped = Signal(object, object)  # RetypeRequest.tag, {cell_id: type fields}
    retypeFailed = Signal(object, str)  # RetypeRequest.tag, one-line message
    examplesTyped = Signal(object, object)  # ExamplesRequest.tag, {image key: {cell_id: type fields}} (lab learning)

    def __init__(self, loader: Loader = default_loader, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._pool = SerialPool()
        self._queue: deque[Path] = deque()
        self._retypes: deque[tuple[Any, Any]] = deque()  # (pixels, RetypeRequest): before queued images
        self._job: Optional[Job] = None
        self._loading = False
        self.pipeline: Any = None
        self.pipeline_error: Optional[str] = None
        self.device = "auto"
        self.pixel_size_um: Optional[float] = None  # Analysis ▸ Pixel size…; None: from the file or measured
        self._batch_total = 0
        self._batch_done = 0
        self._image_frac = 0.0

    # pipeline
    def load_pipeline(self, device: str) -> None:
        """Load (or reload on another device) in the background; the queue waits for it."""
        self.device = device
        self._loading = True
        old, self.pipeline = self.pipeline, None
        if old is not None:
            close_pipeline(old)
        self.pipelineLoading.emit(device)
        job = Job(lambda progress, cancel: self._loader(device))
        job.signals.result.connect(self._on_loaded)
        job.signals.failed.connect(self._on_load_failed)
        self._pool.start(job)

    def _on_loaded(self, pipeline: Any) -> None:
        self._loading = False
        self.pipeline, self.pipeline_error = pipeline, None
        self.pipelineReady.emit(describe_pipeline(pipeline))
        self._pump()

    def _on_load_failed(self, exc: BaseException) -> None:
        self._loading = False
        self.pipeline, self.pipeline_error = None, _message(exc, "")
        self.pipelineFailed.emit(self.pipeline_error)
        self._pump()

    @property
    def loading(self) -> bool:
        """Models are being (re)loaded; images wait in the queue meanwhile."""
        return self._loading

    # queue
    @property
    def busy(self) -> bool:
        return self._loading or self._job is not None or bool(self._queue)

    def submit(self, paths: list[Path]) -> None:
        if not self.busy:
            self._batch_total = self._batch_done = 0
        new = [Path(p) for p in paths if Path(p) not in self._queue]
        self._queue.extend(new)
        self._batch_total += len(new)
        self._pump()

    def cancel(self) -> None:
        """Stop the current image and forget the queued ones."""
        self._queue.clear()
        if self._job is not None:
            self._job.cancel.set()

    def wait(self, msecs: int = 30000) -> bool:
        return self._pool.wait(msecs)

    def shutdown(self) -> None:
        """Cancel work and stop the model process (the app is closing)."""
        self.cancel()
        self._pool.wait(5000)
        if self.pipeline is not None:
            close_pipeline(self.pipeline)
            self.pipeline = None

    def retype(self, pixels: Any, request: Any) -> bool:
        """Queue a retype of edited cells (a :class:`~wbc_desktop.core.cells.retype.RetypeRequest`),
        ahead of images waiting for analysis; ``False`` when no loaded model can type cells."""
        if self.pipeline is None and not self._loading:
            return False
        self._retypes.append((pixels, request))
        self._pump()
        return True

    def _start_retype(self) -> None:
        pixels, req = self._retypes.popleft()
        pipeline = self.pipeline
        job = Job(lambda progress, cancel: _retype_with(pipeline, pixels, req))
        done = self.examplesTyped if getattr(req, "kind", "") == "examples" else self.retyped
        job.signals.result.connect(lambda out: done.emit(req.tag, out))
        job.signals.failed.connect(lambda e: self.retypeFailed.emit(req.tag, _message(e, "retyping failed")))
        job.signals.finished.connect(self._on_retype_finished)
        self._job = job
        self._pool.start(job)

    def _on_retype_finished(self) -> None:
        self._job = None
        self._pump()

    def _pump(self) -> None:
        if self._loading or self._job is not None:
            return
        if self._retypes and self.pipeline is not None:
            self._start_retype()
            return
        self._retypes.clear()  # no model (failed load): nothing can retype
        if not self._queue:
            self.idle.emit()
            return
        path = self._queue.popleft()
        pipeline = self.pipeline
        job = Job(lambda progress, cancel: self._work(path, pipeline, progress, cancel))
        job.signals.progress.connect(self._on_progress)
        job.signals.result.connect(self.imageDone.emit)
        job.signals.failed.connect(
            lambda e: self.imageFailed.emit(path, _message(e, "analysis failed"), type(e).__name__ == "Cancelled")
        )
        job.signals.finished.connect(self._on_finished)
        self._job = job
        self.imageStarted.emit(path)
        self._image_frac = 0.0
        self._on_progress(0, 1, f"reading {path.name}")
        self._pool.start(job)

    def _on_progress(self, done: int, total: int, message: str) -> None:
        # Stages report on their own scales (3 pipeline steps, n crops...): never move the bar back.
        frac = min(1.0, done / total) if total > 0 else 0.0
        self._image_frac = max(self._image_frac, frac)
        overall = (self._batch_done + self._image_frac) / max(1, self._batch_total)
        prefix = f"{self._batch_done + 1}/{self._batch_total} " if self._batch_total > 1 else ""
        self.progress.emit(overall, prefix + message)

    def _on_finished(self) -> None:
        self._job = None
        self._batch_done += 1
        self._pump()

    def _work(self, path: Path, pipeline: Any, progress, cancel: threading.Event) -> Outcome:
        """Runs in the worker thread: read, analyse; one retry on a fresh pipeline when it can help."""
        from wbc_desktop.core.io.images import read_image
        from wbc_desktop.core.io.slides import is_slide

        from wbc_desktop.gui.viewer.prepare import prepare

        if is_slide(path, SLIDE_MIN_PX):
            return self._work_slide(path, pipeline, progress, cancel)
        image = read_image(path)  # InputError -> imageFailed with its one-line message
        preview = prepare(image.pixels)
        if pipeline is None:
            return Outcome(path, image, None, self.pipeline_error or "no model loaded", preview)
        self.imageRead.emit(path, image, preview)  # queued to the GUI thread
        options = {"pixel_size_um": self.pixel_size_um} if self.pixel_size_um else {}
        try:
            analysis = pipeline.analyze(image, progress=progress, cancel=cancel, **options)
        except Exception as e:
            pipeline = self._replace_pipeline(pipeline, e)  # re-raises when a retry cannot help
            analysis = pipeline.analyze(image, progress=progress, cancel=cancel, **options)
        progress(1, 1, "preparing display")
        return Outcome(path, image, analysis, display=prepare(image.pixels, analysis, image=preview.image))

    def _work_slide(self, path: Path, pipeline: Any, progress, cancel: threading.Event) -> Outcome:
        """A whole slide: its overview at once, then tiles at full resolution in the model process,
        the result so far shown every few seconds (``partial``), cells cropped at full resolution."""
        from wbc_desktop.core.io.images import ImageData
        from wbc_desktop.core.io.slides import read_overview

        from wbc_desktop.gui.viewer.prepare import prepare

        pixels, factor = read_overview(path)
        image = ImageData(pixels, path, notes=[f"whole-slide image shown at {factor:.3g}x"])
        preview = prepare(pixels)
        if pipeline is None or not hasattr(pipeline, "analyze_slide"):
            return Outcome(path, image, None, self.pipeline_error or "no model that analyses whole slides", preview)
        self.imageRead.emit(path, image, preview)
        options = {"pixel_size_um": self.pixel_size_um} if self.pixel_size_um else {}

        def partial(result: Any) -> None:
            self.slidePartial.emit(Outcome(path, image, result.analysis,
                                           display=prepare(pixels, result.analysis, preview.image, result.crops)))
        result = pipeline.analyze_slide(path, pixels.shape[:2], factor, progress=progress, cancel=cancel,
                                        partial=partial, **options)
        progress(1, 1, "preparing display")
        return Outcome(path, image, result.analysis, display=prepare(pixels, result.analysis, preview.image, result.crops))

    def _replace_pipeline(self, pipeline: Any, exc: Exception) -> Any:
        """A new pipeline after a dead model process (same device) or a GPU out-of-memory (CPU).

        Runs in the worker thread; later images use the replacement too.
        """
        if getattr(pipeline, "alive", True) is False and type(exc).__name__ != "Cancelled":
            self.notice.emit("The analysis process stopped unexpectedly; it was restarted.")
            device = self.device
        elif _is_oom(exc) and str(getattr(pipeline, "device", "cpu")) != "cpu":
            self.notice.emit("The GPU ran out of memory: analysing on the CPU instead (slower).")
            device = "cpu"
        else:
            raise exc
        close_pipeline(pipeline)
        self.pipeline = self._loader(device)
        return self.pipeline


def _retype_with(pipeline: Any, pixels: Any, req: Any) -> dict:
    """Runs in the worker: the process proxy sends the snapshot; an in-process pipeline types it here."""
    if getattr(req, "kind", "") == "examples":  # lab learning: core.lab.by_example
        return pipeline.type_by_examples(req) if hasattr(pipeline, "type_by_examples") else {}
    if hasattr(pipeline, "retype_request"):
        return pipeline.retype_request(pixels, req, key=f"{req.image_name}:{id(pixels)}")
    if hasattr(pipeline, "retype"):
        return pipeline.retype(pixels, req.to_analysis(), req.cell_ids)
    return {}


def _is_oom(exc: BaseException) -> bool:
    if "OutOfMemoryError" in (type(exc).__name__, getattr(exc, "remote_type", "")):
        return True
    return "out of memory" in str(exc).lower()


def _message(exc: BaseException, fallback: str) -> str:
    """One line for the user: the core's WbcError messages are written for people already."""
    from wbc_desktop.core.errors import WbcError

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, WbcError) and text:
        return text
    if isinstance(exc, MemoryError):
        return "not enough memory for this image"
    text = text or type(exc).__name__
    return f"{fallback}: {text}" if fallback else text
