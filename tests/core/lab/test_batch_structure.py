"""Batch structure: label propagation and self-training over a batch's embeddings."""

from __future__ import annotations

import numpy as np

from wbc_desktop.core.lab.batch_structure import knn_graph, propagate, self_train
from wbc_desktop.core.lab.prototypes import Examples


def _two_clusters(n=20, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.repeat([0, 1], n)
    emb = (np.eye(2, 6, dtype=np.float32) * 3)[labels] + rng.normal(0, 0.2, (2 * n, 6)).astype(np.float32)
    return emb, labels


def test_graph_is_symmetric_and_links_a_cluster_inside():
    emb, labels = _two_clusters()
    s = knn_graph(emb, emb.mean(0), k=5)
    assert np.allclose(s, s.T)
    inside = s[labels[:, None] == labels[None, :]].sum()
    assert inside > 0.95 * s.sum()


def test_propagation_fixes_noisy_cells_from_a_few_fixed_ones():
    emb, labels = _two_clusters()
    rng = np.random.default_rng(1)
    probs = np.full((len(labels), 2), 0.5, np.float32)
    probs[np.arange(len(labels)), labels] = 0.6
    flip = rng.choice(len(labels), 8, replace=False)  # 8 cells the per-cell classifier gets wrong
    probs[flip] = probs[flip][:, ::-1]
    out = propagate(emb, probs, {0: 0, 39: 1}, centre=emb.mean(0), k=5)
    assert np.mean(out.argmax(1) == labels) == 1.0
    assert np.allclose(out.sum(1), 1.0, atol=1e-5)


def test_self_training_without_confident_cells_changes_nothing():
    emb, labels = _two_clusters()
    probs = np.full((len(labels), 2), 0.5, np.float32)
    out = self_train(emb, probs, Examples("m"), ["a", "b"], probs, confident=0.9)
    assert np.array_equal(out, probs)
