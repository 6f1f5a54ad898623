"""Per-cell doubt that holds under shift: how far a cell lies from the training cells of its type.

Why: the class probabilities stay confident on another lab's cells that look like nothing the
model learned (148 of 176 neutrophils of one lab called eosinophil, 82 of them at >= 0.95). The
features before the last layer show it: such cells lie far from the training cells of the type
they are given. So each typed cell is compared with a small bank of training cells of its type
(cosine distance to its k nearest), measured in units of that type's own spread (the distance
held-out training cells of the type have, per type), and combined with the margin between the
two best types. A cell beyond the rule keeps its type but gets ``Cell.doubt``, a short reason.

The bank is an .npz (no pickle) beside the rule's settings in resources/doubt/<classifier>.npz,
made by training/eval/eval_doubt.py --write-banks; the rule's thresholds were chosen on several shifted
sets and built labs at once (training/eval/eval_doubt.py), never on one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

K = 5
# the rule (chosen in training/eval/eval_doubt.py over all built labs together, see its report;
# each bank carries its own copy, these are the defaults for a bank without one)
DISTANCE_LIMIT = 2.0  # kNN distance / the type's held-out 90th percentile
MARGIN_LIMIT = 0.4  # top-1 minus top-2 probability


@dataclass
class TypeBank:
    """Training cells' unit-norm features per type, and each type's held-out distance scale."""

    classes: list[str]
    features: np.ndarray  # N x D float32, unit norm
    labels: np.ndarray  # N int (index into classes)
    scale: np.ndarray  # per class: 90th percentile of held-out kNN distances
    distance_limit: float = DISTANCE_LIMIT
    margin_limit: float = MARGIN_LIMIT
    classifier: tuple[str, str] = ("", "")  # the name and version whose features these are

    def matches(self, name, version) -> bool:
        return self.classifier == (str(name), str(version))

    @classmethod
    def load(cls, path: Path) -> Optional["TypeBank"]:
        """The bank at ``path``; None when absent (a classifier without one gets no distance doubt)."""
        path = Path(path)
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            return cls(list(meta["classes"]), z["features"].astype(np.float32), z["labels"].astype(np.int64),
                       z["scale"].astype(np.float32), float(meta.get("distance_limit", DISTANCE_LIMIT)),
                       float(meta.get("margin_limit", MARGIN_LIMIT)), tuple(meta.get("classifier", ("", ""))))

    def save(self, path: Path) -> None:
        from wbc_desktop.core.io.atomic import atomic_write_bytes
        import io

        buf = io.BytesIO()
        meta = {"classes": self.classes, "k": K, "distance_limit": self.distance_limit, "margin_limit": self.margin_limit,
                "classifier": list(self.classifier)}
        np.savez_compressed(buf, features=self.features.astype(np.float16), labels=self.labels.astype(np.int16),
                            scale=self.scale.astype(np.float32), meta=np.array(json.dumps(meta)))
        atomic_write_bytes(path, buf.getvalue())

    def distances(self, feats: np.ndarray, types: Sequence[int]) -> np.ndarray:
        """Mean cosine distance of each row of ``feats`` to its K nearest bank cells of ``types[i]``,
        over that type's scale (1 = as far as the 90th percentile of held-out training cells)."""
        f = normalise(feats)
        out = np.full(len(f), np.inf, np.float32)
        for c in set(int(t) for t in types):
            rows = np.flatnonzero(np.asarray(types) == c)
            bank = self.features[self.labels == c]
            if not len(bank) or c >= len(self.scale):
                continue
            d = 1.0 - f[rows] @ bank.T
            k = min(K, d.shape[1])
            out[rows] = np.sort(d, axis=1)[:, :k].mean(1) / max(float(self.scale[c]), 1e-6)
        return out


def normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-6)


def doubt_reasons(dist: np.ndarray, probs: np.ndarray, distance_limit: float = DISTANCE_LIMIT,
                  margin_limit: float = MARGIN_LIMIT) -> list[str]:
    """One reason per cell ("" = no doubt): far from its type's training cells, and/or a narrow margin."""
    p = np.sort(probs, axis=1)
    margin = p[:, -1] - (p[:, -2] if p.shape[1] > 1 else 0.0)
    out = []
    for d, m in zip(dist, margin):
        why = []
        if d > distance_limit:
            why.append(f"far from its type's training cells ({d:.1f}x their spread)" if np.isfinite(d)
                       else "no training cells of its type to compare with")
        if m < margin_limit:
            why.append(f"close call between two types (margin {m:.2f})")
        out.append("; ".join(why))
    return out


def bank_path(classifier_name: str) -> Path:
    from wbc_desktop.core.io.paths import resources_dir

    return resources_dir() / "doubt" / f"{classifier_name}.npz"
