"""Atomic writes: a crash or a kill leaves either the old file or the new one, never half of one.

Every file the app writes (masks, tables, reviews, model cards) goes through here.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from wbc_desktop.core.io.images import PathLike


def atomic_write_bytes(path: PathLike, data: bytes) -> None:
    """Write bytes so that a crash leaves either the old file or the new one, never half of one."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_text(path: PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def encode_png(arr: np.ndarray) -> bytes:
    import io as _io

    from PIL import Image

    buf = _io.BytesIO()
    Image.fromarray(np.ascontiguousarray(arr)).save(buf, format="PNG")
    return buf.getvalue()


def write_png_atomic(path: PathLike, arr: np.ndarray) -> None:
    """Save a uint8 array as PNG atomically."""
    atomic_write_bytes(path, encode_png(arr))
