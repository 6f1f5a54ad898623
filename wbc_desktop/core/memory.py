"""Keep a long run's memory flat: bound torch's native caches and hand freed memory back.

Why (measured, training/reports/speed/one-pass.md): one ``analyze`` over PBC images grew by about 0.5 MB
per image while Python's own heap (tracemalloc) stayed flat. Two native causes:

- oneDNN/ideep, which runs torch's CPU convolutions, caches a compiled primitive per input shape
  (``LRU_CACHE_CAPACITY``, default 1024). Every image reaches the network at its own size (its
  scale comes from its red cells), so the cache fills with shapes that never come back;
- glibc keeps freed blocks in its heap (its mmap threshold rises after large frees), so each
  differently sized array can leave a hole.

:func:`bound_native_caches` sets both oneDNN cache capacities (unless the user set them) before the
first convolution; :func:`release_freed_memory` asks glibc to return free heap pages after an image.
Both do nothing where they do not apply (another C library, a GPU).
"""

from __future__ import annotations

import ctypes
import os
import sys

CACHE_CAPACITY = "16"  # shapes kept per primitive kind: the recent sizes of one batch still hit
_libc: "ctypes.CDLL | bool | None" = None  # None: not looked up yet; False: not glibc


def bound_native_caches() -> None:
    """Cap oneDNN's per-shape caches (effective when called before torch's first CPU convolution)."""
    for var in ("LRU_CACHE_CAPACITY", "ONEDNN_PRIMITIVE_CACHE_CAPACITY"):
        os.environ.setdefault(var, CACHE_CAPACITY)


def release_freed_memory() -> bool:
    """``malloc_trim(0)``: give the C heap's free pages back to the system (glibc only); True if done."""
    global _libc
    if not sys.platform.startswith("linux"):
        return False
    if _libc is None:
        try:
            _libc = ctypes.CDLL("libc.so.6")
            _libc.malloc_trim  # noqa: B018 (absent from musl: AttributeError)
        except (OSError, AttributeError):
            _libc = False
    if not isinstance(_libc, ctypes.CDLL):
        return False
    _libc.malloc_trim(0)
    return True
