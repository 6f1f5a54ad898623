"""WBC detection and typing on BCCD smear fields through the full pipeline.

Reports WBC recall at box IoU >= 0.5 against the VOC "WBC" boxes (one-to-one greedy matching
by IoU), false WBCs per field (found cells matched to no WBC box; also counted without the
cells the classifier calls platelet, since BCCD boxes platelets separately), and typing
accuracy on fields whose wbc_types.csv entry names exactly one type (the best-matching found
cell is scored; a field with no match counts as wrong).

Example::

    PYTHONPATH=. python -m training.eval.eval_bccd --out training/reports/other-labs/bccd.json
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path
from typing import Callable, Iterable, Optional

from training.lib.paths import DATA, REPO
from wbc_desktop.core.analysis import Analysis
from training.lib.voc import Box, box_iou, read_voc_boxes  # noqa: F401 (re-exported for tests)

ROOT = REPO  # the repository root (training.lib.paths)

def match_boxes(gt: list[Box], pred: list[Box], thr: float = 0.5) -> list[tuple[int, int, float]]:
    """One-to-one greedy matching, highest IoU first; pairs below ``thr`` are not matches."""
    pairs = sorted(((box_iou(g, p), gi, pi) for gi, g in enumerate(gt) for pi, p in enumerate(pred)), reverse=True)
    used_g, used_p, out = set(), set(), []
    for iou, gi, pi in pairs:
        if iou < thr:
            break
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((gi, pi, iou))
    return out


def read_types(path: Path) -> dict[str, list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return {r["image"].strip(): [t.strip() for t in (r.get("cell_type") or "").split(";") if t.strip()]
                for r in csv.DictReader(f)}


def evaluate_fields(
    analyze_fn: Callable[[Path], Analysis],
    fields: Iterable[tuple[Path, Path]],
    types: Optional[dict[str, list[str]]] = None,
    thr: float = 0.5,
) -> dict:
    """Recall, false WBCs per field and single-type typing accuracy over (image, xml) pairs."""
    types = types or {}
    n_gt = n_hit = n_false = n_false_np = n_fields = 0
    typed_n = typed_ok = guess_ok = 0
    confusion: dict[str, dict[str, int]] = {}
    box_types: dict[str, int] = {}  # final type of the cell matched to each WBC box ("none": not found)
    rows = []
    for img, xml in fields:
        gt = read_voc_boxes(xml)
        a = analyze_fn(img)
        pred = [tuple(map(float, c.bbox)) for c in a.cells]
        m = match_boxes(gt, pred, thr)
        matched_p = {pi for _, pi, _ in m}
        false = [c for i, c in enumerate(a.cells) if i not in matched_p]
        n_fields += 1
        n_gt += len(gt)
        n_hit += len(m)
        n_false += len(false)
        n_false_np += sum(1 for c in false if c.final_type != "platelet")
        for t_ in [a.cells[pi].final_type for _, pi, _ in m] + ["none"] * (len(gt) - len(m)):
            box_types[t_] = box_types.get(t_, 0) + 1
        row = {"image": img.name, "gt": len(gt), "found": len(pred), "matched": len(m),
               "ious": [round(i, 3) for _, _, i in m]}
        t = types.get(img.name, [])
        if len(t) == 1:
            best = max(m, key=lambda x: x[2]) if m else None
            pred_t = a.cells[best[1]].final_type if best else "none"
            guess = (a.cells[best[1]].predicted_type or pred_t) if best else "none"
            typed_n += 1
            typed_ok += pred_t == t[0]
            guess_ok += guess == t[0]
            confusion.setdefault(t[0], {})
            confusion[t[0]][pred_t] = confusion[t[0]].get(pred_t, 0) + 1
            row.update(true=t[0], pred=pred_t)
        rows.append(row)
    return {
        "fields": n_fields, "wbc_boxes": n_gt, "matched": n_hit,
        "recall": n_hit / n_gt if n_gt else 0.0,
        "false_wbc_per_field": n_false / n_fields if n_fields else 0.0,
        "false_non_platelet_per_field": n_false_np / n_fields if n_fields else 0.0,
        "typing": {"n": typed_n, "correct": typed_ok, "accuracy": typed_ok / typed_n if typed_n else 0.0,
                   # the model's own best class, whatever the confidence rules show: compares models
                   "best_guess_accuracy": guess_ok / typed_n if typed_n else 0.0,
                   "confusion": confusion, **_typed_figures(confusion)},
        "box_types": box_types,
        "platelet_or_erythroblast_share_of_boxes": (box_types.get("platelet", 0) + box_types.get("erythroblast", 0)) / n_gt
        if n_gt else 0.0,
        "iou_threshold": thr,
        "items": rows,
    }


def _typed_figures(confusion: dict[str, dict[str, int]]) -> dict:
    """Accuracy of the cells given a type, and the share left unidentified (or not found)."""
    n = sum(sum(r.values()) for r in confusion.values())
    unsure = sum(r.get("unidentified", 0) + r.get("none", 0) for r in confusion.values())
    right = sum(r.get(t, 0) for t, r in confusion.items())
    typed = n - unsure
    return {"typed_accuracy": right / typed if typed else None, "unidentified_share": unsure / n if n else None}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=DATA / "bccd")
    p.add_argument("--seg-model", default="default")
    p.add_argument("--cls-model", default="default")
    p.add_argument("--limit", type=int, default=0, help="first N fields only")
    p.add_argument("--half", choices=("all", "even", "odd"), default="all",
                   help="fields at even / odd positions of the sorted list: choose settings on one half, "
                        "report on the other")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    import torch

    from wbc_desktop.core.pipeline import Pipeline

    torch.set_num_threads(a.threads)
    pipe = Pipeline.load(a.seg_model, a.cls_model, device="cpu")
    imgs = sorted((a.data / "images").glob("*.jpg"))
    fields = [(i, a.data / "annotations" / f"{i.stem}.xml") for i in imgs if (a.data / "annotations" / f"{i.stem}.xml").exists()]
    if a.half != "all":
        fields = fields[(0 if a.half == "even" else 1)::2]
    if a.limit:
        fields = fields[: a.limit]
    t = time.time()
    r = evaluate_fields(pipe.analyze, fields, read_types(a.data / "wbc_types.csv"))
    r.update(models=pipe.models_info(), half=a.half, seconds=round(time.time() - t, 1))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(r, indent=2) + "\n")
    print(f"fields {r['fields']}: WBC recall@IoU0.5 {r['recall']:.3f} ({r['matched']}/{r['wbc_boxes']}), "
          f"false WBCs/field {r['false_wbc_per_field']:.2f} (non-platelet {r['false_non_platelet_per_field']:.2f}), "
          f"typing {r['typing']['correct']}/{r['typing']['n']} = {r['typing']['accuracy']:.3f} "
          f"(best guess {r['typing']['best_guess_accuracy']:.3f}; typed cells right "
          f"{r['typing']['typed_accuracy'] or 0:.3f}, unidentified or not found {r['typing']['unidentified_share'] or 0:.1%}); "
          f"WBC boxes typed platelet/erythroblast {r['platelet_or_erythroblast_share_of_boxes']:.1%} {r['box_types']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
