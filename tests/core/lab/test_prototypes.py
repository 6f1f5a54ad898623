"""Prototypes: a lab's examples type its other cells; no example leaves the head's answer as it was."""

from __future__ import annotations

import numpy as np
import pytest

from wbc_desktop.core.lab.prototypes import (Examples, combined_probabilities, decide, head_probabilities,
                                               prototype_probabilities, weight_for)

CLASSES = ["lymphocyte", "monocyte", "neutrophil"]


def _lab(n: int = 30, seed: int = 0):
    """Three well-separated clusters whose head (a stain the head never saw) calls everything neutrophil."""
    rng = np.random.default_rng(seed)
    centres = np.eye(3, 8, dtype=np.float32) * 4
    labels = np.repeat(np.arange(3), n)
    emb = centres[labels] + rng.normal(0, 0.3, (3 * n, 8)).astype(np.float32)
    head = np.tile(np.array([[0.2, 0.2, 0.6]], np.float32), (3 * n, 1))
    return emb, head, labels


def test_no_example_gives_the_heads_probabilities():
    emb, head, _ = _lab()
    out = combined_probabilities(emb, Examples(), CLASSES, head)
    assert np.array_equal(out, head)


def test_one_example_per_type_types_the_clusters_right():
    emb, head, labels = _lab()
    ex = Examples("m")
    for t in range(3):
        i = int(np.flatnonzero(labels == t)[0])
        ex.set(f"img:{i}", CLASSES[t], emb[i])
    p = combined_probabilities(emb, ex, CLASSES, head, centre=emb.mean(0))
    assert np.mean(p.argmax(1) == labels) == 1.0
    assert np.allclose(p.sum(1), 1.0, atol=1e-5)


def test_examples_of_one_type_only_share_out_the_heads_mass():
    emb, head, labels = _lab()
    ex = Examples("m")
    ex.set("a", "monocyte", emb[np.flatnonzero(labels == 1)[0]])
    p = prototype_probabilities(emb, ex, CLASSES, head)
    assert np.allclose(p, head)  # one type: nothing to tell apart, the head stands


def test_set_replaces_and_none_removes_an_example():
    ex = Examples("m")
    ex.set("a", "monocyte", np.ones(4))
    ex.set("a", "lymphocyte", np.zeros(4))
    assert ex.labels == ["lymphocyte"] and len(ex) == 1
    ex.set("a", None, None)
    assert len(ex) == 0 and ex.vectors.shape[0] == 0
    ex.set("b", "monocyte", np.ones(4))
    with pytest.raises(ValueError):
        ex.set("c", "monocyte", np.ones(5))


def test_weight_grows_with_the_examples():
    assert weight_for(0) == 0.0 and 0 < weight_for(1) < weight_for(5) < weight_for(50) < 1


def test_head_probabilities_and_decide():
    p = head_probabilities(np.array([[1.0, 0.0]]), np.array([[5.0, 0.0], [0.0, 0.0], [0.0, 5.0]]), np.zeros(3))
    d = decide(p[0], CLASSES, 0.5, "unidentified")
    assert d.cell_type == "lymphocyte" and d.top3[0][0] == "lymphocyte"
    assert decide(p[0], CLASSES, 0.999, "unidentified").cell_type == "unidentified"


def test_a_head_that_types_the_examples_right_keeps_its_say_longer():
    emb, head, labels = _lab()
    ex = Examples("m")
    idx = [int(np.flatnonzero(labels == t)[k]) for t in range(3) for k in range(2)]
    for i in idx:
        ex.set(str(i), CLASSES[labels[i]], emb[i])
    right = np.eye(3, dtype=np.float32)[labels[idx]]  # a head right on every example
    wrong = np.roll(right, 1, axis=1)
    p_plain = combined_probabilities(emb, ex, CLASSES, head, centre=emb.mean(0))
    p_right = combined_probabilities(emb, ex, CLASSES, head, centre=emb.mean(0), head_on_examples=right)
    p_wrong = combined_probabilities(emb, ex, CLASSES, head, centre=emb.mean(0), head_on_examples=wrong)
    d = lambda p: np.abs(p - head).sum()  # noqa: E731 - how far from the head
    assert d(p_right) < d(p_plain) < d(p_wrong)


def test_leave_one_out_scores_each_example_by_the_others():
    from wbc_desktop.core.lab.prototypes import leave_one_out

    emb, _, labels = _lab()
    ex = Examples("m")
    for i in [0, 1, 2, 30, 31, 60]:  # 3 lymphocytes, 2 monocytes, 1 neutrophil (not scored: alone)
        ex.set(str(i), CLASSES[labels[i]], emb[i])
    assert leave_one_out(ex, emb.mean(0)) == (5, 5)
    ex.set("x", "lymphocyte", emb[61])  # a neutrophil typed lymphocyte: the others disagree
    right, scored = leave_one_out(ex, emb.mean(0))
    assert scored == 6 and right == 5
    assert leave_one_out(Examples("m"), None) == (0, 0)


def test_the_weight_is_fitted_on_the_labs_own_examples():
    from wbc_desktop.core.lab.prototypes import fitted_weight

    emb, _, labels = _lab()
    ex = Examples("m")
    idx = [int(np.flatnonzero(labels == t)[k]) for t in range(3) for k in range(4)]
    for i in idx:
        ex.set(str(i), CLASSES[labels[i]], emb[i])
    right = np.eye(3, dtype=np.float32)[labels[idx]] * 0.9 + 0.1 / 3
    wrong = np.roll(right, 1, axis=1)
    w_wrong = fitted_weight(ex, CLASSES, wrong, prior=0.5, centre=emb.mean(0))
    assert w_wrong > 0.7  # clean clusters and a head wrong on them: from the prior 0.5 towards the examples
    noise = Examples("m", ex.keys, ex.labels, np.random.default_rng(3).normal(size=ex.vectors.shape).astype(np.float32))
    w_right = fitted_weight(noise, CLASSES, right, prior=0.5)
    assert w_right < 0.3  # features that do not separate the types and a head that is right: towards the head
    one_each = Examples("m", ex.keys[::4], ex.labels[::4], ex.vectors[::4])
    assert fitted_weight(one_each, CLASSES, right[::4], prior=0.3) == 0.3  # nothing to score: the prior
