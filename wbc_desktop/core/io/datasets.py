"""Pairs of images and masks on disk: matched by file stem, filtered by a labels.csv split."""

from __future__ import annotations

import csv
import logging
from pathlib import Path
from typing import Optional

import numpy as np

from wbc_desktop.core.errors import InputError
from wbc_desktop.core.io.images import IMAGE_SUFFIXES, read_image, read_mask

log = logging.getLogger(__name__)


def read_labels(path: str | Path) -> list[dict[str, str]]:
    """Rows of a labels.csv (``image,cell_type[,split]``); tolerant of CRLF and stray spaces."""
    p = Path(path)
    try:
        with open(p, newline="", encoding="utf-8-sig") as f:
            rows = [{(k or "").strip(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputError(f"{p.name}: cannot read labels ({e})") from None
    if rows and "image" not in rows[0]:
        raise InputError(f"{p.name}: labels file needs an 'image' column")
    return rows


def split_names(labels: str | Path, split: Optional[str]) -> Optional[set[str]]:
    """Stems of the images in ``split`` (all labelled images when split is None)."""
    rows = read_labels(labels)
    return {Path(r["image"]).stem for r in rows if split is None or r.get("split") == split}


def find_pairs(images: str | Path, masks: str | Path, stems: Optional[set[str]] = None) -> list[tuple[Path, Path]]:
    """Image/mask paths with the same stem; images without a mask are reported and skipped."""
    imgs = {p.stem: p for p in sorted(Path(images).iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES}
    msks = {p.stem: p for p in sorted(Path(masks).iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES}
    out = []
    for stem, ip in sorted(imgs.items()):
        if stems is not None and stem not in stems:
            continue
        if stem not in msks:
            log.warning("%s: no mask with the same name in %s; skipped", ip.name, masks)
            continue
        out.append((ip, msks[stem]))
    return out


def load_pairs(
    pairs: list[tuple[Path, Path]], errors: Optional[list[str]] = None
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Read (name, rgb, class map) for each pair; unreadable ones are reported, not fatal."""
    out = []
    for ip, mp in pairs:
        try:
            img = read_image(ip)
            out.append((ip.name, img.pixels, read_mask(mp, img.shape)))
        except InputError as e:
            log.error("%s", e)
            if errors is not None:
                errors.append(str(e))
    return out
