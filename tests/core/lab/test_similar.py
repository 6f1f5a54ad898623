"""Find similar: nearest cells in embedding space, most similar first."""

from __future__ import annotations

import numpy as np

from wbc_desktop.core.lab.similar import nearest


def test_most_similar_first_and_the_cell_itself_on_top():
    rng = np.random.default_rng(0)
    v = rng.normal(size=(50, 8)).astype(np.float32)
    v[7] = v[3] + 0.01  # a near twin of cell 3
    order, sims = nearest(v[3], v)
    assert list(order[:2]) in ([3, 7], [7, 3]) and np.all(np.diff(sims) <= 1e-6)
    top, s5 = nearest(v[3], v, limit=5)
    assert len(top) == 5 and list(top) == list(order[:5])


def test_empty_batch():
    order, sims = nearest(np.ones(4), np.zeros((0, 4)))
    assert len(order) == 0 and len(sims) == 0
