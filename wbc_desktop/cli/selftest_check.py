"""What the self-test compares: the analyses of the bundled samples against ``expected.json``.

Kept apart from the runner (``cli.selftest``) so the rules can be tested on hand-made analyses
without torch. A rule is a tolerance written into the file itself, so whoever writes the
expectations also says how far a run on another machine (another CPU, a GPU) may drift:

- ``count``: how many cells an image may gain or lose;
- ``box_iou``: the least overlap (intersection over union) of a cell's box with the expected one;
- ``type_margin``: a cell whose confidence lies within this of the classifier's threshold is
  unsure, so its type may flip (to another of its top 3, or to "unidentified") without failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

FORMAT = 1
DEFAULT_TOLERANCES = {"count": 0, "box_iou": 0.6, "type_margin": 0.1}


@dataclass
class Verdict:
    """Failures make the self-test fail; notes are printed and tolerated."""

    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def box_iou(a: Iterable[float], b: Iterable[float]) -> float:
    """Overlap of two (x0, y0, x1, y1) boxes, x1/y1 exclusive; 0 when either is empty."""
    ax0, ay0, ax1, ay1 = a
    bx0, by0, bx1, by1 = b
    iw = max(0.0, min(ax1, bx1) - max(ax0, bx0))
    ih = max(0.0, min(ay1, by1) - max(ay0, by0))
    inter = iw * ih
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter
    return inter / union if union > 0 else 0.0


def cell_record(cell: Any) -> dict[str, Any]:
    """What expected.json keeps of one core ``Cell``."""
    return {
        "bbox": [int(v) for v in cell.bbox],
        "type": cell.cell_type,
        "confidence": round(float(cell.confidence), 3),
        "top3": [name for name, _ in cell.top3],
    }


def model_tags(models: dict[str, dict]) -> dict[str, str]:
    """``{"segmenter": "default v3", ...}`` from an Analysis' ``models``."""
    return {k: f"{v.get('name', '?')} v{v.get('version', '?')}" for k, v in sorted(models.items())}


def expectations(analyses: list[Any], tolerances: dict[str, float] | None = None, written_by: str = "") -> dict:
    """The content of expected.json for these analyses (one per bundled sample)."""
    return {
        "format": FORMAT,
        "written_by": written_by,
        "models": model_tags(analyses[0].models) if analyses else {},
        "tolerances": dict(tolerances or DEFAULT_TOLERANCES),
        "images": {a.image_name: {"cells": [cell_record(c) for c in a.cells]} for a in analyses},
    }


def _unsure(conf: float, threshold: float, margin: float) -> bool:
    return abs(conf - threshold) < margin or conf < threshold


def compare(analyses: list[Any], expected: dict, threshold: float = 0.5) -> Verdict:
    """Check every analysis against its image's expected cells, within the file's tolerances.

    ``threshold`` is the classifier's confidence threshold (below it a cell is "unidentified").
    """
    v = Verdict()
    if expected.get("format") != FORMAT:
        v.failures.append(f"expected.json has format {expected.get('format')!r}, this app reads {FORMAT}")
        return v
    tol = {**DEFAULT_TOLERANCES, **(expected.get("tolerances") or {})}
    images = expected.get("images") or {}
    got_names = {a.image_name for a in analyses}
    for name in sorted(set(images) - got_names):
        v.failures.append(f"{name}: expected but not analysed (missing sample?)")
    if analyses:
        have, want = model_tags(analyses[0].models), expected.get("models") or {}
        if want and have != want:
            v.failures.append(f"models differ from those expected.json was written with ({_fmt(want)}; "
                              f"loaded: {_fmt(have)}); rewrite it with --self-test --write-expected")
            return v
    for a in analyses:
        exp = images.get(a.image_name)
        if exp is None:
            v.notes.append(f"{a.image_name}: not in expected.json (not checked)")
            continue
        _compare_image(a, exp.get("cells") or [], tol, threshold, v)
    return v


def _fmt(tags: dict[str, str]) -> str:
    return ", ".join(f"{k} {t}" for k, t in tags.items())


def _compare_image(a: Any, want: list[dict], tol: dict, threshold: float, v: Verdict) -> None:
    name, got = a.image_name, list(a.cells)
    if abs(len(got) - len(want)) > tol["count"]:
        v.failures.append(f"{name}: {len(got)} cells found, {len(want)} expected")
    free = list(range(len(got)))
    for w in want:
        best, best_iou = None, 0.0
        for i in free:
            iou = box_iou(got[i].bbox, w["bbox"])
            if iou > best_iou:
                best, best_iou = i, iou
        if best is None or best_iou < tol["box_iou"]:
            msg = f"{name}: no cell found at {tuple(w['bbox'])} (best box overlap {best_iou:.2f} < {tol['box_iou']})"
            (v.notes if len(want) - len(got) > 0 and tol["count"] > 0 else v.failures).append(msg)
            continue
        free.remove(best)
        c = got[best]
        if c.cell_type == w["type"]:
            continue
        unsure = _unsure(float(w.get("confidence", 0.0)), threshold, tol["type_margin"]) or \
            _unsure(float(c.confidence), threshold, tol["type_margin"])
        plausible = c.cell_type in ("unidentified", *w.get("top3", ())) or w["type"] == "unidentified"
        msg = (f"{name}: cell at {tuple(c.bbox)} typed {c.cell_type} ({c.confidence:.2f}), "
               f"expected {w['type']} ({float(w.get('confidence', 0)):.2f})")
        (v.notes if unsure and plausible else v.failures).append(msg)
