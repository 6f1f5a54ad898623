"""Headless subcommands: the parser and its dispatch. Thin: parse arguments, call the subcommand's module.

``build_parser`` is the one list of subcommands: ``cli.main`` asks ``subcommands()`` which words are
subcommands, and ``RUNNERS`` names the module that runs each (a test checks that they agree).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import Optional

from wbc_desktop.cli.project import add_parser as add_project_parser
from wbc_desktop.cli.retrain import add_parser as add_retrain_parser, add_retrain_options
from wbc_desktop.core.errors import WbcError


class _OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _setup_logging(verbose: bool) -> None:
    h = logging.StreamHandler(sys.stderr)
    h.setFormatter(_OneLineFormatter())
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[h], force=True)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wbc-desktop", description="WBC Desktop headless commands")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
        sp.add_argument("-v", "--verbose", action="store_true", help="log conversions and progress details")

    a = sub.add_parser("analyze", help="segment and type the WBCs of images or folders")
    a.add_argument("paths", nargs="+")
    a.add_argument("--out", required=True)
    a.add_argument("--model", default="default", help="segmenter: a name or a folder written by train --out")
    a.add_argument("--classifier", default="default", help="cell-type classifier name or folder ('none' to skip)")
    a.add_argument("--views", type=int, choices=(1, 2, 4), default=0,
                   help="type every cell from 1, 2 or 4 rotated views (more: steadier, slower); default: the model card's "
                        "policy (the shipped default: 4 views of 2 models only for cells whose first view is unsure)")
    a.add_argument("--pixel-size", type=float, help="micrometres per pixel, when the files don't say")
    a.add_argument("--scale", type=float, help="force model pixels per input pixel (skips estimation)")
    a.add_argument("--lab-profile", help="a lab profile (JSON, exported from the app): its type prototypes "
                   "type the cells, its pixel size is used when none is given")
    w = a.add_mutually_exclusive_group()
    w.add_argument("--workers", type=int, help="analyse on a local Dask cluster of N single-threaded processes")
    w.add_argument("--scheduler", help="analyse on an existing Dask cluster (the address of its scheduler)")
    a.add_argument("--fresh", action="store_true", help="start over: redo images an earlier run into --out finished")
    a.add_argument("--no-overlays", action="store_true", help="write masks and tables only (faster; no overlays/ folder)")
    common(a)

    e = sub.add_parser("evaluate", help="Dice (and classification accuracy) against reference labels")
    e.add_argument("--images", help="folder of images")
    e.add_argument("--masks", help="folder of 0/128/255 masks with the images' stems")
    e.add_argument("--labels", help="labels.csv (image,cell_type[,split])")
    e.add_argument("--split", help="only the images of this split of --labels")
    e.add_argument("--class-folders", help="one folder per cell type (PBC layout); no masks needed")
    e.add_argument("--model", default="default")
    e.add_argument("--classifier", default="default")
    e.add_argument("--views", type=int, choices=(1, 2, 4), default=0, help="rotated views per cell (see analyze)")
    e.add_argument("--json", required=True, help="where to write the figures")
    e.add_argument("--scale", type=float, help="force model pixels per input pixel")
    common(e)

    t = sub.add_parser("train", help="train a segmenter from scratch, or fine-tune one (--base)")
    t.add_argument("--images")
    t.add_argument("--masks")
    t.add_argument("--labels")
    t.add_argument("--split", default=None, help="training split of --labels (default: all labelled)")
    t.add_argument("--val-split", default="val", help="split used to choose the best step")
    t.add_argument("--base", help="model to fine-tune (name or folder)")
    t.add_argument("--out", help="output model folder (with --base/--project: a folder of versions)")
    t.add_argument("--arch", default="smgnn", choices=["smgnn", "unet"])
    t.add_argument("--variant", default="pixel", choices=["pixel", "node"], help="SMGNN: pixel CNN or pure GNN")
    t.add_argument("--edges", default="l1", choices=["l1", "adjacency"])
    t.add_argument("--alpha", type=float, default=3.0)
    t.add_argument("--mean-area", type=float, default=16.0, help="superpixel mean area S")
    g = t.add_mutually_exclusive_group()
    g.add_argument("--epochs", type=int, help="passes over the training images")
    g.add_argument("--steps", type=int, help="optimiser steps")
    t.add_argument("--time-budget", type=float, help="seconds; stop when spent")
    t.add_argument("--batch-size", type=int, default=6)
    t.add_argument("--seed", type=int, default=0)
    add_retrain_options(t)
    common(t)

    b = sub.add_parser("bench", help="speed and memory figures, SMGNN beside the U-Net reference")
    b.add_argument("--model", default="default")
    b.add_argument("--reference", default="unet-reference")
    b.add_argument("--repeat", type=int, default=20)
    b.add_argument("--json", help="also write the figures here")
    b.add_argument("--images", help="folder of 300x300 images to time (default: bundled fixtures/samples)")
    common(b)
    add_project_parser(sub)
    add_retrain_parser(sub)
    return p


# Each subcommand's runner, imported only when that subcommand runs (torch stays out of --help).
RUNNERS: dict[str, tuple[str, str]] = {
    "analyze": ("wbc_desktop.cli.analyze", "run_analyze"),
    "evaluate": ("wbc_desktop.cli.evaluate", "run_evaluate"),
    "train": ("wbc_desktop.cli.train", "run_train"),
    "bench": ("wbc_desktop.cli.bench", "run_bench"),
    "project": ("wbc_desktop.cli.project", "run_project"),
    "train-classifier": ("wbc_desktop.cli.retrain", "run_train_classifier"),
}


def subcommands() -> tuple[str, ...]:
    """The subcommands the parser knows: the one list ``cli.main`` dispatches on (never kept by hand)."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return tuple(sub.choices)


def run_command(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(getattr(args, "verbose", False))
    try:
        module, name = RUNNERS[args.command]
        fn = getattr(importlib.import_module(module), name)
        return fn(args)
    except WbcError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


def main(argv: Optional[list[str]] = None) -> int:
    return run_command(list(sys.argv[1:] if argv is None else argv))
