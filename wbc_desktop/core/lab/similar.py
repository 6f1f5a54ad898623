"""Find similar: the batch's cells nearest to one cell in the classifier's embedding space.

Why: typing by example is fastest when a person sees, next to one cell they know, the batch's
cells that look most like it, and types those they agree with in one key press. Cosine similarity
on batch-centred embeddings (the same geometry as the prototypes, core.lab.prototypes): one
matrix-vector product, ~1 ms for 2,000 cells.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from wbc_desktop.core.lab.prototypes import unit


def nearest(query: np.ndarray, vectors: np.ndarray, centre: Optional[np.ndarray] = None,
            limit: Optional[int] = None) -> tuple[np.ndarray, np.ndarray]:
    """(indices, similarities) of ``vectors`` most similar to ``query`` first; ``limit`` keeps the top ones."""
    v = np.asarray(vectors, np.float32)
    if not len(v):
        return np.zeros(0, int), np.zeros(0, np.float32)
    mu = v.mean(0) if centre is None else np.asarray(centre, np.float32)
    sims = unit(v - mu) @ unit(np.asarray(query, np.float32) - mu)
    n = len(sims) if limit is None else min(int(limit), len(sims))
    top = np.argpartition(-sims, n - 1)[:n] if n < len(sims) else np.arange(len(sims))
    order = top[np.argsort(-sims[top], kind="stable")]
    return order, sims[order]
