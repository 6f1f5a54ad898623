"""``wbc-desktop analyze``: masks, overlays, cells.csv and summary.csv for files and folders."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wbc_desktop.core.errors import InputError, WbcError
from wbc_desktop.core.review.tables import write_cells_csv, write_summary_csv
from wbc_desktop.core.io.atomic import write_png_atomic
from wbc_desktop.core.io.images import class_map_to_mask, describe_no_images, list_images, read_image
from wbc_desktop.core.segmentation.overlay import render_overlay
from wbc_desktop.core.pipeline import Pipeline
from wbc_desktop.core.cells.views import describe_info


def cell_boxes(analysis) -> list[tuple[int, int, int, int, str]]:
    return [(*c.bbox, f"{c.final_type} {c.confidence:.2f}" if c.confidence else c.final_type) for c in analysis.cells]


def run_analyze(args: argparse.Namespace) -> int:
    out = Path(args.out)
    files = list_images(args.paths)
    if not files:
        raise WbcError(describe_no_images(args.paths))
    classifier = None if str(args.classifier).lower() == "none" else args.classifier
    pipe = Pipeline.load(args.model, classifier, device=args.device, views=args.views)
    ci = pipe.classifier.info() if pipe.classifier else None
    print(f"device: {pipe.device}; segmenter {pipe.segmenter.info()['name']} v{pipe.segmenter.info()['version']}; "
          + (f"classifier {ci['name']} v{ci['version']} "
             f"({describe_info(ci)} per cell)"
             if ci else "no cell-type classifier"), file=sys.stderr)
    analyses, failed = [], 0
    for i, path in enumerate(files, 1):
        try:
            img = read_image(path)
            a = pipe.analyze(img, pixel_size_um=args.pixel_size, scale=args.scale)
            stem = path.stem
            write_png_atomic(out / "masks" / f"{stem}.png", class_map_to_mask(a.class_map))
            write_png_atomic(out / "overlays" / f"{stem}.png", render_overlay(img.pixels, a.class_map, boxes=cell_boxes(a)))
            analyses.append(a)
            for note in a.notes:
                print(f"note: {path.name}: {note}", file=sys.stderr)
            print(f"[{i}/{len(files)}] {path.name}: {len(a.cells)} cells, {a.timings_ms.get('total', 0):.0f} ms", file=sys.stderr)
        except InputError as e:
            failed += 1
            print(f"error: {e}", file=sys.stderr)
        except WbcError as e:
            failed += 1
            print(f"error: {path.name}: {e}", file=sys.stderr)
    write_cells_csv(analyses, out / "cells.csv")
    write_summary_csv(analyses, out / "summary.csv")
    print(f"{len(analyses)} analysed, {failed} failed; results in {out}", file=sys.stderr)
    from wbc_desktop.core.familiarity import batch_warning

    if batch_warning(analyses):
        print(f"warning: {batch_warning(analyses)}", file=sys.stderr)
    return 1 if failed else 0
