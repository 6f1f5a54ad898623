"""Normalised cell crops: the classifier's input, shared by training and inference.

Why: a classifier fed whole images learns the source's magnification and framing (a PBC
model scored ~40% on the 300x300 CellaVision images as they are). Cropping around the
*segmented* cell, centred on its centroid and scaled so its segmented diameter fills a fixed
fraction of the crop, removes both. The crop carries RGB plus this cell's nucleus and
cytoplasm masks (5 channels, uint8, HxWxC).

Training caches crops at a larger size with the same pixel scale (``context_spec``) so that
scale/rotation jitter can be applied later; the centre ``size`` x ``size`` of such a cache
crop equals what :func:`crop_cell` gives at inference.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np
import torch
from PIL import Image
from scipy import ndimage as ndi

RGB_MEAN = 0.5  # RGB scaled to [0,1], then (x - mean) / std
RGB_STD = 0.25


@dataclass(frozen=True)
class CropSpec:
    """How a cell becomes a crop.

    size : crop side in pixels.
    fill : the segmented (area-equivalent) diameter as a fraction of the crop side.
    mode : "segmented" (RGB + nucleus + cytoplasm, 5 channels) or "image" (whole image
        resized, RGB only: the baseline without segmentation).
    white_balance : divide RGB by the image's brightest colour first (stain/illumination
        differences between scanners shrink).
    min_diameter : model pixels; cells segmented smaller than this are scaled as if this big,
        so a platelet stays small in its crop instead of being blown up to a WBC's size
        (absolute size is a cue, and model pixels make it magnification-free).
    """

    size: int = 64
    fill: float = 0.6
    mode: str = "segmented"
    white_balance: bool = True
    min_diameter: float = 30.0

    @property
    def channels(self) -> int:
        return 5 if self.mode == "segmented" else 3

    def to_card(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(channels=self.channels, rgb_mean=RGB_MEAN, rgb_std=RGB_STD,
                 channel_names=["r", "g", "b", "nucleus", "cytoplasm"][: self.channels])
        return d

    @classmethod
    def from_card(cls, d: dict[str, Any]) -> "CropSpec":
        return cls(size=int(d.get("size", 64)), fill=float(d.get("fill", 0.6)),
                   mode=str(d.get("mode", "segmented")), white_balance=bool(d.get("white_balance", True)),
                   min_diameter=float(d.get("min_diameter", 0.0)))


def context_spec(spec: CropSpec, factor: float = 1.5) -> CropSpec:
    """A larger crop at the same pixel scale (for caching before geometric jitter)."""
    size = int(round(spec.size * factor))
    return CropSpec(size=size, fill=spec.fill * spec.size / size, mode=spec.mode, white_balance=spec.white_balance,
                    min_diameter=spec.min_diameter)


def white_balance(rgb: np.ndarray) -> np.ndarray:
    """Scale each channel so the image's brightest 2% (the slide's background) becomes ~245."""
    return apply_white(rgb, white_point(rgb))


def white_point(rgb: np.ndarray) -> np.ndarray:
    """The mean colour of the image's brightest 2% (the slide's background), per channel."""
    step = max(1, int(np.sqrt(rgb.shape[0] * rgb.shape[1] / 10000)))  # ~10k samples: the top 2% is ~200 px
    sub = rgb[::step, ::step]
    lum = sub.sum(axis=2, dtype=np.uint16)  # exact integer sums: no float copy of the sample
    flat = lum.ravel()
    k = int(0.98 * (flat.size - 1))
    thr = np.partition(flat, k)[k]  # the 98th percentile without a full sort
    white = sub[lum >= thr].mean(axis=0, dtype=np.float64).astype(np.float32)
    return np.maximum(white, 40.0)


def apply_white(rgb: np.ndarray, white: np.ndarray) -> np.ndarray:
    """Pointwise, so applying it to a window equals cutting the window from the balanced image."""
    return np.clip(rgb.astype(np.float32) * (245.0 / white) + 0.5, 0, 255).astype(np.uint8)


def white_tables(white: np.ndarray) -> np.ndarray:
    """3x256 lookup tables equal to :func:`apply_white` per channel: a table lookup per pixel
    costs far less than the float arithmetic, and the values are the same (tested)."""
    return apply_white(np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1), white).T.copy()


def cell_geometry(mask: np.ndarray) -> tuple[float, float, float]:
    """Centroid (x, y) and area-equivalent diameter of a boolean cell mask.

    From row and column counts (exact integer sums, so the same floats as the mean of the
    pixels' coordinates) instead of listing every pixel.
    """
    cols = np.count_nonzero(mask, axis=0)
    n = int(cols.sum())
    if n == 0:
        raise ValueError("empty cell mask")
    rows = np.count_nonzero(mask, axis=1)
    sx = int(cols @ np.arange(len(cols), dtype=np.int64))
    sy = int(rows @ np.arange(len(rows), dtype=np.int64))
    return sx / n, sy / n, float(2.0 * np.sqrt(n / np.pi))


def _resample(img: Image.Image, box: tuple[float, float, float, float], size: int) -> np.ndarray:
    return np.asarray(img.resize((size, size), Image.Resampling.BILINEAR, box=box))


def crop_cell(
    rgb: np.ndarray,
    nucleus: np.ndarray,
    cytoplasm: np.ndarray,
    center: tuple[float, float],
    diameter: float,
    spec: CropSpec,
) -> np.ndarray:
    """One normalised crop, HxWx5 uint8 (RGB, nucleus*255, cytoplasm*255).

    Parts of the crop outside the image repeat the edge colour (masks: 0), so a cell at
    the border does not get a black frame the classifier never saw in training.
    """
    H, W = rgb.shape[:2]
    side = max(diameter, 4.0) / spec.fill
    cx, cy = center
    x0, y0 = cx + 0.5 - side / 2, cy + 0.5 - side / 2  # pixel centres at +0.5 in PIL boxes
    over = max(0.0, -x0, -y0, x0 + side - W, y0 + side - H)
    pad = int(np.ceil(over)) + 2 if over > 0 else 0  # np.pad(edge) is slow: only when the box leaves the image
    box = (x0 + pad, y0 + pad, x0 + side + pad, y0 + side + pad)
    rgb_p = np.pad(rgb, ((pad, pad), (pad, pad), (0, 0)), mode="edge") if pad else rgb
    out = np.empty((spec.size, spec.size, 5), np.uint8)
    out[..., :3] = _resample(Image.fromarray(np.ascontiguousarray(rgb_p)), box, spec.size)
    # each mask as a one-band image: same values as resampling them as bands of one RGB image
    # (tested), in less time than the four bytes per pixel of an RGB resample
    for c, m in ((3, nucleus), (4, cytoplasm)):
        band = np.zeros((H + 2 * pad, W + 2 * pad), np.uint8) if pad else np.empty((H, W), np.uint8)
        np.multiply(m, 255, out=band[pad:pad + H, pad:pad + W], casting="unsafe")
        out[..., c] = _resample(Image.fromarray(band), box, spec.size)
    return out


def image_crop(rgb: np.ndarray, spec: CropSpec) -> np.ndarray:
    """The baseline's input: the whole image resized (no segmentation), HxWx3 uint8."""
    img = white_balance(rgb) if spec.white_balance else rgb
    return np.asarray(Image.fromarray(np.ascontiguousarray(img)).resize((spec.size, spec.size), Image.Resampling.BILINEAR))


def cell_crops(
    rgb: np.ndarray,
    class_map: np.ndarray,
    instances: np.ndarray,
    cell_ids: Sequence[int],
    spec: CropSpec,
    scale: float = 1.0,
    boxes: Sequence[tuple[int, int, int, int]] | None = None,
) -> np.ndarray:
    """Crops for several cells of one image, NxHxWxC uint8 (C = spec.channels).

    ``scale`` (model pixels per input pixel) only matters for ``spec.min_diameter``.
    ``boxes`` (x0, y0, x1, y1 per cell, as in :class:`~wbc_desktop.core.analysis.Cell`) spare a
    scan of the whole label image; a box that misses its cell falls back to that scan.
    """
    if spec.mode == "image":
        one = image_crop(rgb, spec)
        return np.repeat(one[None], len(cell_ids), axis=0)
    # balance only the windows that are cut (the whole image costs more than all crops of a field)
    tables = white_tables(white_point(rgb)) if spec.white_balance else None
    out = np.empty((len(cell_ids), spec.size, spec.size, 5), np.uint8)
    H, W = instances.shape
    scanned: list | None = None
    for i, cid in enumerate(cell_ids):
        # geometry from the cell's bounding box, then crop from a local window only: whole-image
        # work per cell would make crowded fields slow
        bs = None
        if boxes is not None:
            bx0, by0, bx1, by1 = boxes[i]
            bs = (slice(max(0, by0), min(H, by1)), slice(max(0, bx0), min(W, bx1)))
            if not (instances[bs] == cid).any():
                bs = None
        if bs is None:
            if scanned is None:
                scanned = ndi.find_objects(instances)
            bs = scanned[cid - 1] if 0 < cid <= len(scanned) else None
        if bs is None:
            raise ValueError(f"no pixels for cell {cid}")
        m = instances[bs] == cid
        cx, cy, d = cell_geometry(m)
        cx, cy = cx + bs[1].start, cy + bs[0].start
        d = max(d, spec.min_diameter / max(scale, 1e-6))
        half = d / spec.fill / 2 + 3
        y0, y1 = max(0, int(cy - half)), min(H, int(np.ceil(cy + half)) + 1)
        x0, x1 = max(0, int(cx - half)), min(W, int(np.ceil(cx + half)) + 1)
        win = instances[y0:y1, x0:x1] == cid
        cw = class_map[y0:y1, x0:x1]
        out[i] = crop_cell(rgb[y0:y1, x0:x1], win & (cw == 2), win & (cw == 1), (cx - x0, cy - y0), d, spec)
    if tables is not None:  # balancing after resampling: same up to rounding, far fewer pixels
        for c in range(3):
            out[..., c] = tables[c][out[..., c]]
    return out


def to_tensor(crops: np.ndarray | torch.Tensor) -> torch.Tensor:
    """NxHxWxC uint8 crops -> NxCxHxW float input (RGB standardised, masks in [0,1])."""
    t = torch.as_tensor(crops)
    return standardise(t.permute(0, 3, 1, 2).float().div_(255.0)).contiguous()


def standardise(x: torch.Tensor) -> torch.Tensor:
    """NxCxHxW floats in [0, 1] -> network input (in place on the RGB channels)."""
    x[:, :3].sub_(RGB_MEAN).div_(RGB_STD)
    return x
