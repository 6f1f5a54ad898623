"""The 16 PBC fixtures as a data set, and the tiny network's recipe arguments, shared by tests."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Callable

from training.data.pbc_data import list_pbc

FIX = Path(__file__).resolve().parents[1] / "fixtures"
TINY = ["--masks", "threshold", "--size", "32", "--widths", "8", "16", "--depths", "1", "1", "--batch", "8",
        "--threads", "1"]


def fixture_data(tmp_path: Path, splits: Callable[[int], list[str]]) -> tuple[Path, Path]:
    """Copy the PBC fixtures under ``tmp_path/data`` and write a split file; ``splits(i)`` gives
    the split(s) of the i-th image (an image may be listed in several)."""
    data = tmp_path / "data"
    shutil.copytree(FIX / "pbc", data / "pbc")
    split = tmp_path / "split.csv"
    with open(split, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image", "cell_type", "split"])
        for i, (rel, c) in enumerate(list_pbc(data / "pbc")):
            for s in splits(i):
                w.writerow([rel, c, s])
    return data, split


def tiny_args(tmp_path: Path, data: Path, split: Path, *extra: str) -> list[str]:
    """train_classifier.py arguments for a tiny network on ``data``, written under ``tmp_path``."""
    return ["--data", str(data), "--split", str(split), "--cache-dir", str(tmp_path / "cache"), *TINY, *extra,
            "--name", "tiny", "--report-dir", str(tmp_path / "reports")]
