"""Corrected masks from other tools, read strictly: a file that is not clearly a class map is
refused with one line naming it, rather than guessed at (a guessed mask would become a label)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np

from wbc_desktop.core.errors import InputError

MASK_SUFFIXES = (".png", ".tif", ".tiff", ".bmp")
STRAY_TOLERANCE = 0.005  # fraction of pixels off the levels that is still read as antialiasing noise


def read_class_mask(path: Path | str, shape: Optional[tuple[int, int]] = None) -> np.ndarray:
    """A 0/128/255 or 0/1/2 mask (PNG, BMP) or class-label TIFF as a class map (0/1/2, uint8)."""
    p = Path(path)
    try:
        if p.suffix.lower() in (".tif", ".tiff"):
            import tifffile

            arr = np.asarray(tifffile.imread(p))
        else:
            from PIL import Image

            with Image.open(p) as f:
                im = f.convert("L") if f.mode in ("RGB", "RGBA", "P", "LA") else f
                arr = np.asarray(im)
    except FileNotFoundError:
        raise InputError(f"{p.name}: file not found") from None
    except Exception as e:
        raise InputError(f"{p.name}: not a readable mask ({str(e).splitlines()[0] if str(e) else type(e).__name__})") \
            from None
    arr = np.squeeze(arr)
    if arr.ndim == 3:
        arr = arr[..., 0]
    if arr.ndim != 2:
        raise InputError(f"{p.name}: a mask must be one 2-D image, this one has shape {arr.shape}")
    if shape is not None and arr.shape != tuple(shape):
        raise InputError(f"{p.name}: mask is {arr.shape[1]}x{arr.shape[0]} but its image is {shape[1]}x{shape[0]}")
    vals, counts = np.unique(arr, return_counts=True)
    sets = (((0, 1, 2), 0),) if vals.max() <= 2 else (((0, 128, 255), 3),)  # 127 or 254: other tools' rounding
    for levels, slack in sets:
        lv = np.asarray(levels, float)
        near = np.abs(vals[:, None].astype(float) - lv[None]).min(1) <= slack
        if counts[~near].sum() <= STRAY_TOLERANCE * arr.size and near.any():
            return np.abs(arr[..., None].astype(float) - lv).argmin(-1).astype(np.uint8)
    shown = ", ".join(str(v) for v in vals[:6]) + (" ..." if len(vals) > 6 else "")
    raise InputError(f"{p.name}: unexpected mask values ({shown}); expected 0/128/255 or 0/1/2 "
                     "(background/cytoplasm/nucleus)")


def find_masks(folder: Path | str) -> dict[str, Path]:
    """Mask files of a folder by stem (``x.png`` and ``x_mask.png`` both match image ``x``)."""
    out: dict[str, Path] = {}
    for q in sorted(Path(folder).iterdir()):
        if q.is_file() and q.suffix.lower() in MASK_SUFFIXES:
            stem = q.stem[:-5] if q.stem.endswith("_mask") else q.stem
            out.setdefault(stem, q)
    return out
