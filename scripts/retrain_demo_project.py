"""A project folder for retraining demos and benches, from a folder of single-cell images.

The source holds ``images/NNN.png``, ``masks/NNN.png`` (0/128/255) and ``labels.csv``
(``image,cell_type``), as ``/work/shared/data/wbc-seg-cellavision`` or ``tests/fixtures/cellavision``.
The first ``n_masks`` images get their expert mask as the person's correction, the first
``n_typed`` get the cell at the centre typed by the person: what a lab has after correcting.

    python scripts/retrain_demo_project.py SRC DEST [--masks 10] [--typed 30]
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(src: Path, dest: Path, n_masks: int = 10, n_typed: int = 30) -> Path:
    from wbc_desktop.core.project import manifest
    from wbc_desktop.core.project.manifest import ProjectImage

    from PIL import Image

    labels = {r["image"]: r["cell_type"] for r in csv.DictReader(open(src / "labels.csv", encoding="utf-8"))}
    names = sorted(p.name for p in (src / "images").glob("*.png"))[:max(n_masks, n_typed)]
    (dest / "images").mkdir(parents=True)
    (dest / "masks").mkdir()
    images, rows = [], []
    for i, name in enumerate(names):
        shutil.copy(src / "images" / name, dest / "images" / name)
        key = Path(name).stem
        w, h = Image.open(src / "images" / name).size
        marks = {"new": {"by": "demo", "at": ""}, "analysed": {"by": "demo", "at": ""}}
        if i < n_masks:
            shutil.copy(src / "masks" / name, dest / "masks" / f"{key}.png")
            marks["corrected"] = {"by": "demo", "at": ""}
        if i < n_typed:
            marks["reviewed"] = {"by": "demo", "at": ""}
        images.append(ProjectImage(key=key, path=f"images/{name}", name=name, size=[h, w], marks=marks))
        rows.append({"image": key, "cell_id": 1, "x0": w // 4, "y0": h // 4, "x1": 3 * w // 4, "y1": 3 * h // 4,
                     "centroid_x": w / 2, "centroid_y": h / 2,
                     "person_type": labels.get(name, "") if i < n_typed else "", "set_by": "demo"})
    manifest.save(dest, images, {})
    with open(dest / "cells.csv", "w", newline="", encoding="utf-8") as f:
        wr = csv.DictWriter(f, fieldnames=list(rows[0]))
        wr.writeheader()
        wr.writerows(rows)
    return dest


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("dest", type=Path)
    ap.add_argument("--masks", type=int, default=10)
    ap.add_argument("--typed", type=int, default=30)
    a = ap.parse_args()
    print(build(a.src, a.dest, a.masks, a.typed))
