"""Qt face of :class:`~wbc_desktop.core.retrain.process.TrainingProcess`.

A QTimer polls the child's queue (never blocking: each poll takes what has arrived and
returns), and the launcher turns the engine's event dicts into Qt signals that the status bar,
the wizard's live page and the result page listen to. One run at a time.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from PySide6.QtCore import QObject, QTimer, Signal

from wbc_desktop.core.retrain.process import ENGINE, TrainingProcess

log = logging.getLogger(__name__)

POLL_MS = 50


def format_eta(seconds: Optional[float]) -> str:
    """'1 min 05 s left' / '12 s left' / '' (unknown)."""
    if seconds is None or seconds != seconds or seconds < 0:
        return ""
    s = int(round(seconds))
    return f"{s // 60} min {s % 60:02d} s left" if s >= 60 else f"{s} s left"


class TrainingLauncher(QObject):
    """Starts a retraining run and reports it by signals (see the module docstring)."""

    started = Signal()
    event = Signal(dict)  # every engine event, as sent
    progress = Signal(float, str)  # overall fraction 0..1, one line for a status bar
    preview = Signal(list)  # [{"image", "old", "new", "truth"}] RGB overlays of held-out images
    finished = Signal(object)  # RetrainResult of a run that was not cancelled
    cancelled = Signal()
    failed = Signal(str)  # one line
    stopped = Signal()  # after any of finished / cancelled / failed

    def __init__(self, engine: str = ENGINE, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.process: Optional[TrainingProcess] = None
        self.settings: dict[str, Any] = {}
        self.result: Any = None
        self.previews: list[dict] = []
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._models: tuple[str, ...] = ()
        self._fraction = 0.0

    @property
    def running(self) -> bool:
        return self.process is not None and not self.process.done

    def start(self, settings: dict[str, Any]) -> None:
        """Start a run with the engine's RetrainSettings as keyword arguments."""
        if self.running:
            raise RuntimeError("a retraining is already running")
        self.settings, self.result, self.previews = dict(settings), None, []
        self._models = tuple(settings.get("models", ("segmenter", "classifier")))
        self._fraction = 0.0
        self.process = TrainingProcess(self.settings, engine=self.engine).start()
        self._timer.start()
        self.started.emit()
        self.progress.emit(0.0, "Retraining in the background (keep reviewing): starting…")

    def cancel(self) -> None:
        """Ask the engine to stop; ``cancelled`` follows when it has (nothing is written)."""
        if self.running:
            self.process.cancel()
            self.progress.emit(self._fraction, "Retraining: cancelling…")

    def kill(self) -> None:
        """Stop at once (the app is closing); no signal but ``stopped``."""
        self._timer.stop()
        if self.process is not None and not self.process.done:
            self.process.kill()
            self.stopped.emit()

    def _poll(self) -> None:
        proc = self.process
        if proc is None:
            self._timer.stop()
            return
        for kind, payload in proc.poll():
            if kind == "event":
                self._on_event(payload)
            elif kind == "preview":
                self.previews = list(payload)
                self.preview.emit(self.previews)
            elif kind == "result":
                self._timer.stop()
                self.result = payload
                if getattr(payload, "cancelled", False):
                    self.cancelled.emit()
                else:
                    self.progress.emit(1.0, "Retraining finished")
                    self.finished.emit(payload)
                self.stopped.emit()
            elif kind == "error":
                self._timer.stop()
                self.failed.emit(str(payload))
                self.stopped.emit()

    def _on_event(self, e: dict) -> None:
        self.event.emit(e)
        kind = e.get("kind")
        model = str(e.get("model", ""))
        if kind == "stage":
            head = f"Retraining {model}" if model else "Retraining"
            self.progress.emit(self._fraction, f"{head}: {e.get('text', '')}".rstrip(": "))
        elif kind == "step":
            steps = max(1, int(e.get("steps") or 1))
            i = self._models.index(model) if model in self._models else 0
            frac = (i + min(1.0, float(e.get("step", 0)) / steps)) / max(1, len(self._models))
            self._fraction = max(self._fraction, frac)
            eta = format_eta(e.get("eta_s"))
            loss = e.get("loss")
            text = f"Retraining {model}: step {e.get('step')}/{steps}"
            if loss is not None:
                text += f" · loss {float(loss):.3f}"
            self.progress.emit(self._fraction, text + (f" · {eta}" if eta else ""))
