"""The worst stall a person would feel: a 10 ms QTimer on the GUI thread, the longest gap between beats."""

from __future__ import annotations

import time


class Heartbeat:
    """A 10 ms QTimer on the GUI thread; the longest gap between beats is the worst stall."""

    def __init__(self, interval_ms: int = 10) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.timeout.connect(self._beat)
        self.timer.start(interval_ms)

    def _beat(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self._last) * 1e3)
        self._last = now

    def stop(self) -> float:
        self.timer.stop()
        return max(self.gaps) if self.gaps else 0.0
