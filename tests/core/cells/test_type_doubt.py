"""Per-cell doubt: distance to the training cells of the given type, margin, the bank file."""

from __future__ import annotations

import numpy as np

from wbc_desktop.core.cells.type_doubt import TypeBank, bank_path, doubt_reasons, normalise


def bank(seed: int = 0) -> TypeBank:
    rng = np.random.default_rng(seed)
    centres = np.eye(4, 16, dtype=np.float32) * 5
    feats = np.concatenate([c + rng.normal(0, 0.5, (30, 16)) for c in centres]).astype(np.float32)
    labels = np.repeat(np.arange(4), 30)
    b = TypeBank(["a", "b", "c", "d"], normalise(feats), labels, np.ones(4, np.float32), classifier=("m", "1"))
    held = np.concatenate([c + rng.normal(0, 0.5, (10, 16)) for c in centres]).astype(np.float32)
    raw = b.distances(held, np.repeat(np.arange(4), 10))
    b.scale = np.array([np.percentile(raw[i * 10:(i + 1) * 10], 90) for i in range(4)], np.float32)
    return b


def test_a_cell_of_another_type_is_far_from_the_type_it_is_given():
    b = bank()
    rng = np.random.default_rng(1)
    own = np.eye(4, 16, dtype=np.float32)[1] * 5 + rng.normal(0, 0.5, 16)
    d = b.distances(np.stack([own, own]), [1, 0])  # right type, then a wrong one
    assert d[0] < 1.5 and d[1] > 3 * d[0]


def test_reasons_name_distance_and_margin():
    r = doubt_reasons(np.array([0.5, 2.5, 0.5]), np.array([[0.9, 0.05], [0.97, 0.01], [0.5, 0.45]]), 1.0, 0.3)
    assert r[0] == "" and "far from its type" in r[1] and "close call" in r[2]


def test_bank_round_trip_without_pickle(tmp_path):
    b = bank()
    b.distance_limit, b.margin_limit = 1.5, 0.4
    p = tmp_path / "m.npz"
    b.save(p)
    c = TypeBank.load(p)
    assert c.classes == b.classes and c.matches("m", "1") and not c.matches("m", "2")
    assert (c.distance_limit, c.margin_limit) == (1.5, 0.4)
    assert np.allclose(c.features, b.features, atol=2e-3) and np.array_equal(c.labels, b.labels)
    assert TypeBank.load(tmp_path / "absent.npz") is None


def test_bank_path_is_under_resources():
    assert bank_path("default").parts[-2:] == ("doubt", "default.npz")
