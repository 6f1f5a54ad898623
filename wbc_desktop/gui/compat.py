"""Work around a PySide6 6.12.0 bug on Python < 3.12: every void Qt call drops a reference to None.

With that build a GUI dies with "Fatal Python error: none_dealloc" after a few thousand Qt
calls (seconds of use). Python 3.12 made None immortal, which hides the bug; on 3.11 we do the
same by giving None a huge reference count, but only after measuring that the bug is present.
The real fix is a PySide6 without the bug (pyproject pins ``!=6.12.0``); this keeps a user
who has it anyway from losing work.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)


def none_refcount_leaks() -> bool:
    """True when calling a void Qt method lowers None's reference count."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(50):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - 25


def guard_none_refcount() -> bool:
    """Make None effectively immortal when the bug is present; returns whether it acted."""
    if sys.version_info >= (3, 12) or not none_refcount_leaks():
        return False
    import PySide6

    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 50  # ob_refcnt is the first field
    log.warning("PySide6 %s loses references to None on Python %d.%d; worked around. "
                "Install another PySide6 version (e.g. 6.11) to fix it.", PySide6.__version__, *sys.version_info[:2])
    return True
