"""The model process's answer to an examples request: the head on the embeddings, mixed with the examples."""

from __future__ import annotations

import numpy as np
import torch

from wbc_desktop.core.lab.by_example import ExamplesRequest, answer, pick_classifier, space_name
from wbc_desktop.core.lab.prototypes import Examples


class _Clf:
    """The little a classifier must offer: classes, threshold, info and a last layer."""

    classes = ["lymphocyte", "monocyte", "neutrophil"]
    threshold = 0.5

    def __init__(self):
        self.model = torch.nn.Module()
        self.model.fc = torch.nn.Linear(6, 3)
        with torch.no_grad():
            self.model.fc.weight.zero_()
            self.model.fc.bias.copy_(torch.tensor([0.0, 0.0, 3.0]))  # the head calls everything neutrophil

    def info(self):
        return {"name": "tiny", "version": "1"}


def test_examples_override_a_head_that_is_wrong_for_this_lab():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 10)
    emb = (np.eye(2, 6, dtype=np.float32) * 4)[labels] + rng.normal(0, 0.2, (20, 6)).astype(np.float32)
    ex = Examples("tiny v1")
    ex.set("a:1", "lymphocyte", emb[0])
    ex.set("a:2", "monocyte", emb[10])
    ex.set("a:3", "lymphocyte", emb[1])
    ex.set("a:4", "monocyte", emb[11])
    ex.set("a:5", "unidentified", emb[12])  # teaches nothing
    req = ExamplesRequest("tiny v1", ex, {"img": (np.arange(1, 21), emb)})
    clf = _Clf()
    assert pick_classifier([None, clf], "tiny v1") is clf and pick_classifier([clf], "other v1") is None
    assert space_name(clf.info()) == "tiny v1"
    out = answer(clf, req)["img"]
    got = [out[i + 1]["predicted_type"] for i in range(20)]
    assert got == [_Clf.classes[k] for k in labels]
    assert answer(None, req) == {}
