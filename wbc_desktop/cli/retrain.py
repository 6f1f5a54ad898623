"""``wbc-desktop train --project DIR`` / ``train --base ...`` and ``train-classifier``: the
Retrain button's engine, headless (same settings, replay and versions as the GUI)."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from wbc_desktop.core.errors import WbcError
from wbc_desktop.core.io.datasets import find_pairs, split_names
from wbc_desktop.core.project.layout import ProjectLayout
from wbc_desktop.core.retrain.settings import RetrainResult, RetrainSettings


def add_retrain_options(t: argparse.ArgumentParser) -> None:
    """Options of ``train`` for the engine path (the others are the original ``train``'s)."""
    t.add_argument("--project", help="retrain from a project's corrections (as the Retrain button)")
    t.add_argument("--lr", type=float, help="learning rate (fine-tuning default 1e-3)")
    t.add_argument("--val-fraction", type=float, default=0.2, help="share of corrected images held out to measure")
    t.add_argument("--no-replay", action="store_true", help="do not mix in the shipped training sample")
    t.add_argument("--classifier-base", default="default", help="--project: classifier to fine-tune")
    t.add_argument("--models", default="segmenter,classifier", help="--project: which models (comma-separated)")
    t.add_argument("--activate", action="store_true", help="--project: make the new versions active at once")


def add_parser(sub) -> argparse.ArgumentParser:
    c = sub.add_parser("train-classifier", help="fine-tune the cell-type classifier on typed cells (with replay)")
    c.add_argument("--images", required=True, help="folder of the labelled images")
    c.add_argument("--labels", required=True, help="image,cell_type CSV (single-cell images) or a project's cells.csv")
    c.add_argument("--masks", help="folder of their masks (same stems); default: segment them")
    c.add_argument("--base", default="default", help="classifier to start from (name or folder)")
    c.add_argument("--segmenter", default="default", help="segmenter that finds the cells when there are no masks")
    c.add_argument("--out", required=True, help="output model folder (use it as --classifier OUT)")
    c.add_argument("--time-budget", type=float, default=60.0, help="seconds")
    c.add_argument("--epochs", type=int, help="passes over the typed cells instead of a time budget")
    c.add_argument("--lr", type=float, default=1e-3)
    c.add_argument("--val-fraction", type=float, default=0.2)
    c.add_argument("--no-replay", action="store_true")
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    c.add_argument("-v", "--verbose", action="store_true")
    return c


def _printer(verbose: bool):
    last = {"t": ""}

    def on_event(e: dict) -> None:
        k = e.get("kind")
        if k in ("stage", "log"):
            print(f"{str(e['model']) + ': ' if e.get('model') else ''}{e['text']}", file=sys.stderr)
        elif k == "step" and (verbose or e["step"] % 25 == 0):
            line = f"{e['model']} step {e['step']}/{e['steps']} loss {e['loss']:.3f} ~{e['eta_s']:.0f} s left"
            if line != last["t"]:
                print(line, file=sys.stderr)
                last["t"] = line

    return on_event


def _report(res: RetrainResult) -> int:
    if res.cancelled:
        print("cancelled: nothing was written", file=sys.stderr)
        return 130
    for kind, folder in res.versions.items():
        m = res.metrics.get(kind, {})
        unit = m.get("measure", "")

        def f(x):
            return "n/a" if x is None else f"{x:.4f}"

        print(f"{kind}: new version {folder} ({unit} on held-out {f(m.get('before'))} -> {f(m.get('after'))}; "
              f"original data {f(m.get('original_before'))} -> {f(m.get('original_after'))})", file=sys.stderr)
    for n in res.messages:
        print(f"note: {n}", file=sys.stderr)
    return 0


def _run(s: RetrainSettings, verbose: bool) -> int:
    from wbc_desktop.core.retrain.engine import run_retrain

    return _report(run_retrain(s, on_event=_printer(verbose)))


def run_train_engine(args: argparse.Namespace) -> int:
    """``train --project`` or ``train --base``: the engine (replay, versions)."""
    common = dict(seed=args.seed, device=args.device, val_fraction=args.val_fraction, replay=not args.no_replay,
                  time_budget_s=args.time_budget, epochs=args.epochs, lr=args.lr or 1e-3)
    if args.project:
        s = RetrainSettings(out_dir=Path(args.out) if args.out else ProjectLayout(args.project).models_dir,
                            project_dir=Path(args.project), base_segmenter=args.base or "default",
                            base_classifier=args.classifier_base,
                            models=tuple(m.strip() for m in args.models.split(",") if m.strip()),
                            activate=args.activate, **common)
    else:
        stems = split_names(args.labels, args.split) if args.labels else None
        if stems is not None and args.split is None and args.val_split:
            stems -= split_names(args.labels, args.val_split) or set()
        pairs = find_pairs(args.images, args.masks, stems)
        if not pairs:
            raise WbcError("no training image/mask pairs found")
        s = RetrainSettings(out_dir=Path(args.out), images=[p for p, _ in pairs], masks=[m for _, m in pairs],
                            models=("segmenter",), base_segmenter=args.base, single_folder=True, **common)
        if args.steps:  # the original option: optimiser steps of 6 crops
            s.epochs = max(1, math.ceil(args.steps * 6 / len(pairs)))
    if s.time_budget_s is None and s.epochs is None:
        s.time_budget_s = 60.0
    return _run(s, args.verbose)


def run_train_classifier(args: argparse.Namespace) -> int:
    from wbc_desktop.core.retrain.data import read_label_rows

    labels = read_label_rows(Path(args.labels), Path(args.images))
    if not labels:
        raise WbcError(f"{args.labels}: no labelled image found in {args.images}")
    masks = []
    if args.masks:
        m = {p.stem: p for p in Path(args.masks).iterdir() if p.is_file()}
        masks = [m[p.stem] for p, _ in labels if p.stem in m]
    s = RetrainSettings(out_dir=Path(args.out), labels=labels, classifier_masks=masks, models=("classifier",),
                        base_classifier=args.base, base_segmenter=args.segmenter,
                        time_budget_s=None if args.epochs else args.time_budget, epochs=args.epochs, lr=args.lr,
                        val_fraction=args.val_fraction, replay=not args.no_replay, seed=args.seed,
                        device=args.device, single_folder=True)
    return _run(s, args.verbose)
