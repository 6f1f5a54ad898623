"""Classification accuracy on the 100 CellaVision images (5 WBC types) for a classifier.

Masks come from the project's segmenter (``--masks segmenter``: the real pipeline, the figure
that counts), from the experts' masks (``gt``: isolates the classifier from segmentation
error) or from the colour-threshold fallback (``threshold``). Writes a JSON with the result of
:func:`wbc_desktop.core.cells.evaluation.evaluate_classification`.

Example::

    PYTHONPATH=. python -m training.eval.eval_cellavision --model pbc-only \
        --masks segmenter --out training/reports/classifier/cellavision_pbc-only_segmenter.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from training.lib.paths import DATA, REPO
from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.cells.instances import find_cells
from wbc_desktop.core.cells.classifier import CellClassifier
from wbc_desktop.core.cells.evaluation import evaluate_classification, read_labels_csv
from wbc_desktop.core.io.images import read_image, read_mask

ROOT = REPO  # the repository root (training.lib.paths)

CELLAVISION_SCALE = 0.33  # a CellaVision WBC (~200 px) is ~65 px at model scale (gt/threshold masks)


def make_analyze_fn(clf: CellClassifier, masks: str, mask_dir: Path | None = None, seg_model: str = "default",
                    fixed_scale: float | None = None):
    """path -> Analysis with the chosen mask source and ``clf`` typing the cells.

    ``fixed_scale`` (model px per input px) is used with gt/threshold masks; the segmenter
    measures its own from the red cells.
    """
    seg = None
    if masks == "segmenter":
        from wbc_desktop.core.segmentation.segmenter import Segmenter

        seg = Segmenter.load(seg_model, device="cpu")

    def analyze(path: Path) -> Analysis:
        img = read_image(path)
        rgb = img.pixels
        if seg is not None:
            r = seg.segment(rgb)
            cm, scale = r.class_map, float(r.scale)
        elif masks == "gt":
            cm, scale = read_mask(mask_dir / path.name, rgb.shape[:2]), fixed_scale or CELLAVISION_SCALE
        else:
            from training.data.threshold_masks import threshold_class_map

            cm, scale = threshold_class_map(rgb)
            scale = fixed_scale or scale
        inst, cells = find_cells(cm, scale=scale)
        clf.classify(rgb, cm, inst, cells, scale=scale)
        return Analysis(path.name, img.shape, cm, inst, cells, scale=scale)

    return analyze


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=DATA / "wbc-seg-cellavision")
    p.add_argument("--model", default="default")
    p.add_argument("--masks", choices=("segmenter", "gt", "threshold"), default="segmenter")
    p.add_argument("--seg-model", default="default")
    p.add_argument("--split", default=None, help="only this split of labels.csv (default: all 100)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    clf = CellClassifier.load(a.model, device="cpu")
    items = read_labels_csv(a.data / "labels.csv", split=a.split)
    fn = make_analyze_fn(clf, a.masks, a.data / "masks", a.seg_model, fixed_scale=CELLAVISION_SCALE)
    t = time.time()
    r = evaluate_classification(fn, items, image_dir=a.data / "images")
    r.update(model=clf.info(), masks=a.masks, split=a.split or "all", seconds=round(time.time() - t, 1))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(r, indent=2) + "\n")
    print(f"{clf.info()['name']} masks={a.masks}: accuracy {r['accuracy']:.4f} (forced {r['accuracy_forced']:.4f}) "
          f"n={r['n']}")
    for c, s in r["per_class"].items():
        print(f"  {c:12s} {s['correct']}/{s['n']}  confusion {r['confusion'][c]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
