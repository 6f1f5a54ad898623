"""Tight single-cell crops like other labs' analysers export: the WBC filling the frame, few red cells.

From a full image and its class map (ground truth for cellavision; the model's for PBC), cut the
box around the central white cell plus a small margin, optionally paint everything outside the
cell with the plasma colour (the "without red cells" kind), then resample to ``pixel_factor``
times the pixel size (0.4-2.5: the image shrinks by that factor). The true model scale of the crop
is then ``true_scale * pixel_factor``. Used by ``eval_tight_scale.py`` and ``make_familiarity.py``;
a few small outputs are in tests/fixtures/tight_crops/ (see ATTRIBUTION.md there).

    PYTHONPATH=. python -m training.data.tight_crops --out /tmp/tight --factors 0.5 2
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

from training.lib.paths import DATA, REPO

ROOT = REPO  # the repository root (training.lib.paths)

CV = DATA / "wbc-seg-cellavision"
MARGIN = 0.08  # of the cell box's larger side, on each side
FACTORS = (0.4, 0.5, 0.7, 1.0, 1.4, 2.0, 2.5)


def central_cell(cm: np.ndarray) -> Optional[np.ndarray]:
    """Mask of the connected WBC (cytoplasm+nucleus) nearest the image centre."""
    lab, n = ndi.label(cm > 0)
    if n == 0:
        return None
    h, w = cm.shape
    best, bd = 0, 1e18
    for i, sl in enumerate(ndi.find_objects(lab), 1):
        if sl is None:
            continue
        ys, xs = np.nonzero(lab[sl] == i)
        if len(ys) < 50:
            continue
        cy, cx = ys.mean() + sl[0].start, xs.mean() + sl[1].start
        d = (cy - h / 2) ** 2 + (cx - w / 2) ** 2
        if d < bd:
            best, bd = i, d
    return lab == best if best else None


def tight_crop(rgb: np.ndarray, cm: np.ndarray, pixel_factor: float = 1.0, red_cells: bool = True,
               margin: float = MARGIN) -> Optional[tuple[np.ndarray, np.ndarray]]:
    """(crop, its class map) resampled by 1/pixel_factor; None when no central cell."""
    cell = central_cell(cm)
    if cell is None:
        return None
    ys, xs = np.nonzero(cell)
    side = max(np.ptp(ys), np.ptp(xs)) + 1
    m = int(round(margin * side))
    h, w = cm.shape
    y0, y1 = max(0, ys.min() - m), min(h, ys.max() + 1 + m)
    x0, x1 = max(0, xs.min() - m), min(w, xs.max() + 1 + m)
    crop = rgb[y0:y1, x0:x1].copy()
    ccm = np.where(cell, cm, 0)[y0:y1, x0:x1].astype(np.uint8)
    if not red_cells:
        g = rgb[..., 1].astype(np.int32)
        bg = rgb[(cm == 0) & (g >= np.percentile(g[cm == 0], 80))]
        plasma = np.median(bg, 0).astype(np.uint8)
        keep = ndi.binary_dilation(ccm > 0, iterations=1)
        crop[~keep] = plasma
    if pixel_factor != 1.0:
        size = (max(16, round(crop.shape[1] / pixel_factor)), max(16, round(crop.shape[0] / pixel_factor)))
        crop = np.asarray(Image.fromarray(crop).resize(size, Image.LANCZOS))
        ccm = np.asarray(Image.fromarray(ccm).resize(size, Image.NEAREST))
    return crop, ccm


def main() -> None:
    from wbc_desktop.core.io.atomic import write_png_atomic
    from wbc_desktop.core.io.datasets import split_names
    from wbc_desktop.core.io.images import class_map_to_mask, read_image, read_mask

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--factors", type=float, nargs="+", default=list(FACTORS))
    a = ap.parse_args()
    stems = sorted(split_names(CV / "labels.csv", a.split))
    for stem in stems:
        img = read_image(CV / "images" / f"{stem}.png")
        cm = read_mask(CV / "masks" / f"{stem}.png", img.shape)
        for f in a.factors:
            for rc in (True, False):
                r = tight_crop(img.pixels, cm, f, rc)
                if r is None:
                    continue
                name = f"{stem}_x{f:g}_{'rbc' if rc else 'norbc'}.png"
                write_png_atomic(a.out / "images" / name, r[0])
                write_png_atomic(a.out / "masks" / name, class_map_to_mask(r[1]))
    print(f"{len(stems)} images x {len(a.factors)} factors x 2 -> {a.out}")


if __name__ == "__main__":
    main()
