"""A simulated "new lab" for the retraining figures: the CellaVision images with another stain
and another pixel size, chosen because the shipped segmenter does badly on it (measured in
training/reports/retraining/retraining.md: mean Dice 0.769 on 14 val/test images, against 0.955 as they are).

Stain: hue turned by -50 degrees and saturation x1.4 (blue-violet nuclei on a pink plasma, as
some May-Gruenwald-Giemsa smears look); pixel size: x0.6 magnification (image Lanczos-free
PIL bilinear with antialiasing, masks nearest). Deterministic; no randomness.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from skimage.color import hsv2rgb, rgb2hsv

from training.lib.paths import DATA as SHARED_DATA
from wbc_desktop.core.io.atomic import write_png_atomic
from wbc_desktop.core.io.images import class_map_to_mask, read_image, read_mask
from wbc_desktop.core.segmentation.augment import resize

DATA = SHARED_DATA / "wbc-seg-cellavision"
HUE_DEG, SATURATION, SCALE = -50.0, 1.4, 0.6


def lab_image(rgb: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    hsv = rgb2hsv(rgb)
    hsv[..., 0] = (hsv[..., 0] + HUE_DEG / 360.0) % 1.0
    hsv[..., 1] = np.clip(hsv[..., 1] * SATURATION, 0, 1)
    out = (hsv2rgb(hsv) * 255 + 0.5).astype(np.uint8)
    h, w = mask.shape
    size = (round(w * SCALE), round(h * SCALE))
    return resize(out, size), resize(mask, size, nearest=True)


def rows(data: Path = DATA) -> list[dict[str, str]]:
    with open(data / "labels.csv", newline="") as f:
        return [{k: v.strip() for k, v in r.items()} for r in csv.DictReader(f)]


def make_lab(out: Path, data: Path = DATA) -> Path:
    """Write out/images, out/masks (0/128/255) and out/labels.csv (the source's split kept)."""
    out = Path(out)
    if (out / "labels.csv").is_file():
        return out
    for r in rows(data):
        rgb = read_image(data / "images" / r["image"]).pixels
        m = read_mask(data / "masks" / r["image"], rgb.shape[:2])
        a, b = lab_image(rgb, m)
        write_png_atomic(out / "images" / r["image"], a)
        write_png_atomic(out / "masks" / r["image"], class_map_to_mask(b))
    with open(out / "labels.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["image", "cell_type", "split"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows(data))
    return out
