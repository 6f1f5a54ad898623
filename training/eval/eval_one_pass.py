"""What the one-pass pipeline (issue 26) changes on labelled images: Dice, flags, scales and types.

Runs ``Pipeline.analyze`` (shipped default segmenter and classifier) over cellavision test images and
their shifted copies (``python -m training.data.make_shifted_val --split test --out /work/cache/shifted_test``) and
writes one JSON line per image: Dice (nucleus, cytoplasm, cell, mean), familiarity and flag, scale and
method, the types of the cells and the milliseconds. Run it once on the old tree and once on the new
one (PYTHONPATH picks the tree) and compare with ``--compare OLD NEW``.

    python -m training.eval.eval_one_pass --out /tmp/new.jsonl           # this tree
    (another tree, same command)                                          --out /tmp/old.jsonl
    python -m training.eval.eval_one_pass --compare /tmp/old.jsonl /tmp/new.jsonl
    python -m training.eval.eval_one_pass --pbc 160 --out /tmp/pbc.json  # PBC test subsample
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from training.lib.paths import DATA, REPO

CV = DATA / "wbc-seg-cellavision"
SHIFTED = Path("/work/cache/shifted_test")  # python -m training.data.make_shifted_val --split test --out (this)


def items(sets: list[str]):
    if "cellavision" in sets:
        for r in csv.DictReader(open(CV / "labels.csv", newline="")):
            if r["split"].strip() == "test":
                yield "original", CV / "images" / r["image"].strip(), CV / "masks" / r["image"].strip()
    if "shifted" in sets and SHIFTED.is_dir():
        for r in csv.DictReader(open(SHIFTED / "labels.csv", newline="")):
            yield r["shift"], SHIFTED / "images" / r["image"], SHIFTED / "masks" / r["image"]


def run(out: Path, sets: list[str]) -> None:
    from wbc_desktop.core.io.images import ImageData, read_image, read_mask
    from wbc_desktop.core.pipeline import Pipeline
    from wbc_desktop.core.segmentation.metrics import dice_scores

    pipe = Pipeline.load("default", "default", device="cpu")
    with open(out, "w") as f:
        for kind, ip, mp in items(sets):
            img = read_image(ip)
            gt = read_mask(mp, img.pixels.shape[:2])
            t = time.perf_counter()
            a = pipe.analyze(ImageData(img.pixels))
            ms = (time.perf_counter() - t) * 1e3
            d = dice_scores(a.class_map, gt)
            f.write(json.dumps({"image": ip.name, "kind": kind, "dice": d, "familiarity": a.familiarity,
                                "flagged": bool(a.familiarity is not None and a.familiarity < 0.5),
                                "scale": round(a.scale, 4), "method": a.scale_method,
                                "types": [c.cell_type for c in a.cells], "predicted": [c.predicted_type for c in a.cells],
                                "classifier": a.models.get("classifier", {}).get("name"), "ms": round(ms, 1)}) + "\n")


def run_pbc(out: Path, n: int) -> None:
    """The PBC test split (training/data/splits/pbc_split.csv), every k-th image so that about ``n`` remain
    (stratified by the split's class order), through ``Pipeline.analyze``: the central cell's type."""
    from wbc_desktop.core.cells.evaluation import evaluate_classification
    from wbc_desktop.core.pipeline import Pipeline

    split = REPO / "training" / "data" / "splits" / "pbc_split.csv"
    items = [(r["image"], r["cell_type"]) for r in csv.DictReader(open(split, newline="")) if r["split"] == "test"]
    by: dict[str, list] = defaultdict(list)
    for it in items:
        by[it[1]].append(it)
    per = max(1, n // len(by))
    chosen = [it for c in sorted(by) for it in by[c][:: max(1, len(by[c]) // per)][:per]]
    pipe = Pipeline.load("default", "default", device="cpu")
    r = evaluate_classification(pipe.analyze, chosen, image_dir=DATA / "pbc")
    out.write_text(json.dumps(r) + "\n")
    print(f"PBC test subsample n={r['n']}: accuracy {r['accuracy']:.4f}, forced {r['accuracy_forced']:.4f}")


def compare_pbc(old: Path, new: Path) -> None:
    a, b = json.loads(old.read_text()), json.loads(new.read_text())
    pa = {i["image"]: i for i in a["items"]}
    same = sum(pa[i["image"]]["pred"] == i["pred"] for i in b["items"] if i["image"] in pa)
    print(f"PBC test subsample n={b['n']}: accuracy {a['accuracy']:.4f} -> {b['accuracy']:.4f}, forced "
          f"{a['accuracy_forced']:.4f} -> {b['accuracy_forced']:.4f}; same shown type on {same}/{len(b['items'])}")


def compare(old: Path, new: Path) -> None:
    a = {r["image"]: r for r in map(json.loads, open(old))}
    b = {r["image"]: r for r in map(json.loads, open(new))}
    by = defaultdict(list)
    for k in a:
        if k in b:
            by[a[k]["kind"]].append((a[k], b[k]))
    print("| set | n | Dice mean old | new | nucleus old/new | cytoplasm old/new | cell old/new | flagged old/new | "
          "flag agrees | scale within 5% | same types |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    groups = dict(by)
    groups["all shifted"] = [p for k, v in by.items() if k != "original" for p in v]
    for kind, pairs in groups.items():
        def m(side, key):
            return np.mean([p[side]["dice"][key] for p in pairs])
        fo = sum(p[0]["flagged"] for p in pairs)
        fn = sum(p[1]["flagged"] for p in pairs)
        agree = sum(p[0]["flagged"] == p[1]["flagged"] for p in pairs)
        sc = sum(abs(p[1]["scale"] / p[0]["scale"] - 1) < 0.05 for p in pairs)
        ty = sum(p[0]["types"] == p[1]["types"] for p in pairs)
        print(f"| {kind} | {len(pairs)} | {m(0, 'mean'):.4f} | {m(1, 'mean'):.4f} | {m(0, 'nucleus'):.4f}/{m(1, 'nucleus'):.4f} | "
              f"{m(0, 'cytoplasm'):.4f}/{m(1, 'cytoplasm'):.4f} | {m(0, 'cell'):.4f}/{m(1, 'cell'):.4f} | {fo}/{fn} | "
              f"{agree}/{len(pairs)} | {sc}/{len(pairs)} | {ty}/{len(pairs)} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--sets", default="cellavision,shifted")
    ap.add_argument("--compare", nargs=2, type=Path)
    ap.add_argument("--pbc", type=int, default=0, help="instead: about N PBC test images (central cell's type)")
    a = ap.parse_args()
    if a.compare and a.pbc:
        compare_pbc(*a.compare)
    elif a.compare:
        compare(*a.compare)
    elif a.pbc:
        run_pbc(a.out, a.pbc)
    else:
        run(a.out, a.sets.split(","))


if __name__ == "__main__":
    main()
