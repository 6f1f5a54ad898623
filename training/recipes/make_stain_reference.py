"""Write the segmenter's ``stain_reference.json``: per-class colour statistics of its training images.

The colours are those the network sees (after the background gain of the model's card), from the
expert masks of the wbc-seg-cellavision *train* split, the data the shipped segmenter learned from.
``core.imaging.self_calibration`` pulls an unfamiliar stain toward them.

    python -m training.recipes.make_stain_reference [--model default]
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from training.lib.paths import DATA as SHARED_DATA
from wbc_desktop.core.weights import registry
from wbc_desktop.core.imaging.illumination import apply_gain, background_gain
from wbc_desktop.core.imaging.self_calibration import REFERENCE_FILE, StainReference
from wbc_desktop.core.io.atomic import atomic_write_bytes
from wbc_desktop.core.io.images import read_image, read_mask

DATA = SHARED_DATA / "wbc-seg-cellavision"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="default")
    ap.add_argument("--split", default="train")
    a = ap.parse_args()
    _, card, folder = registry.load(a.model, "segmenter")
    background = card.get("colour", {}).get("background")
    pairs = []
    for r in csv.DictReader(open(DATA / "labels.csv", newline="")):
        if r["split"] != a.split:
            continue
        rgb = read_image(DATA / "images" / r["image"]).pixels
        pairs.append((apply_gain(rgb, background_gain(rgb, background)), read_mask(DATA / "masks" / r["image"], rgb.shape[:2])))
    ref = StainReference.from_pairs(pairs)
    out = {"source": f"wbc-seg-cellavision {a.split} split, expert masks ({len(pairs)} images), after the card's "
                     "background gain", **ref.to_json()}
    atomic_write_bytes(Path(folder) / REFERENCE_FILE, (json.dumps(out, indent=1) + "\n").encode())
    print(f"wrote {Path(folder) / REFERENCE_FILE} from {len(pairs)} images; signature {ref.signature.round(1)}")


if __name__ == "__main__":
    main()
