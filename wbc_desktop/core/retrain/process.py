"""A retraining run hosted in its own child process, with events, cancel, kill and a result.

Why a process and not a thread: training imports torch and keeps every core busy for a minute
or more; torch's import holds the GIL for hundreds of milliseconds and its kernels hold it in
bursts, so a thread in the window's process would stall the window. A "spawn" child (never
fork: it would copy the parent's Qt threads and locks) runs
``run_retrain(settings, on_event, should_stop)`` and streams each event dict over a queue; the
parent only ever polls that queue without blocking (:meth:`TrainingProcess.poll`).

* cancel: a shared ``Event`` that the engine's ``should_stop`` reads; the engine then returns
  a result with ``cancelled=True`` and has written nothing;
* kill: ``terminate()`` (then ``kill()``); the engine writes a version into a temporary folder
  and renames it into place only when training finished, so a killed run leaves none.

The settings cross as keyword arguments and are turned into the engine's ``RetrainSettings``
inside the child, so the parent never imports the engine (nor torch). Qt-free: the GUI wraps
this in ``gui.wizard.launcher``; scripts may use :meth:`TrainingProcess.wait`.
"""

from __future__ import annotations

import importlib
import os
import multiprocessing as mp
import queue as queue_mod
import time
from typing import Any, Optional

from wbc_desktop.core import errors

ENGINE = "wbc_desktop.core.retrain"  # module with RetrainSettings and run_retrain
NICE = 10  # the training yields the CPU to the window (see _train)
MAX_PER_POLL = 500  # messages handled per poll, so one poll never takes long


class TrainingError(errors.WbcError):
    """The training process failed; the message is the child's, in one line."""


def _engine_parts(engine: str) -> tuple[Any, Any]:
    mod = importlib.import_module(engine)
    run = getattr(mod, "run_retrain", None)
    if run is None:  # the function may live only in the engine submodule
        run = importlib.import_module(engine + ".engine").run_retrain
    return mod.RetrainSettings, run


def _send_preview(kwargs: dict[str, Any], result: Any, out: Any) -> None:
    """Old/new overlays of held-out images (best effort; see core.retrain.preview)."""
    try:
        from wbc_desktop.core.retrain.preview import overlays

        out.put(("event", {"kind": "stage", "model": "segmenter", "text": "drawing old and new overlays"}))
        out.put(("preview", overlays(kwargs, result)))
    except Exception as e:  # noqa: BLE001 - the result matters more than its pictures
        out.put(("event", {"kind": "log", "text": f"no overlay preview: {e}"}))


def _train(engine: str, kwargs: dict[str, Any], out: Any, stop: Any, preview: bool = True) -> None:
    """Child process main: build the settings, train, send events and then the result.

    The child runs at a lower priority: on a 2-core laptop the window's process then gets the
    CPU whenever it needs it, and the training takes the rest.
    """
    try:
        os.nice(NICE)
    except (AttributeError, OSError):  # Windows has no nice(); priority is a courtesy
        pass
    try:
        settings_cls, run = _engine_parts(engine)
        settings = settings_cls(**kwargs)
        result = run(settings, on_event=lambda e: out.put(("event", e)), should_stop=stop.is_set)
        if preview and not getattr(result, "cancelled", False) and not stop.is_set():
            _send_preview(kwargs, result, out)
        out.put(("result", result))
    except BaseException as e:  # noqa: BLE001 - every failure must reach the parent as a message
        text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        out.put(("error", (type(e).__name__, text)))
    finally:
        out.close()
        out.join_thread()  # everything reaches the pipe before the process ends


class TrainingProcess:
    """One retraining run in a spawned child process (see the module docstring).

    Parameters
    ----------
    settings : keyword arguments of the engine's ``RetrainSettings`` (paths, numbers, strings).
    engine : importable module providing ``RetrainSettings`` and ``run_retrain``; tests pass a
        fake engine with the same signature.
    preview : after training, draw old/new overlays of a few held-out images (core.retrain.preview).
    """

    def __init__(self, settings: dict[str, Any], engine: str = ENGINE, preview: bool = True) -> None:
        ctx = mp.get_context("spawn")
        self._queue = ctx.Queue()
        self._stop = ctx.Event()
        self._proc = ctx.Process(target=_train, args=(engine, dict(settings), self._queue, self._stop, preview),
                                 name="wbc-desktop-training", daemon=True)
        self.result: Any = None
        self.error: Optional[str] = None
        self.error_type: Optional[str] = None
        self.killed = False
        self._done = False
        self._dead_since: Optional[float] = None

    def start(self) -> "TrainingProcess":
        self._proc.start()
        return self

    @property
    def done(self) -> bool:
        """A result or an error arrived, or the process is gone."""
        return self._done

    @property
    def alive(self) -> bool:
        return self._proc.is_alive()

    @property
    def pid(self) -> Optional[int]:
        return self._proc.pid

    def cancel(self) -> None:
        """Ask the engine to stop at its next check; it returns a cancelled result, writes nothing."""
        self._stop.set()

    def kill(self) -> None:
        """Stop the process at once (the engine's temp-folder writes leave no version behind)."""
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(2.0)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join(2.0)
        if not self._done:
            self.killed, self._done = True, True
            self.error = "training was stopped"
        self._close_queue()

    def poll(self) -> list[tuple[str, Any]]:
        """The messages that arrived since the last call, never waiting.

        Each is ``("event", dict)``, ``("preview", [overlay dicts])``, ``("result", RetrainResult)``
        or ``("error", text)``; a
        child that died without a word yields one ``("error", ...)`` (after a short grace for
        the queue's last bytes).
        """
        msgs: list[tuple[str, Any]] = []
        if self._done:
            return msgs
        for _ in range(MAX_PER_POLL):
            try:
                kind, payload = self._queue.get_nowait()
            except queue_mod.Empty:
                break
            except (EOFError, OSError, ValueError):  # queue closed under us
                break
            if kind == "result":
                self.result, self._done = payload, True
            elif kind == "error":
                self.error_type, text = payload
                self.error, self._done = text, True
                payload = text
            msgs.append((kind, payload))
            if self._done:
                # No join here: the child may take seconds to tear torch down, and a poll must
                # never wait. It exits on its own (daemon); multiprocessing reaps it later.
                self._close_queue()
                return msgs
        if not msgs and not self._proc.is_alive():
            now = time.monotonic()
            self._dead_since = self._dead_since or now
            if now - self._dead_since > 0.5:  # nothing more will come
                self._done = True
                self.error = f"the training process stopped unexpectedly (exit code {self._proc.exitcode})"
                self._close_queue()
                msgs.append(("error", self.error))
        return msgs

    def wait(self, timeout_s: Optional[float] = None, interval_s: float = 0.05,
             on_message: Any = None) -> Any:
        """Block until done (for scripts and tests); returns the result or raises TrainingError."""
        end = None if timeout_s is None else time.monotonic() + timeout_s
        while not self._done:
            for msg in self.poll():
                if on_message is not None:
                    on_message(msg)
            if end is not None and time.monotonic() > end:
                self.kill()
                raise TrainingError(f"training did not finish within {timeout_s:.0f} s")
            time.sleep(interval_s)
        if self.error is not None:
            raise TrainingError(self.error)
        return self.result

    def _close_queue(self) -> None:
        try:
            self._queue.close()
            self._queue.cancel_join_thread()
        except (OSError, ValueError):
            pass
