"""Typing a lab's cells by its own examples: prototypes in the classifier's embedding space.

Why: a hematologist types cells while reviewing anyway. Each type a person sets or confirms in a
project becomes an example; the project's other cells are typed by their similarity to those
examples, mixed with the shipped head's probabilities with a weight that grows with the number
of examples. No training run (an update is a few matrix products), and nothing is forgotten: the
shipped head is never changed, so with no example the types are exactly the head's.

The embedding is the classifier's pooled penultimate features (``Cell.embedding``), centred on the
batch's own mean before cosine similarity (a new lab's stain moves every cell's features the same
way; centring removes that shared shift), then compared with each type's mean example
(nearest class mean, Snell et al. 2017). Figures: training/reports/lab-learning/lab-learning.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np

TAU = 0.1  # temperature of the cosine similarities (softmax over the types with examples)
N_HALF = 3.0  # examples at which the prototypes and the head weigh the same (w = n / (n + N_HALF))


@dataclass
class Examples:
    """A lab's typed cells in one embedding space (one classifier: ``space``).

    ``keys`` name each example (``"image:cell_id"``) so that retyping a cell replaces its example
    and undoing a type removes it.
    """

    space: str = ""
    keys: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))

    def __len__(self) -> int:
        return len(self.keys)

    def set(self, key: str, label: Optional[str], vector: Optional[np.ndarray]) -> None:
        """Add or replace the example ``key``; ``label`` None (or no vector) removes it."""
        self.remove(key)
        if label is None or vector is None:
            return
        v = np.asarray(vector, np.float32).reshape(1, -1)
        if self.vectors.size and self.vectors.shape[1] != v.shape[1]:
            raise ValueError(f"embedding of {v.shape[1]} values, the examples have {self.vectors.shape[1]}")
        self.vectors = v if not self.vectors.size else np.concatenate([self.vectors, v])
        self.keys.append(str(key))
        self.labels.append(str(label))

    def remove(self, key: str) -> None:
        if key in self.keys:
            i = self.keys.index(key)
            del self.keys[i], self.labels[i]
            self.vectors = np.delete(self.vectors, i, 0)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for lab in self.labels:
            out[lab] = out.get(lab, 0) + 1
        return out


def unit(x: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows stay zero)."""
    x = np.asarray(x, np.float32)
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(n, 1e-8)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


def head_probabilities(embeddings: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The shipped head (the classifier's last linear layer) on the embeddings: NxK probabilities."""
    return softmax(np.asarray(embeddings, np.float32) @ np.asarray(weight, np.float32).T + np.asarray(bias, np.float32))


def prototype_probabilities(queries: np.ndarray, examples: Examples, classes: Sequence[str], head: np.ndarray,
                            centre: Optional[np.ndarray] = None, tau: float = TAU) -> np.ndarray:
    """P(type) from similarity to each type's mean example, for the types that have examples.

    The types with no example keep the head's probability; the mass the head gives to the types
    with examples is shared among them by similarity. So one confirmed neutrophil sharpens the
    neutrophil/other calls among "examples" types without taking anything from the rest.
    """
    head = np.asarray(head, np.float32)
    seen = [k for k, c in enumerate(classes) if c in set(examples.labels)]
    if not seen or not len(queries):
        return head.copy()
    mu = np.zeros(examples.vectors.shape[1], np.float32) if centre is None else np.asarray(centre, np.float32)
    q = unit(np.asarray(queries, np.float32) - mu)
    ex = unit(examples.vectors - mu)
    lab = np.asarray(examples.labels)
    means = unit(np.stack([ex[lab == classes[k]].mean(0) for k in seen]))
    share = softmax((q @ means.T) / tau)
    out = head.copy()
    out[:, seen] = share * head[:, seen].sum(1, keepdims=True)
    return out


def weight_for(n_examples: float, n_half: float = N_HALF) -> float:
    """How much the prototypes count against the head: 0 with no example, towards 1 with many."""
    return float(n_examples) / (float(n_examples) + n_half) if n_examples > 0 else 0.0


def _full(proto: np.ndarray, seen: list[int]) -> np.ndarray:
    """With examples of two or more types, the prototypes' part puts all its mass on those types."""
    if len(seen) < 2:
        return proto
    share = proto[:, seen] / np.maximum(proto[:, seen].sum(1, keepdims=True), 1e-8)
    out = np.zeros_like(proto)
    out[:, seen] = share
    return out


GRID = np.linspace(0.0, 1.0, 11)  # prototype weights tried on the examples themselves
PRIOR_STRENGTH = 12.0  # the prior rule counts as this many scored examples against the fitted weight
MAX_FIT = 200  # examples scored for the fit at most (a large lab: a sample)


def fitted_weight(examples: Examples, classes: Sequence[str], head_on_examples: np.ndarray,
                  prior: float, centre: Optional[np.ndarray] = None, tau: float = TAU) -> float:
    """The prototypes' weight that types the lab's own examples best, shrunk towards ``prior``.

    Each example of a type with two or more is typed by the other examples (leave one out) and by
    the head; the weight on the grid that gives the examples' true types the highest mean
    log-probability wins. With m examples scored, it counts m / (m + PRIOR_STRENGTH) against the
    prior rule. So on a lab the head already reads well (its examples typed right, the
    prototypes less so) the prototypes stay out, and on a new lab they take over as fast as the
    examples show they should.
    """
    lab = np.asarray(examples.labels)
    index = {c: k for k, c in enumerate(classes)}
    counts = {t: int((lab == t).sum()) for t in set(examples.labels)}
    scored = [i for i, t in enumerate(lab) if counts[t] >= 2 and t in index]
    if not scored:
        return prior
    if len(scored) > MAX_FIT:
        scored = list(np.random.default_rng(0).choice(scored, MAX_FIT, replace=False))
    mu = np.zeros(examples.vectors.shape[1], np.float32) if centre is None else np.asarray(centre, np.float32)
    z = unit(examples.vectors - mu)
    types = sorted(t for t in counts if t in index)
    sums = {t: z[lab == t].sum(0) for t in types}
    ll = np.zeros(len(GRID))
    for i in scored:
        t = lab[i]
        means = unit(np.stack([(sums[u] - (z[i] if u == t else 0)) / (counts[u] - (u == t)) for u in types]))
        share = softmax((means @ z[i]) / tau)
        proto = np.zeros(len(classes), np.float32)
        proto[[index[u] for u in types]] = share
        h = np.asarray(head_on_examples[i], np.float32)
        y = index[t]
        ll += np.log(np.maximum((1.0 - GRID) * h[y] + GRID * proto[y], 1e-6))
    w_fit = float(GRID[int(np.argmax(ll))])
    m = float(len(scored))
    return (m * w_fit + PRIOR_STRENGTH * prior) / (m + PRIOR_STRENGTH)


def combined_probabilities(queries: np.ndarray, examples: Examples, classes: Sequence[str], head: np.ndarray,
                           centre: Optional[np.ndarray] = None, tau: float = TAU, n_half: float = N_HALF,
                           n_effective: Optional[float] = None,
                           head_on_examples: Optional[np.ndarray] = None) -> np.ndarray:
    """The head's and the prototypes' probabilities mixed, the prototypes weighing more with each example.

    With examples of two or more types the prototypes' part puts all its mass on those types (a
    new lab's stain makes the head wrong about which type a cell is, and it is the examples that
    know); with one type only, it shares out the head's mass (see :func:`prototype_probabilities`),
    since one type's example alone cannot tell a cell of it from a cell of another type.

    The prior weight is n / (n + N_HALF). ``head_on_examples`` (the head's probabilities for the
    examples, in their order) lets the lab's own examples decide: N_HALF is first scaled by the
    odds a/(1-a) that the head types them right, a = (right + 1)/(n + 2), then the weight that
    types them best is fitted (:func:`fitted_weight`), so a head that already reads this lab
    well is not overruled by a handful of prototypes.
    """
    head = np.asarray(head, np.float32)
    if not len(examples):
        return head.copy()
    proto = prototype_probabilities(queries, examples, classes, head, centre, tau)
    seen = [k for k, c in enumerate(classes) if c in set(examples.labels)]
    proto = _full(proto, seen)
    if head_on_examples is not None and len(head_on_examples) == len(examples):
        # the prior pace: N_HALF scaled by the odds that the head types this lab's examples right
        index = {c: k for k, c in enumerate(classes)}
        right = sum(int(np.argmax(h)) == index.get(lab, -1) for h, lab in zip(head_on_examples, examples.labels))
        a = (right + 1.0) / (len(examples) + 2.0)
        n_half = n_half * a / (1.0 - a)
    w = weight_for(len(examples) if n_effective is None else n_effective, n_half)
    if head_on_examples is not None and len(head_on_examples) == len(examples) and len(seen) >= 2:
        w = fitted_weight(examples, classes, head_on_examples, w, centre, tau)
    return (1.0 - w) * head + w * proto


def leave_one_out(examples: Examples, centre: Optional[np.ndarray] = None) -> tuple[int, int]:
    """(right, scored): each example typed by the other examples' type means alone.

    Only examples of types with two or more examples are scored (one alone has no mean left).
    Shown to the person after each update: how well the batch's own examples already agree, a
    live point of the learning curve (does typing more cells still pay?).
    """
    lab = np.asarray(examples.labels)
    types = sorted(set(examples.labels))
    if len(types) < 2 or not len(examples):
        return 0, 0
    mu = np.zeros(examples.vectors.shape[1], np.float32) if centre is None else np.asarray(centre, np.float32)
    z = unit(examples.vectors - mu)
    sums = {t: z[lab == t].sum(0) for t in types}
    counts = {t: int((lab == t).sum()) for t in types}
    right = scored = 0
    for i, t in enumerate(lab):
        if counts[t] < 2:
            continue
        means = np.stack([unit((sums[u] - (z[i] if u == t else 0)) / (counts[u] - (u == t))) for u in types])
        right += types[int(np.argmax(means @ z[i]))] == t
        scored += 1
    return int(right), scored


@dataclass
class Decision:
    """One cell's type from the combined probabilities (as the classifier writes them)."""

    cell_type: str
    confidence: float
    top3: list[tuple[str, float]]
    predicted_type: str


def decide(p: np.ndarray, classes: Sequence[str], threshold: float, unidentified: str) -> Decision:
    order = np.argsort(-p)
    best = classes[int(order[0])]
    conf = float(p[order[0]])
    return Decision(best if conf >= threshold else unidentified, conf,
                    [(classes[int(k)], float(p[k])) for k in order[:3]], best)
