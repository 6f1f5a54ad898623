"""Illumination normalisation: bring every image's plasma background to one reference colour.

Labs differ in lamp colour and camera white balance as much as in stain: one lab's background is
cream, another's grey-blue, and a network trained on cream takes grey-blue plasma for cytoplasm.
The background is the brightest large population of pixels in any smear image, so its colour is
measured there and a per-channel gain maps it to the reference (the training images' median).
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

BRIGHT_FRACTION = 0.15  # the brightest 15% of pixels stand for the background
GAIN_LIMITS = (0.6, 1.7)
_SAMPLE = 200_000  # pixels looked at (subsampled on big images)


def background_colour(rgb: np.ndarray) -> np.ndarray:
    """Median RGB of the brightest pixels: the plasma/background between cells."""
    flat = rgb.reshape(-1, 3)
    if flat.shape[0] > _SAMPLE:
        flat = flat[:: flat.shape[0] // _SAMPLE]
    lum = flat.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    cut = np.quantile(lum, 1.0 - BRIGHT_FRACTION)
    return np.median(flat[lum >= cut].astype(np.float32), axis=0)


def reference_background(images: Sequence[np.ndarray]) -> list[float]:
    """The training set's typical background colour, stored in the model card."""
    return [round(float(v), 1) for v in np.median([background_colour(x) for x in images], axis=0)]


def background_gain(rgb: np.ndarray, target: Optional[Sequence[float]]) -> Optional[np.ndarray]:
    """Per-channel gain that maps this image's background to ``target``; None when not needed."""
    if target is None:
        return None
    bg = np.maximum(background_colour(rgb), 1.0)
    gain = np.clip(np.asarray(target, np.float32) / bg, *GAIN_LIMITS)
    return None if np.allclose(gain, 1.0, atol=0.02) else gain


def apply_gain(rgb: np.ndarray, gain: Optional[np.ndarray]) -> np.ndarray:
    """Apply a per-channel gain through a lookup table (cheap on big images and crops)."""
    if gain is None:
        return rgb
    lut = np.clip(np.arange(256, dtype=np.float32)[:, None] * gain[None, :] + 0.5, 0, 255).astype(np.uint8)
    return np.stack([lut[rgb[..., c], c] for c in range(3)], axis=-1)


def normalise_background(rgb: np.ndarray, target: Optional[Sequence[float]]) -> np.ndarray:
    """The image with its background brought to ``target`` (unchanged when target is None)."""
    return apply_gain(rgb, background_gain(rgb, target))
