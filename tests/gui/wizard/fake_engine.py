"""A stand-in for ``wbc_desktop.core.retrain`` with the agreed signature: no torch, quick, deterministic.

It walks the same protocol as the real engine (stage, step, val and log events; ``should_stop``
checked every step; a version folder written to a temp folder and renamed into place only at
the end), so the GUI and the process plumbing can be tested without training anything.
``WBC_FAKE_STEP_S`` (seconds per step) and ``WBC_FAKE_FAIL`` (raise this text) tune it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Optional

import numpy as np


@dataclass
class RetrainSettings:
    out_dir: Path
    project_dir: Optional[Path] = None
    images: list = field(default_factory=list)
    masks: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    models: tuple = ("segmenter", "classifier")
    base_segmenter: str = "default"
    base_classifier: str = "default"
    selected: Optional[list] = None
    val_fraction: float = 0.2
    seed: int = 0
    time_budget_s: Optional[float] = 60.0
    epochs: Optional[int] = None
    lr: float = 1e-3
    metric_weight: float = 0.1
    augment: bool = True
    replay: bool = True
    device: str = "auto"


@dataclass
class RetrainResult:
    versions: dict
    metrics: dict
    cancelled: bool = False


def _write_version(root: Path, kind: str, parent: str, metrics: dict, settings: RetrainSettings) -> Path:
    from safetensors.numpy import save_file

    folder = root / kind
    folder.mkdir(parents=True, exist_ok=True)
    name = time.strftime("%Y%m%d-%H%M%S") + f"-{kind[:3]}"
    while (folder / name).exists():
        name += "x"
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=folder))
    save_file({"w": np.arange(4, dtype=np.float32)}, str(tmp / "weights.safetensors"))
    card = {"kind": kind, "name": name, "label": name, "parent": parent, "metrics": metrics,
            "settings": {k: str(v) for k, v in asdict(settings).items()}, "device": "cpu", "fake": True}
    (tmp / "card.json").write_text(json.dumps(card, indent=1), encoding="utf-8")
    os.replace(tmp, folder / name)
    return folder / name


def run_retrain(settings: RetrainSettings, on_event: Callable[[dict], None] = lambda e: None,
                should_stop: Callable[[], bool] = lambda: False) -> RetrainResult:
    if os.environ.get("WBC_FAKE_FAIL"):
        raise ValueError(os.environ["WBC_FAKE_FAIL"])
    step_s = float(os.environ.get("WBC_FAKE_STEP_S", "0.02"))
    steps = int(settings.epochs or 6)
    names = [f"img{i}.png" for i in range(3)]
    metrics: dict = {}
    for m in settings.models:
        key = "dice" if m == "segmenter" else "accuracy"
        on_event({"kind": "stage", "model": m, "text": f"fine-tuning the {m}"})
        for i in range(1, steps + 1):
            if should_stop():
                on_event({"kind": "log", "text": "cancelled"})
                return RetrainResult({}, {}, cancelled=True)
            time.sleep(step_s)
            on_event({"kind": "step", "model": m, "step": i, "steps": steps, "loss": 1.0 / i,
                      "eta_s": (steps - i) * step_s})
            if i % 2 == 0 or i == steps:
                on_event({"kind": "val", "model": m, "step": i, key: 0.5 + 0.4 * i / steps})
        metrics[m] = {"before": 0.5, "after": 0.9, "original_before": 0.95, "original_after": 0.945,
                      "per_image": [{"image": n, "before": 0.5 + 0.01 * k, "after": 0.9 - 0.01 * k}
                                    for k, n in enumerate(names)]}
    if should_stop():
        return RetrainResult({}, {}, cancelled=True)
    versions = {m: _write_version(Path(settings.out_dir), m, getattr(settings, f"base_{m}"), metrics[m], settings)
                for m in settings.models}
    on_event({"kind": "log", "text": "done"})
    return RetrainResult(versions, metrics)


def cleanup(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
