"""Make a synthetic whole-slide image: a tiled BigTIFF of SIDE x SIDE px, written tile by tile.

Cells (crops from the bundled samples or a folder of single-cell images) are pasted on a plasma
background at random, non-overlapping places; the plane is never built whole in memory, so a
20k x 20k slide (1.2 GB of pixels) is made with a few MB. Used by ``benchmarks/bench_batch.py``.

    python -m training.data.make_slide OUT.tif --side 20000 --cells 100
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import tifffile

from training.lib.paths import REPO
from wbc_desktop.core.io.images import list_images, read_image

ROOT = REPO  # the repository root (training.lib.paths)

def make_slide(out: Path, side: int, n_cells: int, sources: list[Path], tile: int = 512, seed: int = 0) -> int:
    """Write the slide; return how many cells were pasted."""
    rng = np.random.default_rng(seed)
    crops = [read_image(p).pixels for p in sources]
    bg = np.median(np.concatenate([c[:12].reshape(-1, 3) for c in crops]), 0).astype(np.uint8)
    slot = max(max(c.shape[:2]) for c in crops) + 64
    per_row = side // slot
    places = rng.choice(per_row * per_row, size=min(n_cells, per_row * per_row), replace=False)
    pasted = [(int(k // per_row) * slot + 32, int(k % per_row) * slot + 32, crops[i % len(crops)])
              for i, k in enumerate(places)]

    def tiles():
        for ty in range(0, side, tile):
            for tx in range(0, side, tile):
                t = np.empty((tile, tile, 3), np.uint8)
                t[:] = bg
                for y, x, c in pasted:
                    h, w = c.shape[:2]
                    y0, y1, x0, x1 = max(y, ty), min(y + h, ty + tile), max(x, tx), min(x + w, tx + tile)
                    if y0 < y1 and x0 < x1:
                        t[y0 - ty:y1 - ty, x0 - tx:x1 - tx] = c[y0 - y:y1 - y, x0 - x:x1 - x]
                yield t
    tifffile.imwrite(out, tiles(), shape=(side, side, 3), dtype=np.uint8, tile=(tile, tile), bigtiff=True,
                     photometric="rgb", compression="zlib")
    return len(pasted)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--side", type=int, default=20000)
    ap.add_argument("--cells", type=int, default=100)
    ap.add_argument("--sources", default=str(ROOT / "tests" / "fixtures" / "cellavision" / "images"))
    a = ap.parse_args()
    n = make_slide(Path(a.out), a.side, a.cells, list_images([a.sources]))
    print(f"{a.out}: {a.side}x{a.side} px, {n} cells")


if __name__ == "__main__":
    main()
