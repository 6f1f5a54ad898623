"""Reading images and masks of any common kind.

Every problem becomes an :class:`InputError` with one line naming the file; convertible
inputs (16-bit, grayscale, RGBA, palette) are converted and the conversion is noted so the
user knows what was analysed.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

import numpy as np

from wbc_desktop.core.errors import InputError

log = logging.getLogger(__name__)

PathLike = Union[str, "os.PathLike[str]"]

TIFF_LIKE = (".tif", ".tiff", ".svs", ".btf", ".tf8")  # Aperio SVS and BigTIFF are TIFFs
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", *TIFF_LIKE}
MAX_PIXELS = 120_000_000  # ~11k x 11k: beyond this a file is treated as a decompression bomb
MIN_SIDE = 16  # smaller than a few superpixels: nothing to segment
MASK_LEVELS = np.array([0, 128, 255])  # background, cytoplasm, nucleus (the public data's convention)


@dataclass
class ImageData:
    """An RGB uint8 image plus what we learned while reading it."""

    pixels: np.ndarray
    path: Optional[Path] = None
    notes: list[str] = field(default_factory=list)
    pixel_size_um: Optional[float] = None  # from file metadata when it says so

    @property
    def shape(self) -> tuple[int, int]:
        return self.pixels.shape[0], self.pixels.shape[1]


def list_images(paths: list[PathLike]) -> list[Path]:
    """Expand files and folders into a sorted list of image files (folders are not recursed)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.suffix.lower() in IMAGE_SUFFIXES and q.is_file()))
        else:
            out.append(p)
    return out


def describe_no_images(paths: list[PathLike]) -> str:
    """One line saying why ``paths`` gave no image, naming each (a folder called ``x.png`` included)."""
    why = []
    for p in map(Path, paths):
        if p.is_dir():
            kind = "a folder" + (f" (its name ends in {p.suffix}, but it is not an image file)" if p.suffix else "")
            why.append(f"{p.name or p}: {kind} with no {'/'.join(sorted(s[1:] for s in IMAGE_SUFFIXES))} images in it")
        elif not p.exists():
            why.append(f"{p.name or p}: not found")
    return "no images found in the given paths" + (": " + "; ".join(why) if why else "")


def to_rgb8(arr: np.ndarray, notes: list[str]) -> np.ndarray:
    """Convert any numeric image array to HxWx3 uint8, noting each conversion."""
    a = np.asarray(arr)
    if a.ndim == 3 and a.shape[0] in (3, 4) and a.shape[-1] not in (3, 4):
        a = np.moveaxis(a, 0, -1)  # planar TIFF
        notes.append("planar channels moved last")
    if a.ndim not in (2, 3):
        raise InputError(f"unsupported image layout {a.shape}")
    if a.dtype == bool:
        a = a.astype(np.uint8) * 255
    if a.dtype != np.uint8:
        if np.issubdtype(a.dtype, np.floating):
            a = np.nan_to_num(a.astype(np.float64))
            hi = 1.0 if a.max() <= 1.0 else float(a.max())
            a = np.clip(a / max(hi, 1e-12) * 255.0 + 0.5, 0, 255).astype(np.uint8)
            notes.append("floating-point image scaled to 8-bit")
        else:
            bits = np.iinfo(a.dtype).bits
            hi = int(a.max()) if a.size else 0
            # Many 16-bit cameras store 10-14 bits: stretch by the real range, not 65535.
            top = 2 ** max(8, int(np.ceil(np.log2(hi + 1)))) - 1 if hi > 255 else 255
            a = np.clip(a.astype(np.float64) * (255.0 / top) + 0.5, 0, 255).astype(np.uint8)
            notes.append(f"{bits}-bit image converted to 8-bit")
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=2)
        notes.append("grayscale image converted to RGB")
    elif a.shape[2] == 1:
        a = np.repeat(a, 3, axis=2)
        notes.append("single-channel image converted to RGB")
    elif a.shape[2] == 2:
        a = np.repeat(a[..., :1], 3, axis=2)
        notes.append("grayscale+alpha image converted to RGB")
    elif a.shape[2] == 4:
        alpha = a[..., 3:4].astype(np.float32) / 255.0
        a = (a[..., :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha) + 0.5).astype(np.uint8)
        notes.append("alpha channel composited on white")
    elif a.shape[2] > 4:
        a = a[..., :3]
        notes.append(f"{arr.shape[2]} channels: the first 3 used as RGB")
    return np.ascontiguousarray(a)


def _read_tiff(path: Path, notes: list[str]) -> tuple[np.ndarray, Optional[float]]:
    import tifffile

    with tifffile.TiffFile(path) as tif:
        page = tif.pages[0]
        shape = page.shape
        if int(np.prod(shape[:2])) > MAX_PIXELS:
            raise InputError(f"image is too large ({shape[1]}x{shape[0]} pixels; limit {MAX_PIXELS:,})")
        try:
            arr = page.asarray()
        except (ValueError, NotImplementedError, RuntimeError) as e:
            if "imagecodecs" not in str(e):
                raise
            arr = _read_pil(path, notes)  # Pillow's own LZW/Deflate/PackBits/JPEG decoders
            notes.append("TIFF decoded by Pillow (the 'imagecodecs' package is missing)")
        if len(tif.pages) > 1:
            notes.append(f"multi-page TIFF: page 1 of {len(tif.pages)} used")
        return arr, _tiff_pixel_size(page)


def _tiff_pixel_size(page) -> Optional[float]:
    """Pixel size in micrometres from TIFF resolution tags, when the unit is physical."""
    try:
        tags = page.tags
        if "XResolution" not in tags or "ResolutionUnit" not in tags:
            return None
        num, den = tags["XResolution"].value
        unit = int(tags["ResolutionUnit"].value)
        per_unit = num / den if den else 0
        if per_unit <= 0:
            return None
        if unit == 3:  # centimetre
            size = 1e4 / per_unit
        elif unit == 2:  # inch (often a meaningless 72 dpi default)
            size = 25400.0 / per_unit
        else:
            return None
        return size if 0.02 <= size <= 5.0 else None  # only plausible microscope pixel sizes
    except Exception:  # metadata is a bonus, never a reason to fail
        return None


def _read_pil(path: Path, notes: list[str]) -> np.ndarray:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as opened:
                im: Image.Image = opened
                w, h = im.size
                if w * h > MAX_PIXELS:
                    raise InputError(f"image is too large ({w}x{h} pixels; limit {MAX_PIXELS:,})")
                if im.mode == "P" or im.mode == "PA":
                    notes.append("palette image converted to RGB")
                    im = im.convert("RGBA" if "transparency" in im.info or im.mode == "PA" else "RGB")
                elif im.mode in ("CMYK", "YCbCr", "LAB", "HSV"):
                    notes.append(f"{im.mode} image converted to RGB")
                    im = im.convert("RGB")
                elif im.mode == "1":
                    im = im.convert("L")
                im.load()
                return np.asarray(im)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise InputError(f"image is too large (decompression bomb guard): {e}") from None


def read_image(path: PathLike) -> ImageData:
    """Read an image file as RGB uint8.

    Raises
    ------
    InputError
        With a one-line message naming the file, for anything that cannot be analysed.
    """
    p = Path(path)
    notes: list[str] = []
    try:
        if not p.exists():
            raise InputError("file not found")
        if p.is_dir():
            raise InputError("is a folder, not an image")
        if p.stat().st_size == 0:
            raise InputError("file is empty (0 bytes)")
        pixel_size = None
        if p.suffix.lower() in TIFF_LIKE:
            arr, pixel_size = _read_tiff(p, notes)
        else:
            arr = _read_pil(p, notes)
        rgb = to_rgb8(arr, notes)
    except InputError as e:
        raise InputError(f"{p.name}: {e}") from None
    except MemoryError:
        raise InputError(f"{p.name}: image is too large to load in memory") from None
    except Exception as e:  # PIL/tifffile raise many types for broken files
        kind = type(e).__name__
        msg = str(e).splitlines()[0] if str(e) else kind
        if "cannot identify" in msg.lower():
            raise InputError(f"{p.name}: not a readable image (unknown or damaged format)") from None
        if "truncated" in msg.lower() or isinstance(e, (OSError, EOFError, SyntaxError)):
            raise InputError(f"{p.name}: file is truncated or corrupt ({msg})") from None
        raise InputError(f"{p.name}: not a readable image ({msg})") from None
    h, w = rgb.shape[:2]
    if h < MIN_SIDE or w < MIN_SIDE:
        raise InputError(f"{p.name}: image is too small ({w}x{h}; at least {MIN_SIDE}x{MIN_SIDE} needed)")
    for n in notes:
        log.info("%s: %s", p.name, n)
    return ImageData(rgb, p, notes, pixel_size)


def read_mask(path: PathLike, shape: Optional[tuple[int, int]] = None) -> np.ndarray:
    """Read a 0/128/255 mask as a class map (0 background, 1 cytoplasm, 2 nucleus).

    Stray values (the public masks hold a few) map to the nearest level, with a log line.
    """
    p = Path(path)
    try:
        if not p.exists():
            raise InputError("file not found")
        if p.stat().st_size == 0:
            raise InputError("file is empty (0 bytes)")
        arr = _read_tiff(p, [])[0] if p.suffix.lower() in TIFF_LIKE else _read_pil(p, [])
    except InputError as e:
        raise InputError(f"{p.name}: {e}") from None
    except Exception as e:
        raise InputError(f"{p.name}: not a readable mask ({str(e).splitlines()[0] if str(e) else type(e).__name__})") from None
    if arr.ndim == 3:
        arr = arr[..., 0]
    if arr.dtype != np.uint8:
        if arr.max() <= 2:
            arr = (arr.astype(np.int64) * 127.5).astype(np.uint8)
        else:
            arr = np.clip(arr, 0, 255).astype(np.uint8)
    if shape is not None and arr.shape != tuple(shape):
        raise InputError(f"{p.name}: mask is {arr.shape[1]}x{arr.shape[0]} but its image is {shape[1]}x{shape[0]}")
    vals = np.unique(arr)
    if set(vals.tolist()) <= {0, 1, 2} and vals.max() <= 2:
        return arr.astype(np.uint8)  # already a class map
    stray = [int(v) for v in vals if v not in (0, 128, 255)]
    cls = np.abs(arr[..., None].astype(np.int16) - MASK_LEVELS[None, None, :]).argmin(-1).astype(np.uint8)
    if stray:
        n = int(np.isin(arr, stray).sum())
        log.warning("%s: %d pixels with stray values %s mapped to the nearest class", p.name, n, stray[:8])
    return cls


def class_map_to_mask(cls: np.ndarray) -> np.ndarray:
    """Class map (0/1/2) to the 0/128/255 file convention."""
    return MASK_LEVELS.astype(np.uint8)[np.clip(cls, 0, 2)]
