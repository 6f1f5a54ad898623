"""A project's cell ids on disk: one 16-bit grayscale PNG per image (``instances/``, ``model-instances/``).

Why apart: the project writes them, reading back and retraining read them; a damaged file must
cost only its cells' ids (they are found again from the mask), never the opening of the project.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np
from PIL import Image

log = logging.getLogger(__name__)


def encode_instances(inst: np.ndarray) -> bytes:
    """Cell ids as a 16-bit grayscale PNG (Pillow reads it back as mode I;16 / I)."""
    if inst.size and int(inst.max()) > 65535:
        raise ValueError("more than 65535 cell ids in one image")
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(inst.astype(np.uint16))).save(buf, format="PNG")
    return buf.getvalue()


def read_instances(path: Path, shape: tuple[int, int]) -> np.ndarray | None:
    """The ids of ``path``; ``None`` when the file is damaged or not of ``shape``."""
    try:
        with Image.open(path) as im:
            arr = np.asarray(im).astype(np.int32)
    except Exception as e:  # a damaged file: the cells are recomputed from the mask instead
        log.warning("%s: unreadable (%s); cells recomputed from the mask", path.name, e)
        return None
    return arr if arr.shape == tuple(shape) else None
