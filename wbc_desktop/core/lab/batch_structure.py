"""Using a batch's unlabelled cells: label propagation over its embedding graph, self-training.

Why: cells of one lab's batch form clusters in the classifier's embedding space that a per-cell
classifier ignores. Two ways to use them, both cheap enough to run after every confirmation:
spreading each cell's probabilities to its nearest neighbours (Zhou et al. 2004, "learning with
local and global consistency"), and letting the confident cells join the examples as
pseudo-examples (self-training of the prototypes). Which one pays is measured in
training/reports/lab-learning/lab-learning.md.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from wbc_desktop.core.lab.prototypes import Examples, combined_probabilities, unit

PSEUDO_WEIGHT = 0.3  # a pseudo-example counts this much of a person's example in the mixing weight


def knn_graph(emb: np.ndarray, centre: Optional[np.ndarray], k: int) -> np.ndarray:
    """Symmetric normalised affinity (NxN, dense) of each cell to its k most similar cells."""
    mu = np.zeros(emb.shape[1], np.float32) if centre is None else centre
    z = unit(np.asarray(emb, np.float32) - mu)
    sim = z @ z.T
    np.fill_diagonal(sim, -np.inf)
    k = max(1, min(k, len(z) - 1))
    nn = np.argpartition(-sim, k - 1, axis=1)[:, :k]
    w = np.zeros_like(sim)
    rows = np.repeat(np.arange(len(z)), k)
    w[rows, nn.ravel()] = np.maximum(sim[rows, nn.ravel()], 0.0)
    w = np.maximum(w, w.T)
    d = w.sum(1)
    d = 1.0 / np.sqrt(np.maximum(d, 1e-8))
    return w * d[:, None] * d[None, :]


def propagate(emb: np.ndarray, probs: np.ndarray, fixed: dict[int, int], centre: Optional[np.ndarray] = None,
              k: int = 10, alpha: float = 0.8, iters: int = 20) -> np.ndarray:
    """Probabilities smoothed over the batch's kNN graph; ``fixed`` cells (index -> class) stay put.

    F <- alpha S F + (1 - alpha) Y, Y the cells' own probabilities (one-hot for a person's type).
    """
    n = len(probs)
    if n < 3:
        return np.asarray(probs, np.float32).copy()
    y = np.asarray(probs, np.float32).copy()
    for i, c in fixed.items():
        y[i] = 0.0
        y[i, c] = 1.0
    s = knn_graph(emb, centre, k).astype(np.float32)
    f = y.copy()
    for _ in range(iters):
        f = alpha * (s @ f) + (1.0 - alpha) * y
    f = np.maximum(f, 0.0)
    return f / np.maximum(f.sum(1, keepdims=True), 1e-8)


def self_train(emb: np.ndarray, probs: np.ndarray, examples: Examples, classes: Sequence[str], head: np.ndarray,
               centre: Optional[np.ndarray] = None, confident: float = 0.9, **kw) -> np.ndarray:
    """The cells typed at ``confident`` or above join the examples (once), then all are typed again."""
    taken = set(examples.keys)
    best = np.asarray(probs).argmax(1)
    idx = [int(i) for i in np.flatnonzero(np.asarray(probs).max(1) >= confident) if str(i) not in taken]
    n_pseudo = len(idx)
    if not n_pseudo:
        return np.asarray(probs, np.float32).copy()
    vecs = np.asarray(emb, np.float32)[idx]
    pseudo = Examples(examples.space, list(examples.keys) + [f"pseudo:{i}" for i in idx],
                      list(examples.labels) + [classes[int(best[i])] for i in idx],
                      np.concatenate([examples.vectors, vecs]) if len(examples) else vecs)
    return combined_probabilities(emb, pseudo, classes, head, centre=centre,
                                  n_effective=len(examples) + PSEUDO_WEIGHT * n_pseudo, **kw)
