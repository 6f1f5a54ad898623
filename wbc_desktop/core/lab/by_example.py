"""Typing a batch again by its lab's examples, in the model process (after each confirmation).

The window sends a small request: the examples (embeddings of the cells a person typed) and the
embeddings of the batch's other cells, image by image. The model process puts the classifier's
own head on them (its last layer: no forward pass, no crop) and mixes in the prototypes
(:mod:`core.lab.prototypes`); the answer has the same type fields as a retype after a mask edit,
so the window applies it the same way (a person's type stays on top).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

import numpy as np

from wbc_desktop.core.analysis import UNIDENTIFIED
from wbc_desktop.core.lab.prototypes import Examples, combined_probabilities, decide, head_probabilities


# Label propagation over the batch's kNN graph picks the right type 1-4 points more often at 5-10
# examples per type, but it flattens the probabilities, so more cells fall under the threshold and
# are shown "unidentified" (10-20 points fewer shown right; training/reports/lab-learning/lab-learning.md): off
# by default, on for a request that asks for it (up to PROPAGATE_MAX_CELLS: its dense similarity
# matrix is 100 MB at that size).
PROPAGATE_MAX_CELLS = 5000


@dataclass
class ExamplesRequest:
    """Examples and the cells to type again, all in one embedding space (one classifier)."""

    space: str
    examples: Examples
    images: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # key -> (cell ids, NxD vectors)
    tag: object = None
    propagate: bool = False  # label propagation over the batch's kNN graph (see PROPAGATE_MAX_CELLS)
    centre: Optional[np.ndarray] = None  # None: the request's own cells' mean (a lab profile brings its batch's)
    kind: str = "examples"

    @property
    def n_cells(self) -> int:
        return int(sum(len(ids) for ids, _ in self.images.values()))


def space_name(info: dict) -> str:
    """"name vVERSION" of a classifier's info (the same string as embedding_store.space_of)."""
    return f"{info.get('name', '?')} v{info.get('version', '?')}"


def pick_classifier(classifiers: Iterable[Any], space: str) -> Optional[Any]:
    for clf in classifiers:
        if clf is not None and space_name(clf.info()) == space:
            return clf
    return None


def answer(classifier: Any, req: ExamplesRequest) -> dict[str, dict[int, dict]]:
    """``{image key: {cell id: type fields}}`` for every cell of the request; {} without a classifier."""
    if classifier is None or not req.images:
        return {}
    keys = list(req.images)
    vecs = [np.asarray(req.images[k][1], np.float32) for k in keys]
    emb = np.concatenate(vecs) if vecs else np.zeros((0, 0), np.float32)
    if not len(emb):
        return {}
    fc = classifier.model.fc
    w, b = fc.weight.detach().float().cpu().numpy(), fc.bias.detach().float().cpu().numpy()
    head = head_probabilities(emb, w, b)
    classes = list(classifier.classes)
    examples = Examples(req.examples.space, list(req.examples.keys),
                        [lab for lab in req.examples.labels], req.examples.vectors)
    keep = [i for i, lab in enumerate(examples.labels) if lab in classes]  # "unidentified" etc. teach nothing
    examples = Examples(examples.space, [examples.keys[i] for i in keep], [examples.labels[i] for i in keep],
                        examples.vectors[keep] if len(keep) else np.zeros((0, emb.shape[1]), np.float32))
    centre = emb.mean(0) if req.centre is None else np.asarray(req.centre, np.float32)
    on_examples = head_probabilities(examples.vectors, w, b) if len(examples) else None
    p = combined_probabilities(emb, examples, classes, head, centre=centre, head_on_examples=on_examples)
    if req.propagate and len(examples) and len(emb) <= PROPAGATE_MAX_CELLS:
        from wbc_desktop.core.lab.batch_structure import propagate

        p = propagate(emb, p, {}, centre=centre)
    out: dict[str, dict[int, dict]] = {}
    at = 0
    for k, (ids, _) in zip(keys, [req.images[k] for k in keys]):
        rows = {}
        for cid in ids:
            d = decide(p[at], classes, float(classifier.threshold), UNIDENTIFIED)
            rows[int(cid)] = {"cell_type": d.cell_type, "confidence": d.confidence, "top3": d.top3,
                              "predicted_type": d.predicted_type}
            at += 1
        out[k] = rows
    return out


def apply_profile(classifier: Any, analysis: Any, profile: Any, key: str = "image") -> int:
    """Type an analysis's cells by a lab profile's prototypes (``analyze --lab-profile``), in place.

    Per image, so a batch can stream: the cells are centred on the profile's own batch mean.
    Returns the number of cells typed; 0 when the profile is of another classifier's space.
    """
    cells = [c for c in analysis.cells if c.embedding is not None]
    if classifier is None or not cells or not len(profile.examples):
        return 0
    if space_name(classifier.info()) != profile.space:
        return 0
    req = ExamplesRequest(profile.space, profile.examples,
                          {key: (np.array([c.cell_id for c in cells], np.int32), np.stack([c.embedding for c in cells]))},
                          centre=profile.centre if profile.centre is not None else None)
    rows = answer(classifier, req).get(key, {})
    for c in cells:
        r = rows.get(c.cell_id)
        if r is not None:
            c.cell_type, c.confidence, c.top3, c.predicted_type = (r["cell_type"], r["confidence"], r["top3"],
                                                                   r["predicted_type"])
    return len(rows)
