"""Boxes: reading Pascal VOC annotations and comparing boxes (x0, y0, x1, y1; x1/y1 exclusive).

One place for what the BCCD evaluations, the candidate sweep and the tests all need.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Sequence

Box = tuple[float, float, float, float]


def read_voc_boxes(path: str | Path, name: str = "WBC") -> list[Box]:
    """Boxes of one object class (case-insensitive) from a Pascal VOC XML file."""
    boxes: list[Box] = []
    for obj in ET.parse(path).getroot().iter("object"):
        if (obj.findtext("name") or "").strip().upper() != name.upper():
            continue
        bb = obj.find("bndbox")
        boxes.append(tuple(float(bb.findtext(k)) for k in ("xmin", "ymin", "xmax", "ymax")))
    return boxes


def _intersection(a: Sequence[float], b: Sequence[float]) -> float:
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    return iw * ih


def box_iou(a: Sequence[float], b: Sequence[float]) -> float:
    inter = _intersection(a, b)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def covers(gt: Sequence[float], crop: Sequence[float], min_fraction: float = 0.8) -> bool:
    """A crop finds a cell when it holds the cell's centre and most of its box (the segmenter
    needs the whole cell inside the crop)."""
    cx, cy = (gt[0] + gt[2]) / 2, (gt[1] + gt[3]) / 2
    if not (crop[0] <= cx < crop[2] and crop[1] <= cy < crop[3]):
        return False
    return _intersection(gt, crop) >= min_fraction * (gt[2] - gt[0]) * (gt[3] - gt[1])
