"""Assemble training/reports/classifier/classifier.md from the JSON results the recipes wrote.

Tables in the style of the SMGNN paper: per-class accuracy and the confusion matrix of the
segmentation-based classifier (Table 1) and of the image-only baseline (Table 2), on the PBC
test split, then the CellaVision figures. Every number comes from a JSON file written by
train_classifier.py / eval_cellavision.py / eval_bccd.py; nothing is typed in by hand.

Example (the command that wrote the current report; run in training/reports/classifier)::

    PYTHONPATH=../../.. python -m training.recipes.make_report --seg default.json pbc-only.json other-labs.json \
        --image image-only-baseline.json \
        --cellavision cellavision_pbc-only_segmenter.json cellavision_pbc-only_gt.json \
            cellavision_pbc-only-robust_segmenter.json cellavision_image-only-baseline_segmenter.json \
            cellavision_pbc-only_segmenter_test.json cellavision_default_segmenter_test.json \
            cellavision_other-labs_segmenter_test.json \
        --bccd-halves ../other-labs/bccd_even_default.json ../other-labs/bccd_odd_default.json ../other-labs/bccd_even_other-labs.json \
            ../other-labs/bccd_odd_other-labs.json ../other-labs/bccd_even_pbc-only.json ../other-labs/bccd_even_pbc-only-robust.json \
        --diagnosis cellavision_diagnosis.json --bccd ../other-labs/bccd.json \
        --views views_default_val.json views_default_test.json recheck_default_val.json \
            recheck_default_test.json --second-opinion second_opinion_val.json second_opinion_test.json \
        --shipped-card ../../resources/models/classifier/default/card.json \
        --pipeline pbc_test_pipeline_full.json pbc_test_pipeline_full_1view.json \
        --ablations ablation-*.json \
        --notes notes_classifier.md --out classifier.md
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from training.lib.paths import REPORTS
from wbc_desktop.core.cells.views import describe_info

ABBR = {"basophil": "BA", "eosinophil": "EO", "erythroblast": "ERB", "ig": "IG", "lymphocyte": "LY",
        "monocyte": "MO", "neutrophil": "NE", "platelet": "PLT", "none": "none", "unidentified": "unid.",
        "error": "err"}


def confusion_md(conf: dict[str, dict[str, int]], cols: list[str] | None = None) -> str:
    rows = list(conf)
    cols = cols or sorted({p for r in conf.values() for p in r}, key=lambda c: (c not in rows, rows.index(c) if c in rows else 0, c))
    head = "| true \\ predicted | " + " | ".join(ABBR.get(c, c) for c in cols) + " | n | accuracy |"
    lines = [head, "|" + "---|" * (len(cols) + 3)]
    for r in rows:
        n = sum(conf[r].values())
        ok = conf[r].get(r, 0)
        cells = [f"**{conf[r].get(c, 0)}**" if c == r else str(conf[r].get(c, 0) or "·") for c in cols]
        lines.append(f"| {r} | " + " | ".join(cells) + f" | {n} | {100 * ok / max(1, n):.1f}% |")
    return "\n".join(lines)


def model_section(title: str, r: dict) -> str:
    t = r["test"]
    inp = r["input"]
    s = [f"### {title}: `{r['name']}`", "",
         f"- input: {inp['size']}x{inp['size']} px, {inp['channels']} channels ({', '.join(inp['channel_names'])}), "
         f"mode `{inp['mode']}`" + (f", segmented diameter = {inp['fill']:.2f} of the crop side" if inp["mode"] == "segmented" else ""),
         f"- masks for PBC: {r['data']['masks']}; cells not found: {r['data']['cells_not_found']}",
         f"- network: CellResNet widths {r['arch']['widths']} depths {r['arch']['depths']}, {r['params']:,} parameters",
         f"- training: {r['epochs_run']} epochs ({r['training_time_s'] / 60:.1f} min on CPU), best val accuracy "
         f"{100 * r['val_accuracy']:.2f}% at epoch {r['best_epoch']}, seed {r['seed']}",
         f"- **PBC test accuracy {100 * t['accuracy']:.2f}%** (n = {t['n']}); below the threshold {r['threshold']}: "
         f"{100 * t['unidentified_fraction']:.1f}% of cells, accuracy on the rest {100 * t['accuracy_identified']:.2f}%",
         *([f"- also trained on CellaVision ({r['data']['cellavision']}); CellaVision test split (cached crops): "
            f"{100 * r['test_cellavision']['accuracy']:.1f}% (n = {r['test_cellavision']['n']})"]
           if "test_cellavision" in r else []),
         f"- inference: {r['ms_per_cell_cpu']:.2f} ms per cell (CPU, batch of 16)", "",
         confusion_md(t["confusion"], list(t["confusion"])), ""]
    return "\n".join(s)


def pipeline_section(heading: str, intro: str, results: list[dict]) -> str:
    """Figures of the full pipeline (evaluate_classification JSONs): accuracy table and confusions."""
    def views(r: dict) -> str:
        return describe_info(r["model"])

    s = [heading, "", intro, "",
         "| model | views | masks | images | accuracy (shown type) | accuracy (best class) | n |",
         "|---|---|---|---|---|---|---|"]
    for r in results:
        s.append(f"| {r['model']['name']} | {views(r)} | {r['masks']} | {r.get('split') or 'all'} "
                 f"| {100 * r['accuracy']:.2f}% | {100 * r['accuracy_forced']:.2f}% | {r['n']} |")
    s.append("")
    for r in results:
        s += [f"**{r['model']['name']} ({views(r)}), masks: {r['masks']}, images: {r.get('split') or 'all'}**", "",
              confusion_md(r["confusion"]), ""]
    return "\n".join(s)


def cellavision_section(results: list[dict]) -> str:
    return pipeline_section(
        "## CellaVision images, 5 WBC types (full pipeline)",
        "`pbc-only` and `image-only-baseline` never saw CellaVision labels, so all 100 images are fair for them; "
        "`default` was trained on the CellaVision train split, so only its test-split rows count.", results)


def bccd_section(r: dict) -> str:
    ty = r["typing"]
    return "\n".join([
        "## BCCD fields (full pipeline)", "",
        f"- fields {r['fields']}, WBC boxes {r['wbc_boxes']}: **recall at IoU >= {r['iou_threshold']}: "
        f"{100 * r['recall']:.1f}%** ({r['matched']}/{r['wbc_boxes']})",
        f"- false WBCs per field: {r['false_wbc_per_field']:.2f} (excluding cells typed platelet: "
        f"{r['false_non_platelet_per_field']:.2f})",
        f"- typing on single-type fields: {ty['correct']}/{ty['n']} = {100 * ty['accuracy']:.1f}%", "",
        confusion_md(ty["confusion"]) if ty["confusion"] else "", ""])


def diagnosis_section(r: dict) -> str:
    s = [f"## Why the CellaVision lymphocytes are mistyped (`{r['model']['name']}`, "
         "`training/eval/diagnose_cellavision.py`)", "",
         "Size of cell and nucleus in red-cell diameters (the magnification-free ruler of `core.scale`; medians; "
         "CellaVision with the experts' masks, a PBC sample with the segmenter's):", "",
         "| data set, class | n | cell | nucleus |", "|---|---|---|---|"]
    for k, v in r["size_in_red_cells"].items():
        s.append(f"| {k} | {v['n']} | {v['cell']:.2f} | {v['nucleus']:.2f} |")
    s += ["", "Accuracy on the 100 CellaVision crops after one change of the input at a time:", "",
          "| input | all | lymphocytes |", "|---|---|---|"]
    for k, v in r["what_if"].items():
        s.append(f"| {k} | {100 * v['accuracy']:.1f}% | {100 * v['per_class']['lymphocyte']:.1f}% |")
    return "\n".join(s + [""])


def bccd_halves_section(results: list[dict]) -> str:
    s = ["## BCCD fields by half: another lab's stain (typing labels never trained on)", "",
         "Settings were chosen on the even half; the odd half is the held-out figure.", "",
         "| classifier | half | fields | WBC recall | typing (single-type fields) |", "|---|---|---|---|---|"]
    for r in results:
        t = r["typing"]
        s.append(f"| {r['models']['classifier']['name']} v{r['models']['classifier']['version']} | {r.get('half', 'all')} "
                 f"| {r['fields']} | {100 * r['recall']:.1f}% | {100 * t['accuracy']:.1f}% ({t['correct']}/{t['n']}) |")
    return "\n".join(s + [""])


def ablations_section(results: list[tuple[str, dict]]) -> str:
    """Runs that did not ship: what differed from their recipe, best val, PBC test (read after the choice)."""
    s = ["## Runs that did not ship (each under a rule written before it was scored)", "",
         "| file | crop | PBC + CellaVision | teachers | augmentation | seed | epochs | best val | PBC test |",
         "|---|---|---|---|---|---|---|---|---|"]
    for fname, r in results:
        st, aug = r["settings"], r.get("augment", {})
        robust = "robust" if aug.get("stain_vector_sigma") else "standard"
        if aug.get("cyto_p"):
            robust += f", cytoplasm stretch p {aug['cyto_p']}"
        teachers = len(st.get("teacher") or [])
        s.append(f"| {fname} | {st['size']} px | {'yes' if st.get('add_cellavision') else 'PBC only'} "
                 f"| {teachers or '-'} | {robust} | {r['seed']} | {r['epochs_run']} | {100 * r['val_accuracy']:.2f}% "
                 f"| {100 * r['test']['accuracy']:.2f}% |")
    return "\n".join(s + [""])


def views_section(results: list[dict]) -> str:
    """Accuracy of one model typing from 1, 2 or 4 rotated views (training/eval/eval_views.py)."""
    views = sorted({v for r in results for v in r["accuracy"]}, key=int)
    s = ["## Rotated views (`training/eval/eval_views.py`): mean of the class probabilities over turns of each crop", "",
         "| model | split | n | " + " | ".join(f"{v} view{'s' if v != '1' else ''}" for v in views) + " |",
         "|---|---|---|" + "---|" * len(views)]
    for r in (r for r in results if not r.get("recheck")):  # re-check runs repeat these columns
        split = r["split"] + (" (PBC + CellaVision)" if r.get("cellavision_rows") else " (PBC)")
        s.append(f"| {r['model']['name']} v{r['model']['version']} | {split} | {r['n']} | "
                 + " | ".join(f"{100 * r['accuracy'][v]:.2f}%" if v in r["accuracy"] else "-" for v in views) + " |")
    rechecks = [r for r in results if r.get("recheck")]
    if rechecks:
        s += ["", "### 4 views only for unsure cells (`eval_views.py --recheck-below`; rule: "
              "`rules/unsure-recheck-views.txt`)", "",
              "A cell is typed from one view; if its top probability is below t, from the mean of 4 quarter turns.", "",
              "| model | split | n | t | accuracy | cells re-checked |", "|---|---|---|---|---|---|"]
        for r in rechecks:
            split = r["split"] + (" (PBC + CellaVision)" if r.get("cellavision_rows") else " (PBC)")
            for t, q in sorted(r["recheck"].items(), key=lambda kv: float(kv[0])):
                s.append(f"| {r['model']['name']} v{r['model']['version']} | {split} | {r['n']} | {t} "
                         f"| {100 * q['accuracy']:.2f}% | {100 * q['rechecked']:.1f}% |")
    return "\n".join(s + [""])


def second_opinion_section(results: list[dict]) -> str:
    """Unsure cells re-checked by several models' rotated views (training/eval/eval_second_opinion.py)."""
    s = ["### Second opinion from more models on unsure cells (`eval_second_opinion.py`; rule: "
         "`rules/second-opinion-ensemble.txt`)", "",
         "Members in order: " + ", ".join(f"{m['name']} v{m['version']}" for m in results[0]["members"])
         + "; the first one decides who is unsure; unsure cells get the mean over the first k members x 4 turns.", "",
         "| split | n | one view | k models | t | accuracy | cells re-checked |", "|---|---|---|---|---|---|---|"]
    for r in results:
        split = r["split"] + (" (PBC + CellaVision)" if r.get("cellavision_rows") else " (PBC)")
        for q in r["candidates"].values():
            s.append(f"| {split} | {r['n']} | {100 * r['one_view']:.2f}% | {q['models']} | {q['t']} "
                     f"| {100 * q['accuracy']:.2f}% | {100 * q['rechecked']:.1f}% |")
    return "\n".join(s + [""])


def shipped_policy_line(card: dict, results: list[dict]) -> str:
    """The PBC test figure of the policy a shipped card runs, looked up in the second-opinion results."""
    k, t = 1 + len(card.get("recheck_members") or []), card.get("recheck_below")
    for r in results:
        for q in r["candidates"].values():
            if r["split"] == "test" and not r.get("cellavision_rows") and q["models"] == k and q["t"] == t:
                return (f"**As shipped, `{card['name']}` v{card['version']}** types each cell from one view and gives "
                        f"cells below {t} the mean of {k} model(s) x 4 quarter turns: **{100 * q['accuracy']:.2f}% on "
                        f"the PBC test split** (n {r['n']}; one view: {100 * r['one_view']:.2f}%, Table 1). The policy "
                        "was chosen on val (see the second-opinion table below).\n")
    return ""


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seg", type=Path, nargs="+", required=True, help="JSON of each segmentation-based model")
    p.add_argument("--image", type=Path, help="JSON of the image-only baseline")
    p.add_argument("--cellavision", type=Path, nargs="*", default=[])
    p.add_argument("--bccd", type=Path)
    p.add_argument("--bccd-halves", type=Path, nargs="*", default=[], help="eval_bccd.py --half JSONs")
    p.add_argument("--diagnosis", type=Path, help="JSON of diagnose_cellavision.py")
    p.add_argument("--views", type=Path, nargs="*", default=[], help="eval_views.py JSONs")
    p.add_argument("--second-opinion", type=Path, nargs="*", default=[], help="eval_second_opinion.py JSONs")
    p.add_argument("--pipeline", type=Path, nargs="*", default=[], help="eval_pbc_pipeline.py JSONs")
    p.add_argument("--shipped-card", type=Path, help="card.json of the shipped default (its views policy)")
    p.add_argument("--ablations", type=Path, nargs="*", default=[], help="train_classifier.py JSONs of runs not shipped")
    p.add_argument("--notes", type=Path, help="markdown appended verbatim (method notes)")
    p.add_argument("--out", type=Path, default=REPORTS / "classifier" / "classifier.md")
    a = p.parse_args(argv)
    parts = ["# Cell-type classifier report", "",
             "Data: PBC (Acevedo et al. 2020, CC BY 4.0; half of the set), fixed stratified split "
             "`training/data/splits/pbc_split.csv` (70/15/15, seed 0); CellaVision images from Zheng et al. 2018 "
             "(GPL-3.0, CellaVision blog); BCCD (MIT). Generated by `training/recipes/make_report.py` from the JSON files "
             "beside it.", "",
             "## PBC test split, 8 classes", ""]
    if a.shipped_card and a.second_opinion:
        parts.append(shipped_policy_line(json.loads(a.shipped_card.read_text()),
                                         [json.loads(f.read_text()) for f in a.second_opinion]))
    for f in a.seg:
        parts.append(model_section("Table 1 - segmentation-based (RGB + nucleus + cytoplasm, normalised by "
                                   "segmented size)", json.loads(f.read_text())))
    if a.image:
        parts.append(model_section("Table 2 - image-only baseline (whole image resized, no segmentation)",
                                   json.loads(a.image.read_text())))
    if a.pipeline:
        parts.append(pipeline_section(
            "## PBC test split through the product path (`eval_pbc_pipeline.py`)",
            "Segmenter, cell finding and classifier on each PBC test image; the cell nearest the centre is scored. "
            "Shown type: cells below the card's confidence threshold are *unidentified* and count as wrong.",
            [json.loads(f.read_text()) for f in a.pipeline]))
    if a.views:
        parts.append(views_section([json.loads(f.read_text()) for f in a.views]))
    if a.second_opinion:
        parts.append(second_opinion_section([json.loads(f.read_text()) for f in a.second_opinion]))
    if a.ablations:
        parts.append(ablations_section([(f.name, json.loads(f.read_text())) for f in a.ablations]))
    if a.cellavision:
        parts.append(cellavision_section([json.loads(f.read_text()) for f in a.cellavision]))
    if a.bccd_halves:
        parts.append(bccd_halves_section([json.loads(f.read_text()) for f in a.bccd_halves]))
    if a.diagnosis:
        parts.append(diagnosis_section(json.loads(a.diagnosis.read_text())))
    if a.bccd:
        parts.append(bccd_section(json.loads(a.bccd.read_text())))
    if a.notes:
        parts.append(a.notes.read_text())
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text("\n".join(parts) + "\n")
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
