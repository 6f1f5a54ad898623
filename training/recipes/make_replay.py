"""Build the replay samples shipped beside the default models (a few MB each).

Fine-tuning mixes them into every batch so a lab's retraining keeps what the shipped models
knew. ``check`` items (never trained on) measure the original domain before and after.

- segmenter: the CellaVision train split (train) and val split (check), resampled to the
  model's scale (0.5), images + class maps;
- classifier: PBC train-split crops (train) and val-split crops (check), N per class, context
  crops (1.25x the model's crop) of the default segmenter's segmentation, as training made them.

Example::

    PYTHONPATH=. python -m training.recipes.make_replay --per-class 16 --check-per-class 5
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from training.lib.paths import DATA, REPO
from training.data.pbc_data import PBC_CLASSES, SPLIT_FILE, cellavision_rows, central_cell_crop, read_split
from wbc_desktop.core.weights import registry
from wbc_desktop.core.cells.crops import CropSpec, context_spec
from wbc_desktop.core.io.images import read_image, read_mask
from wbc_desktop.core.segmentation.augment import resize

ROOT = REPO  # the repository root (training.lib.paths)

CONTEXT = 1.25  # context crop side / model crop side (room for scale and shift jitter)


def segmenter_replay(data: Path, out: Path, scale: float) -> None:
    root = data / "wbc-seg-cellavision"
    imgs, masks, split, names = [], [], [], []
    for name, _, sp in cellavision_rows(root):
        if sp not in ("train", "val"):
            continue  # the test split stays unseen: it measures forgetting in the reports
        rgb = read_image(root / "images" / name).pixels
        cm = read_mask(root / "masks" / name, rgb.shape[:2])
        h, w = cm.shape
        size = (round(w * scale), round(h * scale))
        imgs.append(resize(rgb, size))
        masks.append(resize(cm, size, nearest=True))
        split.append("train" if sp == "train" else "check")
        names.append(name)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, images=np.stack(imgs), masks=np.stack(masks), split=np.array(split),
                        names=np.array(names), scale=np.array([1.0]))
    print(f"{out}: {len(imgs)} images, {out.stat().st_size / 1e6:.2f} MB")


def classifier_replay(data: Path, out: Path, per_class: int, check_per_class: int, seed: int) -> None:
    from wbc_desktop.core.segmentation.segmenter import Segmenter

    card = registry.read_card("default", "classifier")
    spec = CropSpec.from_card(card["input"])
    ctx = context_spec(spec, CONTEXT)
    seg = Segmenter.load("default", device="cpu")
    rows = read_split(SPLIT_FILE)
    rng = np.random.default_rng(seed)
    crops, labels, split, names = [], [], [], []
    t0 = time.time()
    for c in PBC_CLASSES:
        for sp, n in (("train", per_class), ("val", check_per_class)):
            cands = sorted(r for r, k, s in rows if k == c and s == sp)
            for rel in rng.choice(cands, size=min(n, len(cands)), replace=False):
                rgb = read_image(data / "pbc" / rel).pixels
                r = seg.segment(rgb)
                crop = central_cell_crop(rgb, r.class_map, float(r.scale), ctx)
                if crop is None:
                    continue
                crops.append(crop)
                labels.append(c)
                split.append("train" if sp == "train" else "check")
                names.append(str(rel))
        print(f"{c}: done ({time.time() - t0:.0f} s)", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, crops=np.stack(crops), labels=np.array(labels), split=np.array(split),
                        names=np.array(names), size=np.array([spec.size]))
    print(f"{out}: {len(crops)} crops {ctx.size}px, {out.stat().st_size / 1e6:.2f} MB")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--models", type=Path, default=ROOT / "resources" / "models")
    p.add_argument("--per-class", type=int, default=16)
    p.add_argument("--check-per-class", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--only", choices=("segmenter", "classifier"))
    a = p.parse_args(argv)
    if a.only != "classifier":
        scale = registry.read_card("default", "segmenter")["scale"]["model_px_per_train_px"]
        segmenter_replay(a.data, a.models / "segmenter" / "default" / "replay" / "segmenter.npz", scale)
    if a.only != "segmenter":
        classifier_replay(a.data, a.models / "classifier" / "default" / "replay" / "classifier.npz",
                          a.per_class, a.check_per_class, a.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
