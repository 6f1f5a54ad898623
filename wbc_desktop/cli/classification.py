"""``wbc-desktop evaluate --labels/--class-folders``: the classification block of the JSON.

Called by cli_evaluate with the loaded pipeline; the scoring itself lives in
core.evaluate_classification so the GUI and recipes share it.
"""

from __future__ import annotations

import argparse
from pathlib import Path
import sys

from wbc_desktop.core.errors import WbcError
from wbc_desktop.core.cells.evaluation import evaluate_classification, read_class_folders, read_labels_csv


def classification_figures(pipe, args: argparse.Namespace) -> dict:
    """{"accuracy", "accuracy_forced", "n", "per_class", "confusion", "items"} for the CLI's JSON.

    ``--class-folders DIR`` (PBC layout) wins; otherwise ``--labels`` with images in ``--images``
    (optionally one ``--split``).
    """
    if getattr(args, "class_folders", None):
        items: list[tuple[Path, str]] | list[tuple[str, str]] = read_class_folders(args.class_folders)
        image_dir = None
    elif getattr(args, "labels", None) and getattr(args, "images", None):
        items, image_dir = read_labels_csv(args.labels, split=getattr(args, "split", None)), args.images
    else:
        raise WbcError("classification needs --class-folders DIR, or --labels CSV with --images DIR")
    if not items:
        raise WbcError("no labelled images found for classification")

    def progress(i: int, n: int, name: str) -> None:
        if i == n or i % 50 == 0:
            print(f"  classified {i}/{n}", file=sys.stderr)

    return evaluate_classification(pipe.analyze, items, image_dir=image_dir, progress=progress)
