"""Make a stain- and scale-shifted copy of one split of wbc-seg-cellavision: "another lab".

Deterministic: the same input gives byte-identical output (seeds come from the file stem, not
from time or order). For every image of the split, these variants are written:

======== ======================================================================================
suffix   what is applied (in this order)
======== ======================================================================================
_s0.6    rescale x0.6 (image: Lanczos, i.e. anti-aliased; mask: nearest neighbour)
_s1.4    rescale x1.4 (same resampling)
_hed     strong HED stain shift at x1: per stain (hematoxylin, eosin, residual) density
         scaled by U(0.7, 1.3) and shifted by U(-0.03, +0.03) (wbc_desktop.core.imaging.stain.hed_jitter,
         sigma=0.3, bias=0.03; a smear's H/E densities are ~0-0.15, so this is a big change)
_blur    Gaussian blur sigma 1.2 px, then JPEG quality 50 (a softer camera, lossy storage)
_mix0.7  rescale x0.7 + HED shift + Gaussian blur sigma 0.8 + JPEG quality 70
_mix1.3  rescale x1.3 + HED shift + Gaussian blur sigma 0.8 + JPEG quality 70
======== ======================================================================================

Each variant's HED draw uses ``numpy.random.default_rng(crc32(f"{stem}{suffix}") + seed)``; the
drawn factors are recorded in manifest.json. Outputs in OUT: images/<stem><suffix>.png (RGB; the JPEG
variants are decoded and stored as PNG so nothing further is lost), masks/<stem><suffix>.png
(0/128/255, stray source values mapped to the nearest level first), labels.csv
(image,cell_type,split,source,shift; split is the source split), manifest.json.

    PYTHONPATH=$PWD /work/main/.venv/bin/python -m training.data.make_shifted_val            # val
    PYTHONPATH=$PWD /work/main/.venv/bin/python -m training.data.make_shifted_val --split test --out /work/cache/shifted_test
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from training.lib.paths import DATA as SHARED_DATA
from wbc_desktop.core.io.atomic import write_png_atomic
from wbc_desktop.core.io.images import class_map_to_mask, read_image, read_mask
from wbc_desktop.core.imaging.stain import hed_jitter

DATA = SHARED_DATA / "wbc-seg-cellavision"
HED_SIGMA, HED_BIAS = 0.3, 0.03

# suffix -> (scale, hed, blur sigma, jpeg quality)
VARIANTS: dict[str, tuple[float, bool, float, int | None]] = {
    "_s0.6": (0.6, False, 0.0, None),
    "_s1.4": (1.4, False, 0.0, None),
    "_hed": (1.0, True, 0.0, None),
    "_blur": (1.0, False, 1.2, 50),
    "_mix0.7": (0.7, True, 0.8, 70),
    "_mix1.3": (1.3, True, 0.8, 70),
}


def read_labels(path: Path) -> list[dict[str, str]]:
    """labels.csv with CRLF or LF line ends, header image,cell_type,split."""
    with open(path, newline="") as f:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def shift(rgb: np.ndarray, cls: np.ndarray, stem: str, suffix: str, seed: int) -> tuple[np.ndarray, np.ndarray, dict]:
    """Apply one variant to an image and its class map; returns both and what was drawn."""
    scale, hed, blur, quality = VARIANTS[suffix]
    info: dict = {"scale": scale, "blur_sigma": blur, "jpeg_quality": quality}
    img = Image.fromarray(rgb)
    m = Image.fromarray(cls)
    if scale != 1.0:
        size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
        img = img.resize(size, Image.LANCZOS)
        m = m.resize(size, Image.NEAREST)
    out = np.asarray(img)
    if hed:
        rng = np.random.default_rng(zlib.crc32(f"{stem}{suffix}".encode()) + seed)
        alpha = rng.uniform(1 - HED_SIGMA, 1 + HED_SIGMA, 3)
        beta = rng.uniform(-HED_BIAS, HED_BIAS, 3)
        out = hed_jitter(out, alpha=alpha, beta=beta)
        info.update(hed_alpha=[round(float(v), 4) for v in alpha], hed_beta=[round(float(v), 4) for v in beta])
    if blur > 0:
        out = np.asarray(Image.fromarray(out).filter(ImageFilter.GaussianBlur(blur)))
    if quality is not None:
        buf = io.BytesIO()
        Image.fromarray(out).save(buf, format="JPEG", quality=quality)
        out = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    return np.ascontiguousarray(out), np.asarray(m), info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", nargs="?", help="output folder (default /work/cache/shifted_<split>)")
    ap.add_argument("--out", dest="out_opt", help="same as the positional OUT")
    ap.add_argument("--split", default="val")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    out = Path(args.out_opt or args.out or f"/work/cache/shifted_{args.split}")
    rows = [r for r in read_labels(args.data / "labels.csv") if r["split"] == args.split]
    if not rows:
        raise SystemExit(f"no images in split {args.split!r}")
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "masks").mkdir(parents=True, exist_ok=True)
    labels, manifest = [], {}
    for r in rows:
        stem = Path(r["image"]).stem
        rgb = read_image(args.data / "images" / r["image"]).pixels
        cls = read_mask(args.data / "masks" / r["image"], rgb.shape[:2])
        for suffix in VARIANTS:
            img, m, info = shift(rgb, cls, stem, suffix, args.seed)
            name = f"{stem}{suffix}.png"
            write_png_atomic(out / "images" / name, img)
            write_png_atomic(out / "masks" / name, class_map_to_mask(m))
            labels.append((name, r["cell_type"], r["split"], r["image"], suffix.lstrip("_")))
            manifest[name] = info
    with open(out / "labels.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["image", "cell_type", "split", "source", "shift"])
        w.writerows(labels)
    with open(out / "manifest.json", "w") as f:
        json.dump({"source": str(args.data), "split": args.split, "seed": args.seed, "variants": manifest}, f, indent=1)
    print(f"{len(labels)} images ({len(rows)} sources x {len(VARIANTS)} shifts) written to {out}")


if __name__ == "__main__":
    main()
