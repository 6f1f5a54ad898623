"""Fine-tune a segmenter on a lab's corrected masks, with replay of the shipped sample.

The lab's images go through exactly what inference does first (background gain to the
model's reference, the scale the segmenter would choose for them) and are then resampled to
model scale, so the model learns the images as it will see them. Before/after Dice is
measured with the full :class:`Segmenter` (the figures a person would see) on the held-out
lab images and on the replay sample's ``check`` images (the original domain).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np
import torch

from wbc_desktop.core.weights import registry
from wbc_desktop.core.imaging.illumination import apply_gain, background_gain
from wbc_desktop.core.progress import check_cancel
from wbc_desktop.core.retrain.data import SegExample
from wbc_desktop.core.retrain.replay import load_replay
from wbc_desktop.core.segmentation.augment import resize
from wbc_desktop.core.segmentation.metrics import dice_scores
from wbc_desktop.core.segmentation.models.build import build_model
from wbc_desktop.core.segmentation.segmenter import Segmenter, prepare
from wbc_desktop.core.segmentation.training import TrainSettings, fit

Emit = Callable[[dict], None]
ORIGINAL_CHECK = 6  # replay check images scored before and after (each ~0.5 s on a loaded CPU)


def load_base(name: str) -> tuple[torch.nn.Module, dict, Path]:
    state, card, folder = registry.load(name, "segmenter")
    model = build_model(card.get("arch", "smgnn"), card.get("config", {}))
    model.load_state_dict(state)
    return model, card, folder


def to_model_scale(seg: Segmenter, ex: SegExample) -> tuple[np.ndarray, np.ndarray]:
    """(rgb, class map) as the model sees this image: gain (and calibration) applied, at model scale."""
    f, _ = seg.choose_scale(ex.rgb, ex.pixel_size_um)
    gain = background_gain(ex.rgb, seg.background)
    rgb = prepare(ex.rgb, gain, seg.calibration_for(ex.rgb, gain))
    h, w = ex.mask.shape
    size = (max(16, round(w * f)), max(16, round(h * f)))
    return resize(rgb, size), resize(ex.mask, size, nearest=True)


def score(seg: Segmenter, items: Sequence[tuple[str, np.ndarray, np.ndarray, Optional[float]]],
          cancel=None) -> list[dict]:
    """Per-image Dice of the full segmenter (name, rgb, mask, forced scale or None)."""
    out = []
    for name, rgb, mask, scale in items:
        check_cancel(cancel)
        r = seg.segment(rgb, scale=scale)
        out.append({"image": name, **dice_scores(r.class_map, mask)})
    return out


def _mean(rows: list[dict]) -> Optional[float]:
    return float(np.mean([r["mean"] for r in rows])) if rows else None


def finetune_segmenter(
    train: list[SegExample],
    val: list[SegExample],
    base: str,
    budget_s: Optional[float],
    epochs: Optional[int],
    lr: float,
    metric_weight: float,
    augment: bool,
    use_replay: bool,
    seed: int,
    device: torch.device,
    emit: Emit,
    cancel,
    calibrate: bool = True,
) -> tuple[dict, dict, dict]:
    """Train; returns (state dict, card, metrics). Raises Cancelled when ``cancel`` is set."""
    t_start = time.perf_counter()
    model, card, folder = load_base(base)
    seg = Segmenter(model, card, torch.device("cpu"))
    replay = load_replay("segmenter", folder, card) if use_replay else None
    emit({"kind": "stage", "model": "segmenter", "text": f"measuring the {card.get('name', base)} model"})
    lab_val = [(e.name, e.rgb, e.mask, None) for e in val]
    orig: list[tuple[str, np.ndarray, np.ndarray, float]] = []
    if replay:
        orig = [(str(n), r, m, 1.0) for n, r, m in zip(replay.check["names"], replay.check["images"],
                                                       replay.check["masks"])][:ORIGINAL_CHECK]
    before_lab, before_orig = score(seg, lab_val, cancel), score(seg, orig, cancel)
    card = dict(card, colour=dict(card.get("colour", {})))
    card["colour"].pop("calibration", None)
    if replay is not None and calibrate:
        from wbc_desktop.core.imaging.calibration import fit_colour_map

        gained = lambda r: apply_gain(r, background_gain(r, seg.background))  # noqa: E731
        cmap = fit_colour_map([(gained(e.rgb), e.mask) for e in train],
                              [(gained(r), m) for r, m in zip(replay.train["images"], replay.train["masks"])], seed=seed)
        if cmap is not None:
            card["colour"]["calibration"] = cmap.to_card()
            seg = Segmenter(model, card, torch.device("cpu"))
            emit({"kind": "log", "text": "segmenter: this lab's stain differs from the training data's; "
                                         "a stain calibration was fitted from the corrected images"})
    pairs = [to_model_scale(seg, e) for e in train]
    rep_pairs = None
    if replay is not None:
        rep_pairs = [(apply_gain(r, background_gain(r, seg.background)), m)
                     for r, m in zip(replay.train["images"], replay.train["masks"])]
    st = TrainSettings(batch_size=6, lr=lr, lambda_metric=metric_weight, seed=seed, crop=112, base_scale=1.0,
                       scale_jitter=(0.85, 1.2) if augment else (1.0, 1.0), stain_sigma=0.15 if augment else 0.0,
                       stain_bias=0.005 if augment else 0.0, replay_fraction=0.5 if rep_pairs else 0.0,
                       keep_best=False)
    spent = time.perf_counter() - t_start
    if budget_s is not None:
        # the "after" measurement costs about what "before" did
        st.time_budget_s = max(3.0, budget_s - 2 * spent)
        st.steps = 10**7 if epochs is None else max(1, int(np.ceil(epochs * len(pairs) / st.batch_size)))
    else:
        st.steps = max(1, int(np.ceil((epochs or 1) * len(pairs) / st.batch_size)))
    emit({"kind": "stage", "model": "segmenter", "text": f"training on {len(pairs)} images"
          + (f" + replay of {len(rep_pairs)} shipped images" if rep_pairs else "")})
    t0 = time.perf_counter()

    def on_step(step: int, steps: int, loss: float, eta: float) -> None:
        if st.time_budget_s:
            el = time.perf_counter() - t0
            steps = max(step, int(round(step * st.time_budget_s / max(el, 1e-6))))
            if st.steps < 10**7:
                steps = min(steps, st.steps)
        emit({"kind": "step", "model": "segmenter", "step": step, "steps": steps, "loss": round(loss, 4),
              "eta_s": round(eta, 1)})

    def on_val(rec: dict) -> None:
        if "val_mean" in rec:
            emit({"kind": "val", "model": "segmenter", "step": rec["step"], "dice": rec["val_mean"]})

    val_pairs = [to_model_scale(seg, e) for e in val]
    st.val_every = 25
    result = fit(model, pairs, val_pairs, seg.graph, st, device, cancel=cancel, replay=rep_pairs,
                 on_step=on_step, on_val=on_val)
    model.to("cpu").to(memory_format=torch.contiguous_format)  # type: ignore[call-overload]  # torch stubs lack Module.to(memory_format=)
    seg = Segmenter(model, card, torch.device("cpu"))
    emit({"kind": "stage", "model": "segmenter", "text": "measuring the new version"})
    after_lab, after_orig = score(seg, lab_val, cancel), score(seg, orig, cancel)
    metrics = {
        "measure": "dice",
        "before": _mean(before_lab), "after": _mean(after_lab),
        "original_before": _mean(before_orig), "original_after": _mean(after_orig),
        "per_image": [{"image": b["image"], "before": round(b["mean"], 4), "after": round(a["mean"], 4)}
                      for b, a in zip(before_lab, after_lab)],
        "n_train": len(train), "n_val": len(val), "n_original": len(orig),
        "original_domain": "replay check images of the shipped model's training data" if orig else None,
    }
    if metrics["after"] is not None:
        emit({"kind": "val", "model": "segmenter", "step": result["steps"], "dice": metrics["after"]})
    new_card = dict(card)
    new_card.pop("evaluation", None)
    new_card.pop("history", None)
    new_card["training"] = {
        "retrained": True, "fine_tuned_from": card.get("name"), "fine_tuned_from_version": card.get("version"),
        "steps_run": result["steps"], "seconds": round(result["seconds"], 1),
        "settings": {k: v for k, v in st.to_dict().items()}, "device": str(device),
        "n_train": len(train), "n_val": len(val), "n_replay": len(rep_pairs or []),
        "train_images": [e.name for e in train], "val_images": [e.name for e in val],
    }
    new_card["replay_source"] = replay.source if replay else card.get("replay_source")
    return model.state_dict(), new_card, metrics
