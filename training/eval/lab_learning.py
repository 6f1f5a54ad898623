"""Lab learning: how many confirmed cells per type make a new lab's cells typed right (issue 24).

For each "new lab" (training/eval/lab_cells.py) a person is simulated confirming k cells per
type (k = 1, 3, 5, 10; random, several seeds; a type with fewer cells gives all but one); the
other cells of the lab are scored. Methods, each with and without the batch's unlabelled cells:

- ``head``: the shipped classifier alone (what the app does today);
- ``proto``: core.lab.prototypes (nearest class mean on batch-centred embeddings, mixed with
  the head, the weight growing with the examples) - what the app does;
- ``adabn``: the classifier's BatchNorm statistics recomputed on the batch (feature statistics
  adaptation), then as above;
- ``lp``: label propagation over the batch's kNN graph (Zhou et al. 2004) from the method's probabilities;
- ``self``: self-training: the confident cells join the examples (soft prototypes), once.

Accuracy is the best class ("forced"; the app shows "unidentified" under its threshold, also
reported as ``shown``). Hyper-parameters were chosen on ``pbc_shift`` only and kept for the rest.

    python -m training.eval.lab_learning --out training/reports/lab-learning/lab-learning.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from training.eval.lab_cells import load_set, model_of
from wbc_desktop.core.lab import batch_structure as bs
from wbc_desktop.core.lab.prototypes import Examples, combined_probabilities, head_probabilities

KS = (1, 3, 5, 10)


def pick(labels: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k cells per type at random (all but one where a type has no more than k)."""
    out = []
    for t in sorted(set(labels)):
        idx = np.flatnonzero(labels == t)
        n = min(k, len(idx) - 1)
        if n > 0:
            out.extend(rng.choice(idx, n, replace=False).tolist())
    return np.array(sorted(out), int)


def adabn(d: dict, model: str) -> dict:
    """Embeddings and head recomputed with BatchNorm statistics from this batch's crops."""
    import torch

    from wbc_desktop.core.cells.classifier import CellClassifier, penultimate
    from wbc_desktop.core.cells.crops import to_tensor

    clf = CellClassifier.load(model, device="cpu")
    m = clf.model
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.reset_running_stats()
            mod.momentum = None  # cumulative average over the batch
    x = to_tensor(d["crops"])
    with torch.no_grad():
        m.train()
        for i in range(0, len(x), 128):
            m(x[i:i + 128])
        m.eval()
        f = torch.cat([penultimate(m, x[i:i + 256]) for i in range(0, len(x), 256)]).numpy()
        w, b = m.fc.weight.numpy(), m.fc.bias.numpy()
    return {**d, "emb": f.astype(np.float32), "head": head_probabilities(f, w, b)}


def predict(method: str, d: dict, ex_idx: np.ndarray, classes: list[str], opts: dict) -> np.ndarray:
    emb, head, labels = d["emb"], d["head"], d["labels"]
    centre = emb.mean(0) if opts.get("centre", True) else None
    ex = Examples("eval")
    for i in ex_idx:
        ex.set(str(i), str(labels[i]), emb[i])
    use_proto = "proto" in method
    p = combined_probabilities(emb, ex, classes, head, centre=centre, tau=opts["tau"], n_half=opts["n_half"],
                               head_on_examples=head[ex_idx]) if use_proto else head.copy()
    if "self" in method:
        p = bs.self_train(emb, p, ex, classes, head, centre=centre, tau=opts["tau"], n_half=opts["n_half"],
                          confident=opts["confident"]) if use_proto else \
            bs.self_train(emb, p, Examples("eval"), classes, head, centre=centre, tau=opts["tau"],
                          n_half=opts["n_half"], confident=opts["confident"])
    if "lp" in method:
        fixed = {int(i): classes.index(str(labels[i])) for i in ex_idx} if use_proto else {}
        p = bs.propagate(emb, p, fixed, centre=centre, k=opts["knn"], alpha=opts["alpha"])
    return p


def score(p: np.ndarray, d: dict, rest: np.ndarray, classes: list[str], thr: float = 0.5) -> tuple[float, float]:
    best = np.asarray(classes)[p[rest].argmax(1)]
    truth = d["labels"][rest]
    forced = float(np.mean(best == truth))
    shown = float(np.mean((best == truth) & (p[rest].max(1) >= thr)))
    return forced, shown


METHODS = ("head", "head+lp", "head+self", "proto", "proto+lp", "proto+self", "proto+self+lp")


def ceiling(d: dict) -> float:
    """Leave-one-out nearest class mean with every other cell of the lab as an example: what this
    embedding can give at best with prototypes (the examples are not the limit, the features are)."""
    from wbc_desktop.core.lab.prototypes import unit

    z = unit(d["emb"] - d["emb"].mean(0))
    lab = d["labels"]
    types = sorted(set(lab))
    sums = {t: z[lab == t].sum(0) for t in types}
    cnt = {t: int((lab == t).sum()) for t in types}
    right = 0
    for i in range(len(z)):
        means = np.stack([unit((sums[t] - (z[i] if lab[i] == t else 0)) / max(1, cnt[t] - (lab[i] == t)))
                          for t in types])
        right += types[int((means @ z[i]).argmax())] == lab[i]
    return round(right / len(z), 4)


def run_set(name: str, seeds: int, opts: dict, methods=METHODS, ks=KS, with_adabn: bool = True) -> dict:
    d = load_set(name)
    classes = [str(c) for c in d["classes"]]
    variants = {"": d}
    if with_adabn and model_of(name) in ("pbc-only", "default"):  # BatchNorm models only (other-labs: GroupNorm)
        variants["adabn+"] = adabn(d, model_of(name))
    out: dict = {"n": int(len(d["labels"])), "model": model_of(name),
                 "types": {t: int((d["labels"] == t).sum()) for t in sorted(set(d["labels"]))}, "results": {},
                 "ceiling_loo_ncm": ceiling(d)}
    for vname, dv in variants.items():
        for m in methods:
            row = {}
            for k in ks:
                f, s = [], []
                for seed in range(seeds):
                    ex_idx = pick(d["labels"], k, np.random.default_rng(seed))
                    rest = np.setdiff1d(np.arange(len(d["labels"])), ex_idx)
                    p = predict(m, dv, ex_idx, classes, opts)
                    a, b = score(p, dv, rest, classes)
                    f.append(a)
                    s.append(b)
                row[str(k)] = {"forced": round(float(np.mean(f)), 4), "forced_sd": round(float(np.std(f)), 4),
                               "shown": round(float(np.mean(s)), 4)}
            out["results"][vname + m] = row
    return out


def update_time(n_cells: int = 2000, n_examples: int = 200, dim: int = 128, classes: int = 8, reps: int = 20) -> dict:
    """Seconds for one prototype update (all cells' probabilities again) on random data of that size."""
    rng = np.random.default_rng(0)
    emb = rng.random((n_cells, dim), np.float32)
    head = rng.dirichlet(np.ones(classes), n_cells).astype(np.float32)
    names = [f"c{i}" for i in range(classes)]
    ex = Examples("t")
    for i in range(n_examples):
        ex.set(str(i), names[i % classes], emb[i])
    ts = {}
    head_ex = head[:n_examples]  # the head on the examples: the weight is fitted on them, as in the app
    for m in ("proto", "proto+lp"):
        t = []
        for _ in range(reps):
            t0 = time.perf_counter()
            p = combined_probabilities(emb, ex, names, head, centre=emb.mean(0), head_on_examples=head_ex)
            if m == "proto+lp":
                bs.propagate(emb, p, {i: i % classes for i in range(n_examples)}, centre=emb.mean(0))
            t.append(time.perf_counter() - t0)
        ts[m] = {"median_s": round(float(np.median(t)), 4), "max_s": round(float(np.max(t)), 4)}
    return {"cells": n_cells, "examples": n_examples, **ts}


def head_untouched(sim_sets: list[str]) -> dict:
    """The shipped heads after a lab session: the same weights file and the same PBC test answers.

    The prototypes never write a model; this checks it end to end: the weight files' checksums
    and the PBC test accuracy of pbc-only and default, before and after running the whole
    simulation (every set, every k) in this process.
    """
    from wbc_desktop.core.cells.classifier import CellClassifier
    from wbc_desktop.core.io.atomic import sha256_file

    def state() -> dict:
        out = {}
        pbc = load_set("pbc")
        for m in ("pbc-only", "default"):
            clf = CellClassifier.load(m, device="cpu")
            p = clf.predict_crops(pbc["crops"])
            out[m] = {"sha256": sha256_file(Path(clf.folder) / "weights.safetensors"),
                      "pbc_test_acc": round(float(np.mean(np.asarray(clf.classes)[p.argmax(1)] == pbc["labels"])), 4),
                      "n": int(len(p))}
        return out

    before = state()
    for s in sim_sets:
        run_set(s, 2, DEFAULTS, methods=("proto", "proto+lp"), with_adabn=False)
    after = state()
    return {"before": before, "after": after, "unchanged": before == after}


def profile_transfer(name: str, k: int, seeds: int, opts: dict) -> dict:
    """Lab profile: batch A (half the lab) gets k confirmed cells per type; its accuracy on its other
    cells after them is compared with batch B's first contact (no correction in B) given A's profile.

    B is centred on A's batch mean (``analyze --lab-profile``, image by image) and on its own mean
    (the app, which holds the whole batch)."""
    d = load_set(name)
    classes = [str(c) for c in d["classes"]]
    lab = d["labels"]
    rows = []
    for seed in range(seeds):
        rng = np.random.default_rng(100 + seed)
        a_idx, b_idx = [], []
        for t in sorted(set(lab)):
            idx = rng.permutation(np.flatnonzero(lab == t))
            a_idx += idx[: len(idx) // 2].tolist()
            b_idx += idx[len(idx) // 2:].tolist()
        a_idx, b_idx = np.array(a_idx), np.array(b_idx)
        sub = lambda ix: {**d, "emb": d["emb"][ix], "head": d["head"][ix], "labels": lab[ix]}  # noqa: E731
        da, db = sub(a_idx), sub(b_idx)
        ex_idx = pick(da["labels"], k, rng)
        rest = np.setdiff1d(np.arange(len(a_idx)), ex_idx)
        pa = predict("proto", da, ex_idx, classes, opts)  # what the app does (no propagation, see prototype_typing)
        acc_a = score(pa, da, rest, classes)[0]
        ex = Examples("eval")
        for i in ex_idx:
            ex.set(str(i), str(da["labels"][i]), da["emb"][i])
        centre_a = da["emb"].mean(0)
        accs = {}
        for how, centre in (("A's centre", centre_a), ("own centre", db["emb"].mean(0))):
            pb = combined_probabilities(db["emb"], ex, classes, db["head"], centre=centre,
                                        head_on_examples=da["head"][ex_idx])
            accs[how] = score(pb, db, np.arange(len(b_idx)), classes)[0]
        head_b = score(db["head"], db, np.arange(len(b_idx)), classes)[0]
        rows.append({"a_after": acc_a, "a_head_only": score(da["head"], da, rest, classes)[0],
                     "b_first_contact_A_centre": accs["A's centre"],
                     "b_first_contact_own_centre": accs["own centre"], "b_head_only": head_b})
    mean = {key: round(float(np.mean([r[key] for r in rows])), 4) for key in rows[0]}
    return {"set": name, "k_per_type": k, "seeds": seeds, **mean,
            "gap_A_centre": round(mean["a_after"] - mean["b_first_contact_A_centre"], 4),
            "gap_own_centre": round(mean["a_after"] - mean["b_first_contact_own_centre"], 4)}


DEFAULTS = {"tau": 0.1, "n_half": 3.0, "knn": 10, "alpha": 0.8, "confident": 0.9, "centre": True}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sets", nargs="+", default=["pbc_shift", "cv", "cv_shift", "bccd", "pbc"])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--out", default="")
    ap.add_argument("--only-extra", action="store_true", help="only the profile transfer and head checks")
    ap.add_argument("--add", action="store_true", help="only run --sets and add them to --out's sets")
    for k, v in DEFAULTS.items():
        ap.add_argument(f"--{k.replace('_', '-')}", type=type(v) if not isinstance(v, bool) else int, default=v)
    a = ap.parse_args(argv)
    opts = {k: getattr(a, k) for k in DEFAULTS}
    doc = {"opts": opts, "seeds": a.seeds, "sets": {}}
    if a.out and Path(a.out).is_file():
        doc = {**json.loads(Path(a.out).read_text()), **doc, "sets": json.loads(Path(a.out).read_text()).get("sets", {})}
    if not a.add:
        doc["profile_transfer"] = [profile_transfer(s, k, a.seeds, opts) for s in a.sets for k in (5, 10)]
        for r in doc["profile_transfer"]:
            print("profile", r, flush=True)
        doc["head_untouched"] = head_untouched(a.sets)
        print("head", doc["head_untouched"], flush=True)
    for s in ([] if a.only_extra else a.sets):
        doc["sets"][s] = run_set(s, a.seeds, opts)
        r = doc["sets"][s]["results"]
        print(s, doc["sets"][s]["types"], "ceiling", doc["sets"][s]["ceiling_loo_ncm"])
        for m, row in r.items():
            print(f"  {m:22s}", "  ".join(f"k{k}:{v['forced']:.3f}" for k, v in row.items()), flush=True)
    if not a.add:
        doc["update_time"] = update_time()
        print(doc["update_time"])
    if a.out:
        Path(a.out).write_text(json.dumps(doc, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
