"""One image, analysed where it runs: the work a task does on a worker (or in this process).

Models are loaded once per process and kept (``_pipeline``), so a worker that runs a thousand
tasks loads them once. A task returns plain data (table rows and PNG bytes): nothing it returns
needs the worker's memory or file system after it ends.
"""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

from wbc_desktop.core.errors import InputError, WbcError
from wbc_desktop.core.io.tiles import HALO, SLIDE_MIN_TILES, TILE

_PIPES: dict[str, object] = {}
PNG_LEVEL = 1  # zlib level of masks and overlays (core.io.atomic.encode_png)


@dataclass(frozen=True)
class BatchSettings:
    """What decides an image's outputs (a resumed run only reuses records made with the same)."""

    model: str = "default"
    classifier: Optional[str] = "default"
    device: str = "auto"
    views: int = 0
    pixel_size: Optional[float] = None
    scale: Optional[float] = None
    threads: int = 0  # torch threads in this process (0: leave torch's default); workers use 1
    tile: int = TILE  # whole-slide images: the side of a tile's core (core.io.tiles)
    halo: int = HALO  # context around each core
    overlays: bool = True  # write overlays/<stem>.png (``analyze --no-overlays``: masks and tables only)
    lab_profile: Optional[str] = None  # a lab profile's JSON (core.lab.profile): its prototypes type the cells

    def is_slide(self, path: Path) -> bool:
        """Analysed in tiles: any TIFF over the single-read limit, or a tiled one over 4 tiles."""
        from wbc_desktop.core.io.slides import is_slide

        return is_slide(path, SLIDE_MIN_TILES * self.tile * self.tile)

    def key(self) -> str:
        d = asdict(self)
        d.pop("device"), d.pop("threads")
        if d["overlays"]:  # the default: records made before the option existed stay valid
            d.pop("overlays")
        if d.get("lab_profile") is None:  # runs made before lab profiles existed resume as before
            d.pop("lab_profile")
        return json.dumps(d, sort_keys=True)


def worker_device(choice: str) -> str:
    """On a Dask worker of a machine with several GPUs, ``auto``/``cuda`` becomes one GPU per worker.

    Workers are spread over the GPUs by their name (LocalCluster names them 0..N-1), so each
    GPU holds the models of its own workers only. Elsewhere the choice is kept as it is.
    """
    if choice not in ("auto", "cuda"):
        return choice
    try:
        from distributed import get_worker

        name = get_worker().name
    except (ImportError, ValueError):
        return choice
    import torch

    n = torch.cuda.device_count()
    if n <= 1:
        return choice
    index = name if isinstance(name, int) else zlib.crc32(str(name).encode())
    return f"cuda:{index % n}"


def pipeline(settings: BatchSettings):
    """The models for these settings, loaded on first use in this process and kept."""
    key = settings.key() + settings.device
    pipe = _PIPES.get(key)
    if pipe is None:
        from wbc_desktop.core.pipeline import Pipeline

        if settings.threads:
            import torch

            torch.set_num_threads(settings.threads)
        pipe = _PIPES[key] = Pipeline.load(settings.model, settings.classifier, device=worker_device(settings.device),
                                           views=settings.views)
    return pipe


def warm(settings: BatchSettings) -> str:
    """Load the models in this process now (``client.run(warm, s)``: on every worker); its device."""
    return str(pipeline(settings).device)


def cell_boxes(analysis) -> list[tuple[int, int, int, int, str]]:
    return [(*c.bbox, f"{c.final_type} {c.confidence:.2f}" if c.confidence else c.final_type) for c in analysis.cells]


def error_line(path: Path, e: WbcError) -> str:
    """The one-line message a failed image gets, the same locally and on a cluster."""
    return f"{e}" if isinstance(e, InputError) else f"{path.name}: {e}"


_PROFILES: dict[str, object] = {}


def _profile(path: Optional[str]):
    """The lab profile of these settings, read once per process (None without one)."""
    if not path:
        return None
    if path not in _PROFILES:
        from wbc_desktop.core.lab.profile import load

        _PROFILES[path] = load(path)
    return _PROFILES[path]


def _type_by_profile(pipe, a, profile) -> None:
    """The cells typed again by the profile's prototypes, with the classifier that typed the image."""
    from wbc_desktop.core.lab.by_example import apply_profile, pick_classifier

    clf = pick_classifier([pipe.classifier, getattr(pipe, "_unfamiliar_classifier", None)], profile.space)
    n = apply_profile(clf, a, profile, a.image_name)
    if n:
        a.notes.append(f"{n} cell(s) typed with lab profile {profile.name!r} ({len(profile.examples)} examples)")
    elif a.cells:
        a.notes.append(f"lab profile {profile.name!r} not used: made with the {profile.space or '?'} classifier")


def analyze_image(path: str, settings: BatchSettings) -> dict:
    """Analyse one image file; return its table rows and encoded mask/overlay, or its error line.

    Only user-facing errors (:class:`WbcError`) are caught: anything else is a bug and must show.
    """
    from wbc_desktop.core.io.atomic import encode_png
    from wbc_desktop.core.io.images import class_map_to_mask, read_image
    from wbc_desktop.core.export.layout import mask_file, overlay_file
    from wbc_desktop.core.export.tables import cell_rows, image_row
    from wbc_desktop.core.memory import release_freed_memory
    from wbc_desktop.core.segmentation.overlay import render_overlay

    p = Path(path)
    release_freed_memory()  # the previous image's arrays are freed by now: give their pages back (core.memory)
    t0 = time.perf_counter()
    try:
        pipe = pipeline(settings)
        img = read_image(p)
        profile = _profile(settings.lab_profile)
        px = settings.pixel_size or (profile.pixel_size_um if profile is not None else None)
        a = pipe.analyze(img, pixel_size_um=px, scale=settings.scale)
        if profile is not None:
            _type_by_profile(pipe, a, profile)
        files = {mask_file(p.stem): encode_png(class_map_to_mask(a.class_map), PNG_LEVEL)}
        if settings.overlays:
            files[overlay_file(p.stem)] = encode_png(render_overlay(img.pixels, a.class_map, boxes=cell_boxes(a)),
                                                     PNG_LEVEL)
    except WbcError as e:
        return {"path": str(p), "error": error_line(p, e)}
    return {
        "path": str(p), "error": "", "files": files, "cells": cell_rows([a]), "image": image_row(a),
        "counts": a.counts(), "notes": list(a.notes), "n_cells": len(a.cells),
        "ms": float(a.timings_ms.get("total", 0.0)), "task_ms": (time.perf_counter() - t0) * 1e3,
    }
