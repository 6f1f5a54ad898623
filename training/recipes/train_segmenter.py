"""Recipe: train a shipped segmentation model from wbc-seg-cellavision and write its card and report.

    python -m training.recipes.train_segmenter                       # SMGNN -> resources/models/segmenter/default
    python -m training.recipes.train_segmenter --arch unet --name unet-reference   # the U-Net reference

Trains on the train split, keeps the step with the best val mean Dice, then measures Dice on the
test split (reported, never used for choices) and on stain/scale-shifted copies of val/test made by
training/data/make_shifted_val.py, and writes all figures into the model card and training/reports/segmenter/.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from training.lib.paths import DATA as SHARED_DATA, REPO
from wbc_desktop.core.weights import registry
from wbc_desktop.core.io.datasets import find_pairs, load_pairs, split_names
from wbc_desktop.core.segmentation.metrics import dice_scores, mean_scores
from wbc_desktop.core.segmentation.forward import GraphSettings
from wbc_desktop.core.segmentation.recipe import train_segmenter
from wbc_desktop.core.segmentation.segmenter import Segmenter
from wbc_desktop.core.segmentation.training import TrainSettings

ROOT = REPO  # the repository root (training.lib.paths)

DATA = SHARED_DATA / "wbc-seg-cellavision"


def load_split(data: Path, split: str):
    stems = split_names(data / "labels.csv", split)
    return load_pairs(find_pairs(data / "images", data / "masks", stems))


def evaluate(seg: Segmenter, pairs, scale=None) -> dict:
    return mean_scores([dice_scores(seg.segment(rgb, scale=scale).class_map, m) for _, rgb, m in pairs])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--arch", default="smgnn", choices=["smgnn", "unet"])
    ap.add_argument("--name", default=None, help="model name (default: 'default' for smgnn)")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--time-budget", type=float, default=840.0, help="seconds of training")
    ap.add_argument("--steps", type=int, default=100000)
    ap.add_argument("--batch-size", type=int, default=6)
    ap.add_argument("--crop", type=int, default=128)
    ap.add_argument("--lr", type=float, default=4e-3)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--stain-sigma", type=float, nargs="+", default=[0.25], help="one value, or H E D")
    ap.add_argument("--stain-bias", type=float, default=0.01)
    ap.add_argument("--scale-jitter", type=float, nargs=2, default=(0.7, 1.45))
    ap.add_argument("--config", default="{}", help="JSON architecture overrides")
    ap.add_argument("--graph", default="{}", help="JSON superpixel/graph overrides")
    ap.add_argument("--shifted", type=Path, nargs="*", default=[Path("/work/cache/shifted_val"), Path("/work/cache/shifted_test")],
                    help="folders made by training/data/make_shifted_val.py (images/, masks/)")
    ap.add_argument("--evaluate-only", action="store_true", help="re-measure an existing model, update card and report")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    name = args.name or ("default" if args.arch == "smgnn" else "unet-reference")
    out = args.out or ROOT / "resources" / "models" / "segmenter" / name
    val_named = load_split(args.data, "val")
    if not args.evaluate_only:
        train_model(args, name, out, [(r, m) for _, r, m in val_named])
    seg = Segmenter.load(str(out), device="cpu")
    figures = {"test": evaluate(seg, load_split(args.data, "test")), "val": evaluate(seg, val_named)}
    for folder in args.shifted:
        if (folder / "images").is_dir():
            pairs = load_pairs(find_pairs(folder / "images", folder / "masks"))
            figures[folder.name] = evaluate(seg, pairs)
            figures[folder.name]["n_images"] = len(pairs)
    card = registry.update_card(out, evaluation=figures)
    print(json.dumps(figures, indent=2))
    write_report(card, ROOT / "training" / "reports" / "segmenter" / f"segmenter-{name}.md")


def train_model(args, name: str, out: Path, val) -> None:
    train = [(r, m) for _, r, m in load_split(args.data, "train")]
    settings = TrainSettings(steps=args.steps, time_budget_s=args.time_budget, batch_size=args.batch_size,
                             crop=args.crop, lr=args.lr, seed=args.seed, val_every=100,
                             stain_sigma=args.stain_sigma[0] if len(args.stain_sigma) == 1 else tuple(args.stain_sigma), stain_bias=args.stain_bias,
                             scale_jitter=tuple(args.scale_jitter))
    t0 = time.time()
    train_segmenter(
        train, val, out, settings, arch=args.arch, config=json.loads(args.config),
        graph=GraphSettings.from_dict(json.loads(args.graph)), name=name, device=torch.device("cpu"),
        log_fn=lambda s: print(s, flush=True),
        data_note="wbc-seg-cellavision train split (79 images); best step chosen on val (10)",
    )
    registry.update_card(out, training={**json.loads((out / "card.json").read_text())["training"],
                                        "command": " ".join(sys.argv[1:])})
    print(f"trained in {time.time() - t0:.0f} s", flush=True)


def write_report(card: dict, path: Path) -> None:
    from wbc_desktop.core.io.atomic import atomic_write_text

    ev = card["evaluation"]
    rows = "\n".join(
        f"| {k} | {v.get('n_images', '')} | {v['nucleus']:.4f} | {v['cytoplasm']:.4f} | {v['cell']:.4f} | {v['mean']:.4f} |"
        for k, v in ev.items()
    )
    tr = card["training"]
    text = f"""# Segmenter `{card['name']}` ({card['arch']}), version {card['version']}

Produced by `python -m training.recipes.train_segmenter {card['training'].get('command', '')}`
(seed {tr['seed']}, {tr['steps_run']} steps in {tr['seconds']} s on {tr['machine']}, best step {tr['best_step']} chosen on val).

Parameters: {card['params']} (used at inference: {card['inference_params']}).
Graph: {json.dumps(card['graph'])}. Scale: {json.dumps(card['scale'])}.

| set | images | Dice nucleus | Dice cytoplasm | Dice cell | mean |
|---|---|---|---|---|---|
{rows}

`test` is the fixed test split (11 images), never used for any choice. `shifted_*` are stain- and
scale-shifted copies made by `training/data/make_shifted_val.py` (see its report): another lab, simulated.
"""
    atomic_write_text(path, text)


if __name__ == "__main__":
    main()
