"""Progress and cancellation shared by every long job.

The core never knows who is watching: a Qt worker, a terminal bar or a test passes a
``progress(done, total, message)`` callable and a ``threading.Event`` as cancel token.
"""

from __future__ import annotations

import sys
import threading
from typing import Callable, Optional

from wbc_desktop.core.errors import Cancelled

ProgressFn = Callable[[int, int, str], None]


def no_progress(done: int, total: int, message: str) -> None:
    """Default progress sink: drop everything."""


def check_cancel(cancel: Optional[threading.Event]) -> None:
    """Raise :class:`Cancelled` if the user asked to stop."""
    if cancel is not None and cancel.is_set():
        raise Cancelled()


def terminal_progress(done: int, total: int, message: str) -> None:
    """A one-line progress display for the CLI (stderr, so stdout stays parseable)."""
    width = 30
    frac = 0.0 if total <= 0 else min(1.0, done / total)
    bar = "#" * int(frac * width)
    sys.stderr.write(f"\r[{bar:<{width}}] {done}/{total} {message[:60]:<60}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()
