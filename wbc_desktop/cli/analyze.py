"""``wbc-desktop analyze``: masks, overlays, cells.csv, images.csv and summary.csv for files and folders.

Thin: the batch (streamed tables, resumable records, a local or remote Dask cluster) is
``core.batch``; here are the arguments, the first lines a user reads and the progress bar.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from pathlib import Path
from types import SimpleNamespace

from wbc_desktop.core.batch.job import BatchSettings, pipeline
from wbc_desktop.core.batch.runner import run_batch
from wbc_desktop.core.cells.views import describe_info
from wbc_desktop.core.errors import WbcError
from wbc_desktop.core.io.images import describe_no_images, list_images


def _settings(args: argparse.Namespace, threads: int) -> BatchSettings:
    classifier = None if str(args.classifier).lower() == "none" else args.classifier
    return BatchSettings(model=args.model, classifier=classifier, device=args.device, views=args.views,
                         pixel_size=args.pixel_size, scale=args.scale, threads=threads,
                         overlays=not getattr(args, "no_overlays", False),
                         lab_profile=str(Path(args.lab_profile).resolve()) if getattr(args, "lab_profile", None) else None)


def _bar(total: int):
    try:
        from tqdm import tqdm
    except ImportError:
        return nullcontext(None)
    return tqdm(total=total, unit="image", file=sys.stderr, disable=None, dynamic_ncols=True)


def run_analyze(args: argparse.Namespace) -> int:
    out = Path(args.out)
    files = list_images(args.paths)
    if not files:
        raise WbcError(describe_no_images(args.paths))
    workers, scheduler = getattr(args, "workers", None), getattr(args, "scheduler", None)
    on_cluster = bool(workers or scheduler)
    settings = _settings(args, threads=1 if on_cluster else 0)
    if settings.lab_profile:  # a bad profile stops the run before any image, with its reason
        from wbc_desktop.core.lab.profile import load

        prof = load(settings.lab_profile)
        per_type = ", ".join(f"{k} {v}" for k, v in sorted(prof.examples.counts().items()))
        print(f"lab profile {prof.name!r}: {len(prof.examples)} examples ({per_type}) of {prof.space}"
              + (f"; pixel size {prof.pixel_size_um:g} um" if prof.pixel_size_um else ""), file=sys.stderr)
    if on_cluster:
        from wbc_desktop.core.batch.cluster import dashboard, open_client

        ctx = open_client(workers, scheduler)
    else:
        pipe = pipeline(settings)  # load here: a model error stops the run before any image
        ci = pipe.classifier.info() if pipe.classifier else None
        print(f"device: {pipe.device}; segmenter {pipe.segmenter.info()['name']} v{pipe.segmenter.info()['version']}; "
              + (f"classifier {ci['name']} v{ci['version']} ({describe_info(ci)} per cell)"
                 if ci else "no cell-type classifier"), file=sys.stderr)
        ctx = nullcontext(None)  # type: ignore[assignment]  # no client: the same with-block, nothing to open
    with ctx as client:
        if client is not None:
            n = len(client.scheduler_info().get("workers", {}))
            link = dashboard(client)
            print(f"cluster: {n} workers" + (f"; dashboard {link}" if link else ""), file=sys.stderr)
        with _bar(len(files)) as bar:
            def say(line: str) -> None:
                if bar is not None and not bar.disable:
                    bar.write(line, file=sys.stderr)  # above the bar, which stays last
                else:
                    print(line, file=sys.stderr)

            rep = run_batch(files, out, settings, fresh=getattr(args, "fresh", False), client=client, say=say, bar=bar)
    resumed = f" ({rep.resumed} from an earlier run)" if rep.resumed else ""
    print(f"{rep.analysed + rep.resumed} analysed{resumed}, {rep.failed} failed; results in {out}", file=sys.stderr)
    from wbc_desktop.core.imaging.familiarity import batch_warning

    warning = batch_warning([SimpleNamespace(familiarity=f) for f in rep.familiarity])
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    return 1 if rep.failed else 0
