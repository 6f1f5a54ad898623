"""``wbc-desktop train``: train or fine-tune a segmenter; the output folder works as --model at once."""

from __future__ import annotations

import argparse
import math
import sys

from wbc_desktop.core.io.datasets import find_pairs, load_pairs, split_names
from wbc_desktop.core.device import describe_device, resolve_device
from wbc_desktop.core.errors import WbcError
from wbc_desktop.core.progress import terminal_progress
from wbc_desktop.core.segmentation.forward import GraphSettings
from wbc_desktop.core.segmentation.recipe import train_segmenter
from wbc_desktop.core.segmentation.training import TrainSettings


def run_train(args: argparse.Namespace) -> int:
    if args.project or args.base:  # fine-tuning: the Retrain button's engine (replay, versions)
        from wbc_desktop.cli.retrain import run_train_engine

        if not args.project and not (args.images and args.masks and args.out):
            raise WbcError("train --base needs --images, --masks and --out (or --project DIR)")
        return run_train_engine(args)
    if not (args.images and args.masks and args.out):
        raise WbcError("train needs --images, --masks and --out (or --project DIR)")
    train_stems = split_names(args.labels, args.split) if args.labels else None
    val_stems = split_names(args.labels, args.val_split) if args.labels and args.val_split else set()
    if train_stems is not None and args.split is None and val_stems:
        train_stems -= val_stems  # all labelled images but the validation ones
    errors: list[str] = []
    train = [(r, m) for _, r, m in load_pairs(find_pairs(args.images, args.masks, train_stems), errors)]
    val = [(r, m) for _, r, m in load_pairs(find_pairs(args.images, args.masks, val_stems), errors)] if val_stems else []
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    if not train:
        raise WbcError("no training image/mask pairs found")
    settings = TrainSettings(batch_size=args.batch_size, seed=args.seed, time_budget_s=args.time_budget)
    if args.steps:
        settings.steps = args.steps
    elif args.epochs:
        settings.steps = max(1, math.ceil(args.epochs * len(train) / settings.batch_size))
    elif args.time_budget:
        settings.steps = 10**7  # the time budget decides
    settings.val_every = max(1, min(100, settings.steps // 10 or 1))
    if args.base:
        settings.lr /= 4  # fine-tuning: small steps from a good start
    device = resolve_device(args.device)
    print(f"training on {describe_device(device)}: {len(train)} images, {len(val)} for validation", file=sys.stderr)
    config = {"variant": args.variant} if args.arch == "smgnn" else {}
    graph = GraphSettings(mean_area=args.mean_area, edges=args.edges, alpha=args.alpha)
    card = train_segmenter(
        train, val, args.out, settings, arch=args.arch, config=config, graph=graph, base=args.base,
        device=device, progress=terminal_progress if settings.steps < 10**7 else (lambda *a: None),
        log_fn=lambda s: print(s, file=sys.stderr), data_note=f"{args.images} ({args.split or 'all'})",
    )
    print(f"model written to {args.out} ({card['params']} parameters, best val mean Dice "
          f"{card['best_val_mean']:.4f})", file=sys.stderr)
    return 1 if errors else 0
