"""Figures for one-click retraining (training/reports/retraining/retraining.md): a simulated new lab for the
segmenter, other labs for the classifier, forgetting on the original data, learning curves, time.

Each run calls the same engine as the Retrain button (``core.retrain.run_retrain``), then scores
the new version on images it never saw. Examples::

    PYTHONPATH=. python -m training.eval.eval_retraining seg --n 10 --budget 60
    PYTHONPATH=. python -m training.eval.eval_retraining cls-cellavision --n 20 --budget 30
    PYTHONPATH=. python -m training.eval.eval_retraining cls-bccd --n 30 --budget 30
    PYTHONPATH=. python -m training.eval.eval_retraining time
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from training.lib.paths import DATA, REPO
from training.data import sim_lab
from wbc_desktop.core.io.images import read_image, read_mask
from wbc_desktop.core.retrain import RetrainSettings, run_retrain
from wbc_desktop.core.segmentation.metrics import dice_scores

ROOT = REPO  # the repository root (training.lib.paths)

REPORTS = ROOT / "training" / "reports" / "retraining"


_MEMO: dict = {}


def seg_dice(model: str, items: list[tuple[Path, Path]]) -> dict:
    key = (model, tuple(items))
    if model == "default" and key in _MEMO:  # the shipped model's score does not change between runs
        return _MEMO[key]
    _MEMO[key] = _seg_dice(model, items)
    return _MEMO[key]


def _seg_dice(model: str, items: list[tuple[Path, Path]]) -> dict:
    from wbc_desktop.core.segmentation.segmenter import Segmenter

    seg = Segmenter.load(model, device="cpu")
    ds = []
    for img, msk in items:
        rgb = read_image(img).pixels
        ds.append(dice_scores(seg.segment(rgb).class_map, read_mask(msk, rgb.shape[:2]))["mean"])
    return {"mean": float(np.mean(ds)), "n": len(ds), "min": float(np.min(ds))}


def pick(names: list[str], n: int, seed: int) -> list[str]:
    return sorted(np.random.default_rng(seed).choice(sorted(names), size=n, replace=False).tolist())


def run_seg(a) -> dict:
    lab = sim_lab.make_lab(Path(a.cache) / "lab")
    rows = sim_lab.rows()
    train_pool = [r["image"] for r in rows if r["split"] == "train"]
    corrected = pick(train_pool, a.n, a.seed)
    rest = [r["image"] for r in rows if r["image"] not in corrected]
    unseen = [r["image"] for r in rows if r["split"] in ("val", "test")]  # never trained on in any domain
    out = Path(tempfile.mkdtemp(prefix="rt_seg_", dir=a.cache))
    s = RetrainSettings(out_dir=out, images=[lab / "images" / n for n in corrected],
                        masks=[lab / "masks" / n for n in corrected], models=("segmenter",),
                        time_budget_s=a.budget, lr=a.lr, val_fraction=a.val_fraction, replay=not a.no_replay,
                        seed=a.seed)
    t0 = time.perf_counter()
    res = run_retrain(s, on_event=lambda e: print(e, flush=True) if e["kind"] != "step" else None)
    secs = time.perf_counter() - t0
    new = str(res.versions["segmenter"])
    lab_items = lambda names: [(lab / "images" / n, lab / "masks" / n) for n in names]  # noqa: E731
    orig_test = [(DATA / "wbc-seg-cellavision" / "images" / r["image"], DATA / "wbc-seg-cellavision" / "masks" / r["image"])
                 for r in rows if r["split"] == "test"]
    which = rest if a.full else unseen
    out_doc = {"what": "segmenter, simulated lab", "n_corrected": a.n, "budget_s": a.budget, "lr": a.lr,
               "replay": not a.no_replay, "seconds": round(secs, 1), "engine_metrics": res.metrics["segmenter"],
               "lab_scored": "rest of the lab (90)" if a.full else "lab images from the val+test split (21)"}
    for tag, model in (("before", "default"), ("after", new)):
        out_doc[f"lab_{tag}"] = seg_dice(model, lab_items(which))
        out_doc[f"cellavision_test_{tag}"] = seg_dice(model, orig_test)
        print(tag, out_doc[f"lab_{tag}"], out_doc[f"cellavision_test_{tag}"], flush=True)
    return out_doc


def run_cls(a) -> dict:
    from training.data import retrain_cells as rc

    cache = Path(a.cache)
    if a.what == "cls-cellavision":
        items, base, lab = rc.cellavision_items(cache), a.base or "pbc-only", "CellaVision (wbc-seg-cellavision)"
    else:
        items, base, lab = rc.bccd_items(cache), a.base or "default", "BCCD fields (one WBC, one type)"
    names = [it.name for it in items]
    typed = set(pick(names, a.n, a.seed))
    rest = [it for it in items if it.name not in typed]
    proj = rc.write_project(Path(tempfile.mkdtemp(prefix="rt_proj_", dir=cache)), items, typed)
    s = RetrainSettings(out_dir=proj / "models", project_dir=proj, models=("classifier",), base_classifier=base,
                        time_budget_s=a.budget, lr=a.lr, val_fraction=a.val_fraction, replay=not a.no_replay,
                        seed=a.seed)
    t0 = time.perf_counter()
    res = run_retrain(s, on_event=lambda e: print(e, flush=True) if e["kind"] != "step" else None)
    secs = time.perf_counter() - t0
    new = str(res.versions["classifier"])
    pbc = rc.pbc_test_items(cache)
    doc = {"what": f"classifier, {lab}", "base": base, "n_typed": a.n, "budget_s": a.budget, "lr": a.lr,
           "replay": not a.no_replay, "seconds": round(secs, 1), "engine_metrics": res.metrics["classifier"],
           "rest_before": rc.accuracy(base, rest), "rest_after": rc.accuracy(new, rest),
           "pbc_test_before": rc.accuracy(base, pbc), "pbc_test_after": rc.accuracy(new, pbc)}
    return doc


def run_time(a) -> dict:
    """One-click retraining as the button runs it: 10 corrected 300x300 images + 30 typed cells."""
    from training.data import retrain_cells as rc
    from wbc_desktop.core.io.atomic import write_png_atomic
    from wbc_desktop.core.io.images import class_map_to_mask

    items = rc.cellavision_items(Path(a.cache))
    typed = set(pick([it.name for it in items], 30, a.seed))
    corrected = sorted(typed)[:10]
    proj = rc.write_project(Path(tempfile.mkdtemp(prefix="rt_time_", dir=a.cache)), items, typed)
    root = DATA / "wbc-seg-cellavision"
    for n in corrected:
        rgb = read_image(root / "images" / n).pixels
        write_png_atomic(proj / "masks" / f"{Path(n).stem}.png", class_map_to_mask(read_mask(root / "masks" / n, rgb.shape[:2])))
    s = RetrainSettings(out_dir=proj / "models", project_dir=proj, seed=a.seed)  # the button's defaults
    if a.budget != 60.0:
        s.time_budget_s = a.budget
    t0 = time.perf_counter()
    res = run_retrain(s, on_event=lambda e: print(e, flush=True) if e["kind"] != "step" else None)
    secs = time.perf_counter() - t0
    import os

    return {"what": "one-click retraining, 10 corrected 300x300 images + 30 typed cells", "seconds": round(secs, 1),
            "budget_s": s.time_budget_s, "load_average_1min": round(os.getloadavg()[0], 1),
            "cpu_count": os.cpu_count(), "metrics": res.metrics,
            "steps": {k: json.loads((v / "card.json").read_text())["training"]["steps_run"] for k, v in res.versions.items()}}


def run_curve(a) -> dict:
    """Held-out figures after 5, 10, 20, 40 corrected images (segmenter) / typed cells (classifier)."""
    rows = []
    for n in a.sizes:
        a.n = n
        seg = run_seg(a) if "seg" in a.curve_models else None
        a.what = "cls-cellavision"
        cls = run_cls(a) if "cls" in a.curve_models else None
        rows.append({"n": n, **({"lab_dice_before": seg["lab_before"]["mean"], "lab_dice_after": seg["lab_after"]["mean"],
                                 "cellavision_test_after": seg["cellavision_test_after"]["mean"],
                                 "seg_seconds": seg["seconds"]} if seg else {}),
                     **({"cv_acc_before": cls["rest_before"]["accuracy"], "cv_acc_after": cls["rest_after"]["accuracy"],
                         "n_rest": cls["rest_after"]["n"], "pbc_test_after": cls["pbc_test_after"]["accuracy"],
                         "cls_seconds": cls["seconds"]} if cls else {})})
        print(rows[-1], flush=True)
        a.what = "curve"
    return {"what": "learning curve", "budget_s": a.budget, "rows": rows}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("what", choices=("seg", "cls-cellavision", "cls-bccd", "time", "curve"))
    p.add_argument("--n", type=int, default=10)
    p.add_argument("--budget", type=float, default=60.0)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--val-fraction", type=float, default=0.2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-replay", action="store_true")
    p.add_argument("--full", action="store_true", help="score the whole rest of the lab (slower)")
    p.add_argument("--cache", default="/tmp/rt_eval")
    p.add_argument("--tag", default="")
    p.add_argument("--sizes", type=int, nargs="+", default=[5, 10, 20, 40])
    p.add_argument("--curve-models", default="seg,cls")
    p.add_argument("--base", help="model to retrain (default: pbc-only for cls-cellavision, default otherwise)")
    a = p.parse_args(argv)
    import torch

    from wbc_desktop.core.retrain.engine import cpu_threads

    torch.set_num_threads(cpu_threads())  # the machine is shared: more threads than free cores is slower
    Path(a.cache).mkdir(parents=True, exist_ok=True)
    doc = {"seg": run_seg, "cls-cellavision": run_cls, "cls-bccd": run_cls, "time": run_time,
           "curve": run_curve}[a.what](a)
    REPORTS.mkdir(parents=True, exist_ok=True)
    name = f"{a.what}_n{a.n}_b{int(a.budget)}{a.tag}.json" if a.what != "curve" else f"curve_b{int(a.budget)}{a.tag}.json"
    (REPORTS / name).write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps({k: v for k, v in doc.items() if k != "engine_metrics"}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
