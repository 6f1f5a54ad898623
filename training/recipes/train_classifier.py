"""Train the cell-type classifier (segmentation-based, or the image-only baseline) on PBC.

Reproducible recipe: fixed stratified split (training/data/splits/pbc_split.csv), seeded torch and
numpy, cached crops, AdamW with a cosine schedule, model chosen on the val split, figures on
the test split. Writes ``--out`` (weights.safetensors + card.json via core.weights.registry) and
``training/reports/classifier/<name>.json`` for the report.

Example::

    PYTHONPATH=. python -m training.recipes.train_classifier --size 96 --fill 0.6 --threads 2 --epochs 62 \
        --max-minutes 45 --add-cellavision 8 --seed 1 --out resources/models/classifier/default --name default  # v2.3
    PYTHONPATH=. python -m training.recipes.train_classifier --size 96 --fill 0.6 --threads 2 --epochs 50 \
        --max-minutes 24 --out resources/models/classifier/pbc-only --name pbc-only  # PBC only (v2.0)
    PYTHONPATH=. python -m training.recipes.train_classifier --mode image \
        --out resources/models/classifier/image-only-baseline --name image-only-baseline
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from training.lib.paths import DATA, REPO
from training.lib.distill import distill_loss, load_teachers, soft_labels
from training.data.pbc_data import (
    PBC_CLASSES, SPLIT_FILE, build_cache, cellavision_rows, list_pbc, make_split, read_split, write_split,
)
from wbc_desktop.core.weights import registry
from wbc_desktop.core.cells.augment import PRESETS, augment_batch
from wbc_desktop.core.cells.crops import CropSpec, standardise
from wbc_desktop.core.cells.model import build_classifier, count_params

ROOT = REPO  # the repository root (training.lib.paths)

VERSION = "2.3"


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--split", type=Path, default=SPLIT_FILE)
    p.add_argument("--cache-dir", type=Path, default=Path("/work/cache/cls"))
    p.add_argument("--mode", choices=("segmented", "image"), default="segmented")
    p.add_argument("--masks", choices=("segmenter", "threshold"), default="segmenter",
                   help="where PBC masks come from (segmented mode): the project's segmenter, or the colour-threshold fallback")
    p.add_argument("--seg-model", default="default")
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--fill", type=float, default=0.6)
    p.add_argument("--widths", type=int, nargs="+", default=[16, 32, 64, 128])
    p.add_argument("--depths", type=int, nargs="+", default=[1, 1, 1, 1])
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--norm", choices=("batch", "group"), default="batch",
                   help="group: GroupNorm, per-image statistics (for stains unlike the training labs')")
    p.add_argument("--epochs", type=int, default=14)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--wd", type=float, default=5e-4)
    p.add_argument("--smoothing", type=float, default=0.05)
    p.add_argument("--threshold", type=float, default=0.5, help="top probability below which a cell is 'unidentified'")
    p.add_argument("--no-augment", action="store_true")
    p.add_argument("--augment", choices=("standard", "robust"), default="standard",
                   help="augmentation preset (core.augment_cls.PRESETS); robust: wider stain hue/strength and blur")
    p.add_argument("--cyto-p", type=float, default=0.0, help="share of crops whose cytoplasm rim is stretched (0: off)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--max-minutes", type=float, default=20.0, help="stop early (best val model kept) past this")
    p.add_argument("--max-train", type=int, default=0, help="use at most N training images (tests)")
    p.add_argument("--cache-only", action="store_true", help="build the crop cache and stop")
    p.add_argument("--add-cellavision", type=int, default=0, metavar="K",
                   help="also train on the CellaVision train split (val split joins val), each image K times "
                        "per epoch; its test split is scored separately (0: PBC only)")
    p.add_argument("--teacher", nargs="+", default=[], metavar="MODEL",
                   help="distil from these classifiers (mean of 4 rotations each) as well as the labels")
    p.add_argument("--distill", type=float, default=0.5, help="weight of the teacher term (with --teacher)")
    p.add_argument("--out", type=Path)
    p.add_argument("--name", default="default")
    p.add_argument("--report-dir", type=Path, default=ROOT / "training" / "reports" / "classifier")
    return p.parse_args(argv)


def seg_mask_fn(args):
    """rgb -> (class map, scale): the project's segmenter, or the colour-threshold fallback."""
    if args.masks == "threshold":
        from training.data.threshold_masks import threshold_class_map

        return threshold_class_map
    from wbc_desktop.core.segmentation.segmenter import Segmenter

    seg = Segmenter.load(args.seg_model, device="cpu")

    def fn(rgb):
        r = seg.segment(rgb)
        return r.class_map, float(r.scale)

    return fn


@torch.no_grad()
def predict(model, crops: torch.Tensor, size: int, batch: int = 256) -> torch.Tensor:
    """Class probabilities for uint8 context crops, centre-cropped exactly as at inference."""
    model.eval()
    out = []
    for i in range(0, len(crops), batch):
        x = standardise(augment_batch(crops[i : i + batch], size, None))
        out.append(torch.softmax(model(x), 1))
    return torch.cat(out) if out else torch.zeros(0, 1)


def scores(y: np.ndarray, pred: np.ndarray, classes) -> dict:
    per, conf = {}, {}
    for i, c in enumerate(classes):
        m = y == i
        per[c] = {"n": int(m.sum()), "correct": int((pred[m] == i).sum()),
                  "accuracy": float((pred[m] == i).mean()) if m.any() else 0.0}
        conf[c] = {d: int(((y == i) & (pred == j)).sum()) for j, d in enumerate(classes)}
    return {"accuracy": float((y == pred).mean()) if len(y) else 0.0, "n": int(len(y)), "per_class": per, "confusion": conf}


def half_state(model) -> dict[str, torch.Tensor]:
    """float16 weights on disk (half the size; the card says so and load casts back)."""
    return {k: (v.half() if v.is_floating_point() else v) for k, v in model.state_dict().items()}


def train(args) -> dict:
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)  # guard against denormal slow-downs on CPU
    log_lines: list[str] = []

    def log(msg: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {msg}"
        print(line, flush=True)
        log_lines.append(line)

    if not args.split.exists():
        write_split(make_split(list_pbc(args.data / "pbc"), seed=0), args.split)
    rows = read_split(args.split)
    spec = CropSpec(size=args.size, fill=args.fill, mode=args.mode)
    masks = args.masks if args.mode == "segmented" else "none"
    t0 = time.time()
    crops, found = build_cache(args.data / "pbc", rows, spec, args.cache_dir, masks=masks,
                               mask_fn=seg_mask_fn(args) if args.mode == "segmented" else None, log=log)
    log(f"crops {crops.shape} ready in {time.time() - t0:.0f}s; no cell found in {int((~found).sum())}")
    if args.cache_only:
        return {}
    classes = list(PBC_CLASSES)
    y_all = np.array([classes.index(c) for _, c, _ in rows])
    split = np.array([s for _, _, s in rows])
    idx = {s: np.nonzero(split == s)[0] for s in ("train", "val", "test")}
    if args.max_train:
        idx["train"] = np.random.default_rng(args.seed).permutation(idx["train"])[: args.max_train]
    n_pbc = len(rows)
    if args.add_cellavision:
        cv_root = args.data / "wbc-seg-cellavision"
        cv_rows = cellavision_rows(cv_root)
        cv_crops, cv_found = build_cache(cv_root / "images", cv_rows, spec, args.cache_dir, masks=masks,
                                         mask_fn=seg_mask_fn(args), log=log, prefix="cellavision")
        crops, found = np.concatenate([crops, cv_crops]), np.concatenate([found, cv_found])
        y_all = np.concatenate([y_all, [classes.index(c) for _, c, _ in cv_rows]])
        cv_split = np.array([s for _, _, s in cv_rows])
        for s in ("train", "val"):
            extra = n_pbc + np.nonzero(cv_split == s)[0]
            idx[s] = np.concatenate([idx[s]] + [extra] * (args.add_cellavision if s == "train" else 1))
        idx["test_cellavision"] = n_pbc + np.nonzero(cv_split == "test")[0]
        log(f"CellaVision added: {int((cv_split == 'train').sum())} train x{args.add_cellavision}, "
            f"{int((cv_split == 'val').sum())} val, {len(idx['test_cellavision'])} test")
    X = torch.from_numpy(crops)
    Y = torch.from_numpy(y_all)
    soft = None
    if args.teacher:
        t1 = time.time()
        uniq = np.unique(idx["train"])
        soft = torch.zeros(len(X), len(classes))
        soft[uniq] = soft_labels(load_teachers(args.teacher, classes), X[uniq], spec.size)
        agree = float((soft[uniq].argmax(1) == Y[uniq]).float().mean())
        log(f"teacher soft labels for {len(uniq)} train crops in {time.time() - t1:.0f}s "
            f"(teachers {args.teacher}; agree with labels {agree:.4f})")

    arch = {"in_channels": spec.channels, "widths": args.widths, "depths": args.depths, "dropout": args.dropout}
    if args.norm != "batch":
        arch["norm"] = args.norm
    model = build_classifier(arch, len(classes)).to(memory_format=torch.channels_last)  # ~2x faster on CPU
    n_params = count_params(model)
    steps_per_epoch = max(1, math.ceil(len(idx["train"]) / args.batch))
    plan = {"epochs": args.epochs, "total": steps_per_epoch * args.epochs}  # shrunk to fit --max-minutes
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.wd)
    warm = max(1, steps_per_epoch)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / plan["total"]))))
    aug = None if args.no_augment else dataclasses.replace(PRESETS[args.augment], cyto_p=args.cyto_p)
    gen = torch.Generator().manual_seed(args.seed)
    best = (-1.0, None, -1)
    t_train = time.time()
    epochs_run = 0
    ep = 0
    while ep < plan["epochs"]:
        model.train()
        perm = idx["train"][torch.randperm(len(idx["train"]), generator=gen).numpy()]
        tl, tn = 0.0, 0
        for b in range(steps_per_epoch):
            bi = torch.from_numpy(perm[b * args.batch : (b + 1) * args.batch])
            x = standardise(augment_batch(X[bi], spec.size, aug, gen)).contiguous(memory_format=torch.channels_last)
            loss = distill_loss(model(x), Y[bi], None if soft is None else soft[bi], args.distill, args.smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            tl += float(loss.detach()) * len(bi)
            tn += len(bi)
        epochs_run = ep + 1
        pv = predict(model, X[idx["val"]], spec.size).argmax(1).numpy()
        va = float((pv == y_all[idx["val"]]).mean())
        if va >= best[0]:
            best = (va, {k: v.clone() for k, v in model.state_dict().items()}, ep + 1)
        mins = (time.time() - t_train) / 60
        log(f"epoch {ep + 1}/{plan['epochs']} loss {tl / max(1, tn):.4f} val {va:.4f} ({mins:.1f} min)")
        ep += 1
        fit = max(ep, int(args.max_minutes / (mins / ep)))  # epochs that fit the time budget at this pace
        if fit < plan["epochs"]:
            plan.update(epochs=fit, total=steps_per_epoch * fit)  # the cosine schedule still ends at zero
            log(f"time budget {args.max_minutes} min: {fit} epochs planned instead of {args.epochs}")
    train_s = time.time() - t_train
    model.load_state_dict(best[1])
    model.eval()
    probs = predict(model, X[idx["test"]], spec.size).numpy()
    pred = probs.argmax(1)
    yt = y_all[idx["test"]]
    test = scores(yt, pred, classes)
    sure = probs.max(1) >= args.threshold
    test["unidentified_fraction"] = float(1 - sure.mean())
    cv_test = None
    if "test_cellavision" in idx:
        pc = predict(model, X[idx["test_cellavision"]], spec.size).numpy().argmax(1)
        cv_test = scores(y_all[idx["test_cellavision"]], pc, classes)
        log(f"CellaVision test split accuracy {cv_test['accuracy']:.4f} (n={cv_test['n']})")
    test["accuracy_identified"] = float((pred[sure] == yt[sure]).mean()) if sure.any() else 0.0
    # time per cell (batch of 16 on CPU, one thread): the <=5 ms budget
    xb = standardise(augment_batch(X[idx["test"][:16]], spec.size, None))
    with torch.no_grad():
        model(xb)
        t = time.perf_counter()
        for _ in range(5):
            model(xb)
    ms_per_cell = (time.perf_counter() - t) / 5 / len(xb) * 1e3
    log(f"test accuracy {test['accuracy']:.4f} (n={test['n']}), best val {best[0]:.4f} at epoch {best[2]}, "
        f"{ms_per_cell:.2f} ms/cell ({torch.get_num_threads()} threads)")
    card = {
        "kind": "classifier",
        "name": args.name,
        "version": VERSION,
        "classes": classes,
        "input": spec.to_card(),
        "arch": {"type": "CellResNet", **arch},
        "weights_dtype": "float16",
        "threshold": args.threshold,
        "params": n_params,
        "data": {
            "train": "PBC (Acevedo et al. 2020, CC BY 4.0), half of the set as in /work/shared/data/pbc",
            "split": "training/data/splits/pbc_split.csv (stratified 70/15/15, seed 0)",
            "n": {k: int(len(v)) for k, v in idx.items()},
            **({"cellavision": "wbc-seg-cellavision train split (x%d per epoch) and val split (Zheng et al. 2018, "
                               "CellaVision blog, GPL-3.0)" % args.add_cellavision} if args.add_cellavision else {}),
            "masks": masks,
            "cells_not_found": int((~found).sum()),
        },
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
                     if k not in ("data", "cache_dir", "out", "report_dir", "split")},
        "augment": None if aug is None else {k: v for k, v in vars(aug).items()},
        **({"distilled_from": {"teachers": [str(t) for t in args.teacher], "rotations": 4,
                               "weight": args.distill}} if args.teacher else {}),
        "seed": args.seed,
        "epochs_run": epochs_run,
        "best_epoch": best[2],
        "val_accuracy": best[0],
        "training_time_s": round(train_s, 1),
        "ms_per_cell_cpu": round(ms_per_cell, 3),
        "test": test,
        **({"test_cellavision": cv_test} if cv_test is not None else {}),
        "trained": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "torch": torch.__version__,
    }
    registry.save(args.out, half_state(model), card)
    args.report_dir.mkdir(parents=True, exist_ok=True)
    (args.report_dir / f"{args.name}.json").write_text(json.dumps({**card, "log": log_lines}, indent=2) + "\n")
    log(f"saved {args.out}")
    return card


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.out is None and not args.cache_only:
        raise SystemExit("--out is required unless --cache-only")
    train(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
