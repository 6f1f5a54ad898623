"""``wbc-desktop evaluate``: Dice per image then averaged (and classification when labels say)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from wbc_desktop.core.io.datasets import find_pairs, load_pairs, split_names
from wbc_desktop.core.errors import WbcError
from wbc_desktop.core.io.atomic import atomic_write_text
from wbc_desktop.core.segmentation.metrics import dice_scores, mean_scores
from wbc_desktop.core.pipeline import Pipeline


def evaluate_segmentation(seg, images: str, masks: str, stems, scale=None) -> dict:
    """Dice per image; ``seg`` is a Pipeline (the path analyze takes, scale from the white cell
    included) or a bare Segmenter."""
    from wbc_desktop.core.io.images import ImageData

    def class_map(rgb):
        if hasattr(seg, "analyze"):
            return seg.analyze(ImageData(rgb), scale=scale).class_map
        return seg.segment(rgb, scale=scale).class_map

    errors: list[str] = []
    data = load_pairs(find_pairs(images, masks, stems), errors)
    if not data:
        raise WbcError("no image/mask pairs to evaluate" + (f" ({errors[0]})" if errors else ""))
    per_image = {}
    for name, rgb, mask in data:
        per_image[name] = dice_scores(class_map(rgb), mask)
    return {"n_images": len(data), "dice": mean_scores(list(per_image.values())), "per_image": per_image,
            "errors": errors}


def run_evaluate(args: argparse.Namespace) -> int:
    if not (args.images and args.masks) and not args.class_folders and not (args.images and args.labels):
        raise WbcError("give --images and --masks (segmentation), and/or --labels or --class-folders (cell types)")
    stems = split_names(args.labels, args.split) if args.labels else None
    no_cls = str(args.classifier).lower() == "none"
    want_cls = not no_cls and bool(args.class_folders or (args.labels and args.images))
    pipe = Pipeline.load(args.model, args.classifier if want_cls else None, device=args.device, views=args.views)
    result: dict = {"model": {k: pipe.segmenter.info()[k] for k in ("name", "version", "params")}, "device": pipe.device}
    if args.images and args.masks:
        seg = evaluate_segmentation(pipe, args.images, args.masks, stems, args.scale)
        result = {"n_images": seg["n_images"], "dice": seg["dice"], **result, "per_image": seg["per_image"]}
        d = seg["dice"]
        print(f"{seg['n_images']} images: Dice nucleus {d['nucleus']:.4f} cytoplasm {d['cytoplasm']:.4f} "
              f"cell {d['cell']:.4f} mean {d['mean']:.4f} ({pipe.device})", file=sys.stderr)
        if seg["errors"]:
            result["errors"] = seg["errors"]
            for e in seg["errors"]:
                print(f"error: {e} (left out of the figures)", file=sys.stderr)
    if want_cls:
        from wbc_desktop.cli.classification import classification_figures

        if pipe.classifier is None:
            raise WbcError(f"classifier {args.classifier!r} could not be loaded")
        result["classification"] = classification_figures(pipe, args)
        c = result["classification"]
        print(f"classification: accuracy {c['accuracy']:.4f} over {c['n']} cells", file=sys.stderr)
    if pipe.classifier is not None:
        result["classifier_model"] = pipe.classifier.info()
    atomic_write_text(Path(args.json), json.dumps(result, indent=2) + "\n")
    return 1 if result.get("errors") else 0
