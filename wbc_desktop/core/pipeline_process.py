"""A :class:`~wbc_desktop.core.pipeline.Pipeline` hosted in a child process.

Why: importing torch initialises its C extension while holding the GIL (~250 ms on a laptop
CPU, measured with a 1 ms ticker thread), and no thread trick avoids that. A window whose
process never imports torch cannot be stalled by it, so the desktop app keeps its models in a
separate "spawn" process and talks to it over a pipe: images go in, analyses come back,
progress and cancel cross as messages; ``retype`` requests (cells whose masks a person edited)
carry only the cells' box of the masks, the image's RGB crossing once per image. The proxy has the same ``analyze(image, progress,
cancel)`` / ``models_info()`` / ``device`` surface as a Pipeline, so callers do not care.

Only our own objects cross the pipe (numpy arrays, dataclasses); model files are still read
with safetensors inside the child.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
from typing import Any, Optional

from wbc_desktop.core import errors
from wbc_desktop.core.progress import ProgressFn, no_progress

_POLL_S = 0.05  # how often a waiting caller checks cancel and the child's health


class EngineError(errors.WbcError):
    """The analysis process failed in a way that has no more specific error class."""

    remote_type: str = ""  # the child's exception class, e.g. OutOfMemoryError (the GPU fallback reads it)


def _serve(conn, cancel, kwargs: dict[str, Any]) -> None:
    """Child process main loop: load once, then answer ``analyze`` requests until ``quit``."""
    try:
        from wbc_desktop.core.device import device_label
        from wbc_desktop.core.pipeline import Pipeline

        pipeline = Pipeline.load(**kwargs)
        try:
            label = device_label(pipeline.segmenter.device)
        except Exception:  # noqa: BLE001 - a label is cosmetic
            label = str(pipeline.device).upper()
        conn.send(("ready", {"device": str(pipeline.device), "label": label, "models": pipeline.models_info()}))
    except BaseException as e:  # noqa: BLE001 - every failure must reach the parent as a message
        conn.send(("error", _describe(e)))
        return
    cache: dict[str, Any] = {}  # the last image's RGB for retypes: sent once per image
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return  # parent went away
        if msg[0] == "quit":
            return
        if msg[0] == "retype":
            conn.send(_retype(pipeline, cache, *msg[1:]))
            continue
        if msg[0] == "examples":  # lab learning: type the batch again by its examples (core.lab.by_example)
            conn.send(_by_examples(pipeline, msg[1]))
            continue
        if msg[0] == "slide":
            _serve_slide(conn, cancel, pipeline, *msg[1:])
            continue
        if msg[0] != "analyze":
            continue
        _, image, options = msg
        cancel.clear()
        try:
            out = pipeline.analyze(image, progress=lambda d, t, m: conn.send(("progress", (d, t, m))),
                                   cancel=cancel, **options)
        except BaseException as e:  # noqa: BLE001
            conn.send(("error", _describe(e)))
        else:
            conn.send(("result", out))


PARTIAL_EVERY_S = 2.0  # a slide's result so far crosses the pipe at most this often


def _serve_slide(conn, cancel, pipeline: Any, path: str, shape: Any, factor: float, options: dict) -> None:
    """A whole slide tile by tile; its result so far is sent every few seconds (``partial``)."""
    cancel.clear()
    try:
        out = pipeline.analyze_slide(path, shape, factor, progress=lambda d, t, m: conn.send(("progress", (d, t, m))),
                                     cancel=cancel, partial=lambda r: conn.send(("partial", r)),
                                     partial_every_s=PARTIAL_EVERY_S, **options)
    except BaseException as e:  # noqa: BLE001
        conn.send(("error", _describe(e)))
    else:
        conn.send(("result", out))


def _retype(pipeline: Any, cache: dict[str, Any], key: str, pixels: Any, request: Any) -> tuple[str, Any]:
    """Answer one retype request (see :mod:`wbc_desktop.core.cells.retype`)."""
    try:
        if pixels is not None:
            cache.clear()
            cache[key] = pixels
        if key not in cache:
            return ("missing", key)
        return ("result", pipeline.retype(cache[key], request.to_analysis(), request.cell_ids))
    except BaseException as e:  # noqa: BLE001
        return ("error", _describe(e))


def _by_examples(pipeline: Any, request: Any) -> tuple[str, Any]:
    try:
        return ("result", pipeline.type_by_examples(request))
    except BaseException as e:  # noqa: BLE001
        return ("error", _describe(e))


def _describe(e: BaseException) -> tuple[str, str]:
    return type(e).__name__, (str(e).strip() or type(e).__name__)


def _rebuild(name: str, message: str) -> BaseException:
    """The child's exception as the same core error class where there is one."""
    cls = getattr(errors, name, None)
    if isinstance(cls, type) and issubclass(cls, errors.WbcError):
        return cls(message)
    if name == "MemoryError":
        return MemoryError(message)
    err = EngineError(f"{name}: {message}")
    err.remote_type = name  # e.g. OutOfMemoryError, for the GPU fallback
    return err


class PipelineProcess:
    """Proxy for a Pipeline living in a child process (see the module docstring).

    Parameters are those of :meth:`Pipeline.load`. Construction blocks until the models are
    loaded (call it from a worker thread); a load failure raises the child's error here.
    """

    def __init__(self, seg_model: str = "default", cls_model: Optional[str] = "default", device: str = "auto",
                 start_timeout_s: float = 600.0, views: int = 0) -> None:
        ctx = mp.get_context("spawn")  # fork would copy the parent's Qt threads and locks
        self._conn, child = ctx.Pipe()
        self._cancel = ctx.Event()
        self._lock = threading.Lock()  # one request at a time, like a model
        self._pixels_key: Optional[str] = None  # the image whose RGB the child holds for retypes
        self._proc = ctx.Process(target=_serve, args=(child, self._cancel,
                                 {"seg_model": seg_model, "cls_model": cls_model, "device": device, "views": views}),
                                 name="wbc-desktop-engine", daemon=True)
        self._proc.start()
        child.close()
        kind, payload = self._receive(None, no_progress, start_timeout_s)
        if kind != "ready":  # pragma: no cover - _receive raises on errors
            raise EngineError(f"unexpected reply {kind!r} from the analysis process")
        self.device: str = payload["device"]
        self.device_label: str = payload["label"]
        self._models: dict[str, dict] = payload["models"]

    def models_info(self) -> dict[str, dict]:
        return dict(self._models)

    @property
    def alive(self) -> bool:
        return self._proc.is_alive()

    def analyze(self, image: Any, progress: ProgressFn = no_progress, cancel: Optional[threading.Event] = None,
                **options: Any) -> Any:
        """Same contract as :meth:`Pipeline.analyze`; ``cancel`` is forwarded to the child."""
        with self._lock:
            if not self._proc.is_alive():
                raise EngineError("the analysis process has stopped; reload the models")
            self._cancel.clear()
            self._conn.send(("analyze", image, options))
            return self._receive(cancel, progress, None)[1]

    def analyze_slide(self, path: Any, shape: Any, factor: float, progress: ProgressFn = no_progress,
                      cancel: Optional[threading.Event] = None, partial: Any = None, **options: Any) -> Any:
        """Same contract as :meth:`Pipeline.analyze_slide`; ``partial`` gets the result so far."""
        with self._lock:
            if not self._proc.is_alive():
                raise EngineError("the analysis process has stopped; reload the models")
            self._cancel.clear()
            self._conn.send(("slide", str(path), tuple(shape), float(factor), options))
            return self._receive(cancel, progress, None, partial)[1]

    def retype(self, image: Any, analysis: Any, cell_ids: list[int]) -> dict[int, dict]:
        """Same contract as :meth:`Pipeline.retype`: snapshots the cells, then :meth:`retype_request`."""
        from wbc_desktop.core.cells.retype import make_request

        req = make_request(analysis, cell_ids)
        if req is None:
            return {}
        pixels = getattr(image, "pixels", image)
        return self.retype_request(pixels, req, key=f"{getattr(image, 'path', '')}:{id(pixels)}")

    def retype_request(self, pixels: Any, request: Any, key: str) -> dict[int, dict]:
        """Retype the cells of a :class:`~wbc_desktop.core.cells.retype.RetypeRequest`.

        ``pixels`` (the image's RGB) cross the pipe only when ``key`` differs from the last one sent.
        """
        with self._lock:
            if not self._proc.is_alive():
                raise EngineError("the analysis process has stopped; reload the models")
            send = pixels if key != self._pixels_key else None
            self._conn.send(("retype", key, send, request))
            kind, payload = self._receive(None, no_progress, None)
            if kind == "missing":  # the child lost the image (should not happen): send it again
                self._conn.send(("retype", key, pixels, request))
                kind, payload = self._receive(None, no_progress, None)
            self._pixels_key = key
            return payload

    def type_by_examples(self, request: Any) -> dict:
        """Same contract as :meth:`Pipeline.type_by_examples` (lab learning), answered by the child."""
        with self._lock:
            if not self._proc.is_alive():
                raise EngineError("the analysis process has stopped; reload the models")
            self._conn.send(("examples", request))
            return self._receive(None, no_progress, None)[1]

    def _receive(self, cancel: Optional[threading.Event], progress: ProgressFn,
                 timeout_s: Optional[float], partial: Any = None) -> tuple[str, Any]:
        waited = 0.0
        while True:
            if cancel is not None and cancel.is_set():
                self._cancel.set()
            if not self._conn.poll(_POLL_S):
                waited += _POLL_S
                if not self._proc.is_alive():
                    raise EngineError(f"the analysis process stopped unexpectedly (exit code {self._proc.exitcode})")
                if timeout_s is not None and waited > timeout_s:
                    self.close()
                    raise EngineError(f"the analysis process did not answer within {timeout_s:.0f} s")
                continue
            try:
                kind, payload = self._conn.recv()
            except (EOFError, OSError):
                raise EngineError("the analysis process stopped unexpectedly") from None
            if kind == "progress":
                progress(*payload)
            elif kind == "partial":
                if partial is not None:
                    partial(payload)
            elif kind == "error":
                raise _rebuild(*payload)
            else:
                return kind, payload

    def close(self, timeout_s: float = 5.0) -> None:
        """Ask the child to quit; kill it if it does not."""
        try:
            self._conn.send(("quit",))
        except (OSError, ValueError):
            pass
        self._proc.join(timeout_s)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join(1.0)
        self._conn.close()

    def __enter__(self) -> "PipelineProcess":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
