"""Sweep candidates.MIN_CONTRAST: WBC recall vs false candidates, with and without a stain shift.

Positives: BCCD VOC WBC boxes (all 292 fields; found = the eval_candidates rule), and the centre
cell of PBC WBC-class crops (first N per class; found = a candidate box holds the image centre).
Negatives: PBC `platelet` crops (no WBC: platelets and red cells only): every candidate is false.
Shifted = hed_jitter(sigma 0.3, bias 0.03) seeded with crc32(file name).

    PYTHONPATH=$PWD nice -n 10 /work/main/.venv/bin/python -m training.eval.sweep_candidates [--extent 0.6] 0.01 0.014 0.018 0.022
"""

from __future__ import annotations

import glob
import os
import sys
import zlib

import numpy as np
from PIL import Image

from wbc_desktop.core.segmentation import candidates as C
from wbc_desktop.core.imaging.stain import hed_jitter
from training.eval.eval_candidates import DATA, covers, voc_wbc

N_PBC = 30


def load(p: str, shifted: bool) -> np.ndarray:
    a = np.asarray(Image.open(p).convert("RGB"))
    if shifted:
        a = hed_jitter(a, np.random.default_rng(zlib.crc32(os.path.basename(p).encode())), sigma=0.3, bias=0.03)
    return a


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--extent"]:
        C.MIN_EXTENT = float(args[1])
        args = args[2:]
    values = [float(v) for v in args] or [C.MIN_CONTRAST]
    bccd = sorted(glob.glob(f"{DATA}/bccd/images/*.jpg"))
    gts = {p: voc_wbc(p.replace("/images/", "/annotations/").rsplit(".", 1)[0] + ".xml") for p in bccd}
    wbc = [p for c in ("basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil", "ig")
           for p in sorted(glob.glob(f"{DATA}/pbc/{c}/*.jpg"))[:N_PBC]]
    plt = sorted(glob.glob(f"{DATA}/pbc/platelet/*.jpg"))[: 5 * N_PBC]
    print(f"MIN_EXTENT={C.MIN_EXTENT}, MIN_NUCLEUS_AREA={C.MIN_NUCLEUS_AREA}, PAD={C.PAD}\n")
    print("| MIN_CONTRAST | stain | BCCD recall | BCCD false/field | PBC WBC centre found | PBC platelet images with a candidate |")
    print("|---|---|---|---|---|---|")
    for v in values:
        C.MIN_CONTRAST = v
        for shifted in (False, True):
            found = n = false = 0
            for p in bccd:
                cands = C.find_candidates(load(p, shifted))
                found += sum(any(covers(g, c.box) for c in cands) for g in gts[p])
                n += len(gts[p])
                false += sum(not any(covers(g, c.box) for g in gts[p]) for c in cands)
            cen = 0
            for p in wbc:
                a = load(p, shifted)
                cy, cx = a.shape[0] / 2, a.shape[1] / 2
                cen += any(c.box[0] <= cx < c.box[2] and c.box[1] <= cy < c.box[3] for c in C.find_candidates(a))
            fp = sum(len(C.find_candidates(load(p, shifted))) > 0 for p in plt)
            print(f"| {v} | {'shifted' if shifted else 'original'} | {found}/{n} = {found / n:.3f} | {false / len(bccd):.3f} | "
                  f"{cen}/{len(wbc)} | {fp}/{len(plt)} |", flush=True)


if __name__ == "__main__":
    main()
