"""Augmentation for other labs' images: stain (HED) jitter, scale, blur, noise, flips.

A model that only knows one lab's purple and one pixel size is of little use to the next lab,
so training sees stains and magnifications it will meet elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from wbc_desktop.core.imaging.stain import hed_jitter

def resize(rgb: np.ndarray, size: tuple[int, int], nearest: bool = False) -> np.ndarray:
    """Resize to (width, height) with antialiasing for images, nearest for label maps."""
    im = Image.fromarray(rgb)
    return np.asarray(im.resize(size, Image.Resampling.NEAREST if nearest else Image.Resampling.BILINEAR, reducing_gap=None if nearest else 2.0))


@dataclass
class SegAugment:
    """Random transform of (image, class map) pairs; ranges are relative to the model scale."""

    crop: int = 144
    scale_range: tuple[float, float] = (0.75, 1.33)  # residual error of the scale estimate
    lowres_prob: float = 0.3  # an image taken at lower magnification then upsampled
    stain_prob: float = 0.9
    stain_sigma: float | tuple[float, float, float] = 0.3
    stain_bias: float = 0.02  # in skimage's HED density units (typical smear: 0..0.3)
    blur_prob: float = 0.3

    def __call__(self, rgb: np.ndarray, mask: np.ndarray, base_scale: float, rng: np.random.Generator):
        lo, hi = np.log(self.scale_range)
        s = base_scale * float(np.exp(rng.uniform(lo, hi)))
        h, w = mask.shape
        size = (max(8, round(w * s)), max(8, round(h * s)))
        img = resize(rgb, size)
        msk = resize(mask, size, nearest=True)
        if rng.random() < self.lowres_prob:
            f = rng.uniform(0.4, 0.8)
            small = resize(img, (max(8, round(size[0] * f)), max(8, round(size[1] * f))))
            img = resize(small, size)
        k = int(rng.integers(4))
        img, msk = np.rot90(img, k), np.rot90(msk, k)
        if rng.random() < 0.5:
            img, msk = img[:, ::-1], msk[:, ::-1]
        img, msk = self._crop(np.ascontiguousarray(img), np.ascontiguousarray(msk), rng)
        if rng.random() < self.stain_prob:
            img = hed_jitter(img, rng, sigma=self.stain_sigma, bias=self.stain_bias)
        img = self._photometric(img, rng)
        return img, msk

    def _crop(self, img: np.ndarray, msk: np.ndarray, rng: np.random.Generator):
        c = self.crop
        h, w = msk.shape
        ph, pw = max(0, c - h), max(0, c - w)
        if ph or pw:
            pads = ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2))
            img = np.pad(img, pads + ((0, 0),), mode="reflect")
            msk = np.pad(msk, pads, mode="reflect")
            h, w = msk.shape
        y = int(rng.integers(h - c + 1))
        x = int(rng.integers(w - c + 1))
        return img[y : y + c, x : x + c], msk[y : y + c, x : x + c]

    def _photometric(self, img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if rng.random() < self.blur_prob:
            img = np.asarray(Image.fromarray(img).filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2))))
        f = img.astype(np.float32) / 255.0
        f = f * rng.uniform(0.92, 1.08, 3).astype(np.float32)  # residual white-balance error
        gamma = float(np.exp(rng.uniform(-0.25, 0.25)))
        f = f**gamma
        f = (f - 0.5) * rng.uniform(0.85, 1.15) + 0.5 + rng.uniform(-0.06, 0.06)
        if rng.random() < 0.3:
            f = f + rng.normal(0, rng.uniform(0.005, 0.03), f.shape).astype(np.float32)
        return np.clip(f * 255.0 + 0.5, 0, 255).astype(np.uint8)
