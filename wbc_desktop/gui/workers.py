"""Run core functions off the GUI thread with progress, cancel and errors as Qt signals.

The core takes ``progress(done, total, message)`` and a ``threading.Event``; a :class:`Job`
hands it exactly those, and turns the outcome into queued signals, so the GUI thread only
ever receives results and never waits. (The same idea as superqt's ``thread_worker``, kept
tiny so its life cycle is obvious.)
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

JobFn = Callable[[Callable[[int, int, str], None], threading.Event], Any]


class JobSignals(QObject):
    """Signals live on a QObject owned by the GUI thread; emitting from the worker queues them."""

    progress = Signal(int, int, str)
    result = Signal(object)
    failed = Signal(object)  # the exception
    finished = Signal()


class Job(QRunnable):
    """One call of ``fn(progress, cancel)`` in a thread pool."""

    def __init__(self, fn: JobFn) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python keeps the reference until ``finished``
        self.fn = fn
        self.cancel = threading.Event()
        self.signals = JobSignals()

    def run(self) -> None:
        try:
            out = self.fn(self.signals.progress.emit, self.cancel)
        except BaseException as e:  # every failure reaches the GUI as a message, never a crash
            log.debug("job failed", exc_info=True)
            self.signals.failed.emit(e)
        else:
            self.signals.result.emit(out)
        finally:
            self.signals.finished.emit()


class SerialPool:
    """A one-thread pool: models are not re-entrant and torch already uses every core."""

    def __init__(self) -> None:
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(1)
        self._alive: set[Job] = set()

    def start(self, job: Job) -> Job:
        self._alive.add(job)
        job.signals.finished.connect(lambda: self._alive.discard(job))
        self.pool.start(job)
        return job

    def wait(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)
