"""The replay sample: a few MB of the shipped models' own training data, shipped beside them.

Mixing it into every fine-tuning batch keeps what the shipped model knew (without it, 10 images
of a new lab cut Dice on the original images from 0.948 to 0.739). Files (``training/recipes/make_replay.py``):
``<model folder>/replay/segmenter.npz`` (images, masks at model scale; split: train/check) and
``<model folder>/replay/classifier.npz`` (context crops, labels, classes; split). ``check``
items are never trained on: they measure the original domain before and after.

A version made by retraining has no replay folder; its card's ``replay_source`` names the
shipped model whose sample it used, so a retrained version can be retrained again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from wbc_desktop.core.weights import registry
REPLAY_DIR = "replay"


@dataclass
class Replay:
    source: str  # the folder the sample came from (for the card)
    train: dict[str, np.ndarray]
    check: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(next(iter(self.train.values()))) if self.train else 0


def find_replay(kind: str, base_folder: Path, card: dict) -> Optional[Path]:
    """The replay file for a base model: its own, else its card's ``replay_source``, else the shipped default's."""
    cands = [Path(base_folder) / REPLAY_DIR / f"{kind}.npz"]
    src = card.get("replay_source")
    if src:
        p = Path(src)
        cands.append(p if p.is_absolute() else registry.shipped_root() / kind / src / REPLAY_DIR / f"{kind}.npz")
    cands.append(registry.shipped_root() / kind / "default" / REPLAY_DIR / f"{kind}.npz")
    return next((c for c in cands if c.is_file()), None)


def load_replay(kind: str, base_folder: Path, card: dict) -> Optional[Replay]:
    """Load the sample (npz of plain arrays; ``allow_pickle=False``: data only)."""
    path = find_replay(kind, base_folder, card)
    if path is None:
        return None
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    split = arrays.pop("split")
    train = {k: v[split == "train"] if len(v) == len(split) else v for k, v in arrays.items()}
    check = {k: v[split == "check"] if len(v) == len(split) else v for k, v in arrays.items()}
    try:
        source = path.parent.parent.relative_to(registry.shipped_root() / kind).as_posix()
    except ValueError:
        source = str(path.parent.parent)
    return Replay(source, train, check)
