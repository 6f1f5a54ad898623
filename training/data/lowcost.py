"""Low-cost-camera copies of the project's own images (issue 23): what a small camera module on a
microscope does to a field, applied to BCCD fields and to cellavision / PBC crops pasted into
synthetic fields.

Degradations, each with a seeded random strength: downsampling (with the later upsampling a
camera pipeline does), defocus blur, vignetting, a colour cast (``yellow-orange``, ``pink-violet``
or ``none``), sensor noise and JPEG. Pure numpy + PIL; deterministic per seed.

    python -m training.data.lowcost --out /tmp/lowcost --n 40
writes ``images/*.jpg`` and ``truth.csv`` (image, source, scale, cast, wbc box) for the evaluations.
"""

from __future__ import annotations

import argparse
import csv
import glob
import io
import os
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from training.lib.paths import DATA
CASTS = {  # multiplicative RGB gains (applied in linear-ish space), then a small offset
    "none": (1.0, 1.0, 1.0),
    "yellow-orange": (1.05, 0.93, 0.70),
    "pink-violet": (1.0, 0.80, 1.05),
}


@dataclass
class Camera:
    """One copy's degradation settings."""

    scale: float = 0.7  # output pixels per input pixel
    blur: float = 1.5  # Gaussian sigma in output pixels (defocus)
    vignette: float = 0.35  # darkening at the corners (0 none)
    cast: str = "pink-violet"
    noise: float = 4.0  # sensor noise sd (uint8 levels)
    jpeg: int = 70

    @classmethod
    def random(cls, rng: np.random.Generator, cast: str | None = None) -> "Camera":
        return cls(scale=float(rng.uniform(0.45, 1.0)), blur=float(rng.uniform(0.6, 2.2)),
                   vignette=float(rng.uniform(0.1, 0.5)), cast=cast or str(rng.choice(list(CASTS))),
                   noise=float(rng.uniform(1.0, 6.0)), jpeg=int(rng.integers(45, 90)))


def degrade(rgb: np.ndarray, cam: Camera, rng: np.random.Generator) -> np.ndarray:
    """The field as the low-cost camera would give it (the output is ``cam.scale`` times as big)."""
    h, w = rgb.shape[:2]
    im = Image.fromarray(rgb)
    if cam.scale != 1.0:
        im = im.resize((max(8, round(w * cam.scale)), max(8, round(h * cam.scale))), Image.BILINEAR)
    if cam.blur > 0:
        im = im.filter(ImageFilter.GaussianBlur(cam.blur))
    a = np.asarray(im).astype(np.float32) / 255.0
    hh, ww = a.shape[:2]
    gain = np.asarray(CASTS[cam.cast], np.float32)
    a = a ** 1.0 * gain
    if cam.vignette > 0:
        yy, xx = np.mgrid[0:hh, 0:ww].astype(np.float32)
        cy, cx = hh / 2 + rng.uniform(-0.1, 0.1) * hh, ww / 2 + rng.uniform(-0.1, 0.1) * ww
        r2 = ((yy - cy) / (hh / 2)) ** 2 + ((xx - cx) / (ww / 2)) ** 2
        a = a * (1.0 - cam.vignette * np.clip(r2 / 2.0, 0, 1.5))[..., None]
    a = a * 255.0 + rng.normal(0, cam.noise, a.shape)
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=cam.jpeg)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def bccd_fields(n: int, seed: int = 0, start: int = 1) -> list[tuple[str, np.ndarray, list, str]]:
    """(name, rgb, wbc boxes, note) for every 4th BCCD field from ``start`` (odd offsets: never the
    even half some classifier choices were made on)."""
    from training.lib.voc import read_voc_boxes

    paths = sorted(glob.glob(f"{DATA}/bccd/images/*.jpg"))[start::4][:n]
    out = []
    for p in paths:
        xml = p.replace("/images/", "/annotations/").rsplit(".", 1)[0] + ".xml"
        out.append((os.path.basename(p), np.asarray(Image.open(p).convert("RGB")), list(read_voc_boxes(xml, "WBC")), "bccd"))
    return out


def make(out: str, n: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    os.makedirs(f"{out}/images", exist_ok=True)
    rows = []
    for i, (name, rgb, boxes, src) in enumerate(bccd_fields(n, seed)):
        cam = Camera.random(rng, cast=("pink-violet", "yellow-orange", "none")[i % 3])
        img = degrade(rgb, cam, rng)
        stem = f"lc{i:03d}"
        Image.fromarray(img).save(f"{out}/images/{stem}.png")
        for b in boxes:
            rows.append([stem, name, f"{cam.scale:.4f}", cam.cast, *[round(v * cam.scale) for v in b]])
        if not boxes:
            rows.append([stem, name, f"{cam.scale:.4f}", cam.cast, "", "", "", ""])
    with open(f"{out}/truth.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image", "source", "scale", "cast", "x0", "y0", "x1", "y1"])
        w.writerows(rows)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    make(a.out, a.n, a.seed)
