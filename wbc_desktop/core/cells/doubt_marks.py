"""Mark typed cells whose type is not to be trusted (``Cell.doubt``), with the classifier that typed them.

The rule is core.cells.type_doubt's; this module gets the cells' features (their own
``Cell.embedding`` when already filled, else the classifier's penultimate features of the same
crops) and the bank shipped for that classifier (resources/doubt/<name>.npz, used only when its
card's name and version match: a retrained classifier's features are not the bank's).
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from wbc_desktop.core.analysis import UNIDENTIFIED, Cell
from wbc_desktop.core.cells.type_doubt import TypeBank, bank_path, doubt_reasons


class DoubtMarker:
    """Loads each classifier's bank once; :meth:`mark` fills ``Cell.doubt`` of typed cells."""

    def __init__(self) -> None:
        self._banks: dict[tuple, Optional[TypeBank]] = {}

    def bank_for(self, clf) -> Optional[TypeBank]:
        key = (clf.card.get("name"), clf.card.get("version"))
        if key not in self._banks:
            bank = TypeBank.load(bank_path(str(key[0])))
            ok = bank is not None and bank.classes == list(clf.classes) and bank.matches(*key)
            self._banks[key] = bank if ok else None
        return self._banks[key]

    def mark(self, clf, rgb: np.ndarray, class_map: np.ndarray, instances: np.ndarray, cells: Sequence[Cell],
             scale: float = 1.0, unfamiliar: bool = False) -> int:
        """Set ``doubt`` on typed cells beyond the rule (and clear it on the others); the number marked."""
        bank = self.bank_for(clf) if clf is not None else None
        typed = [c for c in cells if c.cell_type != UNIDENTIFIED and c.cell_type in (bank.classes if bank else ())]
        for c in cells:
            c.doubt = ""
        if bank is None or not typed:
            return 0
        feats = self._features(clf, rgb, class_map, instances, typed, scale, bank.features.shape[1])
        types = [bank.classes.index(c.cell_type) for c in typed]
        dist = bank.distances(feats, types)
        probs = np.zeros((len(typed), 2), np.float32)
        for i, c in enumerate(typed):
            top = sorted((float(p) for _, p in (c.top3 or [])), reverse=True) + [0.0, 0.0]
            probs[i] = top[:2]
        reasons = doubt_reasons(dist, probs, bank.distance_limit, bank.margin_limit)
        n = 0
        for c, why in zip(typed, reasons):
            if why and unfamiliar:
                why += "; on an image unlike the training data"
            c.doubt = why
            n += bool(why)
        return n

    @staticmethod
    def _features(clf, rgb, class_map, instances, cells, scale, dim) -> np.ndarray:
        have = [c.embedding for c in cells]
        if all(e is not None and np.asarray(e).shape == (dim,) for e in have):
            return np.stack([np.asarray(e, np.float32) for e in have])
        from wbc_desktop.core.cells.crops import cell_crops
        from wbc_desktop.core.cells.embedding import embed_crops

        crops = cell_crops(rgb, class_map, instances, [c.cell_id for c in cells], clf.spec, scale,
                           boxes=[c.bbox for c in cells])
        feats, _ = embed_crops(clf, crops)
        for c, f in zip(cells, feats):
            if c.embedding is None:
                c.embedding = f.astype(np.float32)
        return feats
