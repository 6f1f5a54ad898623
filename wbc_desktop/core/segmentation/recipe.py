"""Train a segmentation model and write it as a model folder with its card.

The one function behind ``wbc-desktop train``, ``training/recipes/train_segmenter.py`` and, later,
the GUI's training wizard.
"""

from __future__ import annotations

import datetime as _dt
import logging
import platform
import threading
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import torch

from wbc_desktop.core.weights import registry
from wbc_desktop.core.segmentation.models.smgnn import count_parameters
from wbc_desktop.core.progress import ProgressFn, no_progress
from wbc_desktop.core.segmentation.forward import GraphSettings
from wbc_desktop.core.segmentation.models.build import build_model, inference_parameters, model_config
from wbc_desktop.core.segmentation.training import Pair, TrainSettings, fit

log = logging.getLogger(__name__)


def estimate_target_rbc(train: list[Pair], train_scale: float) -> Optional[float]:
    """Median red-cell diameter of the training images at model scale: the scale anchor."""
    from wbc_desktop.core.imaging.scale import estimate_rbc_diameter

    ds = [e.diameter_px for e in (estimate_rbc_diameter(rgb) for rgb, _ in train) if e.diameter_px]
    return float(np.median(ds) * train_scale) if ds else None


def train_segmenter(
    train: list[Pair],
    val: list[Pair],
    out: str | Path,
    settings: TrainSettings,
    arch: str = "smgnn",
    config: Optional[dict] = None,
    graph: Optional[GraphSettings] = None,
    base: Optional[str] = None,
    name: Optional[str] = None,
    device: torch.device = torch.device("cpu"),
    progress: ProgressFn = no_progress,
    cancel: Optional[threading.Event] = None,
    log_fn: Callable[[str], None] = lambda s: None,
    data_note: str = "",
    replay: Optional[list[Pair]] = None,
) -> dict:
    """Train from scratch, or fine-tune ``base`` (its architecture and scale are kept)."""
    base_card = None
    if base:
        state, base_card, _ = registry.load(base, "segmenter")
        arch = base_card.get("arch", "smgnn")
        model = build_model(arch, base_card["config"])
        model.load_state_dict(state)
        graph = GraphSettings.from_dict(base_card.get("graph", {}))
        settings.base_scale = base_card.get("scale", {}).get("model_px_per_train_px", settings.base_scale)
    else:
        model = build_model(arch, config or {})
        graph = graph or GraphSettings()
    from wbc_desktop.core.imaging.illumination import normalise_background, reference_background

    background = (base_card or {}).get("colour", {}).get("background") or reference_background([r for r, _ in train])
    train, val = ([(normalise_background(r, background), m) for r, m in pairs] for pairs in (train, val))
    replay = [(normalise_background(r, background), m) for r, m in replay] if replay else None
    result = fit(model, train, val, graph, settings, device, progress, cancel, log_fn, replay)
    scale = dict(base_card["scale"]) if base_card else {"model_px_per_train_px": settings.base_scale}
    if not base_card:
        scale["target_rbc_px"] = estimate_target_rbc(train, settings.base_scale)
        if scale["target_rbc_px"]:
            scale["model_pixel_size_um"] = round(7.5 / scale["target_rbc_px"], 4)  # a red cell is ~7.5 um
    out = Path(out)
    card = {
        "kind": "segmenter",
        "name": name or out.name,
        "version": _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%d-%H%M%S"),
        "arch": arch,
        "config": model_config(model),
        "graph": graph.to_dict(),
        "scale": scale,
        "colour": {"background": background},
        "classes": ["background", "cytoplasm", "nucleus"],
        "params": count_parameters(model),
        "inference_params": inference_parameters(model),
        "training": {
            **settings.to_dict(),
            "fine_tuned_from": (base_card or {}).get("name"),
            "fine_tuned_from_version": (base_card or {}).get("version"),
            "n_train": len(train),
            "n_val": len(val),
            "n_replay": len(replay or []),
            "data": data_note,
            "steps_run": result["steps"],
            "best_step": result["best_step"],
            "seconds": round(result["seconds"], 1),
            "device": str(device),
            "torch": torch.__version__,
            "machine": f"{platform.machine()} {torch.get_num_threads()} threads",
        },
        "val": _best_val(result),
        "best_val_mean": result["best_val_mean"],
        "history": result["history"],
    }
    registry.save(out, model.state_dict(), card)
    return card


def _best_val(result: dict) -> dict:
    """Validation Dice of the step that was kept."""
    for rec in result["history"]:
        if rec["step"] == result["best_step"]:
            return {k[4:]: v for k, v in rec.items() if k.startswith("val_")}
    return {}
