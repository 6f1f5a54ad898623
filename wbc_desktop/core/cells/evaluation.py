"""Scoring cell typing against labelled single-cell images (a labels CSV or class folders).

For single-cell images the cell nearest the image centre is the one scored. An image where
no cell was found (or that could not be read) counts as wrong with prediction "none"/"error":
skipping it would flatter the figure.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence, Union

from wbc_desktop.core.analysis import Analysis, Cell
from wbc_desktop.core.errors import WbcError
from wbc_desktop.core.io.images import IMAGE_SUFFIXES

NONE = "none"
ERROR = "error"


def read_labels_csv(path: Union[str, Path], split: Optional[str] = None) -> list[tuple[str, str]]:
    """``image,cell_type[,split]`` rows -> [(image name, cell type)], optionally one split only.

    Tolerates CRLF line endings, a UTF-8 BOM, stray spaces and blank lines.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    out = []
    for r in rows:
        r = {(k or "").strip().lower(): (v or "").strip() for k, v in r.items()}
        if not r.get("image"):
            continue
        if split is not None and r.get("split", "") != split:
            continue
        out.append((r["image"], r.get("cell_type", "")))
    return out


def read_class_folders(root: Union[str, Path]) -> list[tuple[Path, str]]:
    """``root/<class>/<image>`` -> [(path, class)], hidden files skipped, sorted."""
    root = Path(root)
    out = []
    for d in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for f in sorted(d.iterdir()):
            if f.is_file() and not f.name.startswith(".") and f.suffix.lower() in IMAGE_SUFFIXES:
                out.append((f, d.name))
    return out


def central_cell(a: Analysis) -> Optional[Cell]:
    """The cell whose centroid is nearest the image centre (None when there are no cells)."""
    return nearest_centre(a.cells, a.shape)


def nearest_centre(cells: Sequence[Cell], shape: tuple[int, ...]) -> Optional[Cell]:
    """Of ``cells``, the one nearest the centre of an image of ``shape`` (a single-cell image's cell)."""
    h, w = shape[:2]
    return min(cells, key=lambda c: (c.centroid[0] - w / 2) ** 2 + (c.centroid[1] - h / 2) ** 2, default=None)


def evaluate_classification(
    analyze_fn: Callable[[Path], Analysis],
    items: Iterable[tuple[Union[str, Path], str]],
    image_dir: Optional[Union[str, Path]] = None,
    progress: Optional[Callable[[int, int, str], None]] = None,
) -> dict:
    """Accuracy, per-class figures and confusion matrix of the central cell's type.

    Parameters
    ----------
    analyze_fn : path -> Analysis (the CLI passes ``Pipeline.analyze``).
    items : (image, true type); relative images are joined to ``image_dir``.
    image_dir : folder for relative image names (e.g. the labels CSV's images folder).

    Returns
    -------
    {"accuracy", "n", "per_class": {cls: {"n","correct","accuracy"}},
     "confusion": {true: {pred: n}}, "accuracy_forced", "items": [...]}
    ``accuracy`` scores the shown type ("unidentified" counts as wrong); ``accuracy_forced``
    scores the model's best class even below the confidence threshold.
    """
    items = list(items)
    per: dict[str, dict] = {}
    conf: dict[str, dict[str, int]] = {}
    rows = []
    correct = forced = 0
    for i, (img, true) in enumerate(items):
        path = Path(img)
        if image_dir is not None and not path.is_absolute():
            path = Path(image_dir) / path
        note = ""
        try:
            cell = central_cell(analyze_fn(path))
        except WbcError as e:
            cell, note = None, str(e)
        if cell is None:
            pred, best, p = (ERROR if note else NONE), None, 0.0
        else:
            pred, best, p = cell.final_type, cell.predicted_type or cell.final_type, cell.confidence
        ok = pred == true
        correct += ok
        forced += (best == true) if cell is not None else False
        s = per.setdefault(true, {"n": 0, "correct": 0, "accuracy": 0.0})
        s["n"] += 1
        s["correct"] += int(ok)
        row = conf.setdefault(true, {})
        row[pred] = row.get(pred, 0) + 1
        rows.append({"image": str(img), "true": true, "pred": pred, "best": best, "confidence": round(p, 4),
                     **({"error": note} if note else {})})
        if progress:
            progress(i + 1, len(items), path.name)
    for s in per.values():
        s["accuracy"] = s["correct"] / s["n"] if s["n"] else 0.0
    n = len(items)
    return {
        "accuracy": correct / n if n else 0.0,
        "accuracy_forced": forced / n if n else 0.0,
        "n": n,
        "per_class": dict(sorted(per.items())),
        "confusion": {t: dict(sorted(conf[t].items())) for t in sorted(conf)},
        "items": rows,
    }
