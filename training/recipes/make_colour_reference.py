"""The training labs' colour references for core.imaging.standardise (resources/colour/reference.json).

Per lab, the median of each image's anchors: plasma OD, red-cell OD relative to plasma, nucleus
OD norm. Labs: cellavision (wbc-seg-cellavision train split) and pbc (the first 25 files of each
class folder), the two labs the shipped models learned from.

    nice -n 10 python -m training.recipes.make_colour_reference
"""

from __future__ import annotations

import csv
import glob
import json

import numpy as np
from PIL import Image

from wbc_desktop.core.imaging.standardise import ColourReference, measure_anchors  # noqa: E402
from wbc_desktop.core.io.atomic import atomic_write_text  # noqa: E402

from training.lib.paths import DATA, REPO  # noqa: E402


def lab(name: str, paths: list[str]) -> ColourReference:
    plasma, rbc, nuc = [], [], []
    for p in paths:
        a = measure_anchors(np.asarray(Image.open(p).convert("RGB")))
        if a.plasma_rgb is None:
            continue
        plasma.append(-np.log(np.clip(a.plasma_rgb / 255.0, 1e-3, 1.0)))
        if a.rbc_od is not None:
            rbc.append(a.rbc_od)
        if a.nucleus_od_norm:
            nuc.append(a.nucleus_od_norm)
    print(name, f"{len(paths)} images: plasma {len(plasma)}, red cells {len(rbc)}, nucleus {len(nuc)}")
    return ColourReference(name, np.median(plasma, axis=0), np.median(rbc, axis=0), float(np.median(nuc)))


def main() -> None:
    cv = [f"{DATA}/wbc-seg-cellavision/images/{r['image']}"
          for r in csv.DictReader(open(f"{DATA}/wbc-seg-cellavision/labels.csv")) if r["split"] == "train"]
    pbc = [p for d in sorted(glob.glob(f"{DATA}/pbc/*/")) for p in sorted(glob.glob(d + "*.jpg"))[:25]]
    refs = [lab("cellavision", cv), lab("pbc", pbc)]
    doc = {"source": "medians of per-image anchors (core.imaging.standardise.measure_anchors): wbc-seg-cellavision "
                     "train split (79) and PBC (25 first files per class); training/recipes/make_colour_reference.py",
           "labs": [r.to_dict() for r in refs]}
    out = REPO / "resources" / "colour" / "reference.json"
    atomic_write_text(out, json.dumps(doc, indent=1) + "\n")
    print(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
