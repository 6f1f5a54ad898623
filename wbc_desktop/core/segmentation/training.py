"""Training loops for the segmenter: from scratch or fine-tuning, with a time budget, progress,
cancel and choice of the best step on the validation images.
"""

from __future__ import annotations

import copy
import math
import threading
import time
from dataclasses import asdict, dataclass
from typing import Callable, Optional

import numpy as np
import torch
import torch.nn.functional as F

from wbc_desktop.core.segmentation.augment import SegAugment, resize
from wbc_desktop.core.segmentation.losses import metric_loss, soft_dice_loss
from wbc_desktop.core.segmentation.metrics import dice_scores, mean_scores
from wbc_desktop.core.progress import ProgressFn, check_cancel, no_progress
from wbc_desktop.core.segmentation.forward import GraphSettings, forward_batch, make_batch, predict_logits, rgb_tensor, uses_graph
from wbc_desktop.core.segmentation.superpixels import label_fractions

Pair = tuple[np.ndarray, np.ndarray]  # RGB uint8 image, class map 0/1/2 (input resolution)


@dataclass
class TrainSettings:
    steps: int = 2000
    time_budget_s: Optional[float] = None  # stop early when spent; the schedule follows time then
    batch_size: int = 6  # the shipped recipe's settings, so `wbc-desktop train` reproduces it
    lr: float = 4e-3
    weight_decay: float = 1e-4
    lambda_metric: float = 0.3
    ce_weight: float = 1.0
    seed: int = 0
    crop: int = 128
    val_every: int = 100
    base_scale: float = 0.5  # model pixels per training-image pixel
    stain_sigma: float | tuple[float, float, float] = 0.25  # HED density scale jitter, one or per stain
    stain_bias: float = 0.01  # HED density shift, skimage units
    scale_jitter: tuple[float, float] = (0.7, 1.45)  # residual error of the scale estimate
    replay_fraction: float = 0.0  # share of each batch drawn from ``replay`` (0: one pool, uniform)
    keep_best: bool = True  # restore the step with the best validation Dice (False: the last step)

    def to_dict(self) -> dict:
        return asdict(self)


def validate(model, val: list[Pair], gs: GraphSettings, scale: float, device: torch.device) -> dict[str, float]:
    """Dice at the training images' own resolution, as users will measure it."""
    model.eval()
    scores = []
    for rgb, mask in val:
        h, w = mask.shape
        small = resize(rgb, (max(8, round(w * scale)), max(8, round(h * scale))))
        logits = predict_logits(model, small, gs, device)
        up = F.interpolate(logits[None], size=(h, w), mode="bilinear", align_corners=False)[0]
        scores.append(dice_scores(up.numpy().argmax(0).astype(np.uint8), mask))
    return mean_scores(scores)


def _lr_factor(progress: float) -> float:
    warm = 0.03
    if progress < warm:
        return progress / warm
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (progress - warm) / (1 - warm)))) * 0.97 + 0.03


def fit(
    model: torch.nn.Module,
    train: list[Pair],
    val: list[Pair],
    gs: GraphSettings,
    settings: TrainSettings,
    device: torch.device,
    progress: ProgressFn = no_progress,
    cancel: Optional[threading.Event] = None,
    log: Callable[[str], None] = lambda s: None,
    replay: Optional[list[Pair]] = None,
    on_step: Optional[Callable[[int, int, float, float], None]] = None,
    on_val: Optional[Callable[[dict], None]] = None,
) -> dict:
    """Train in place; keep and restore the weights with the best validation mean Dice.

    ``replay`` (for fine-tuning on a user's corrections) mixes old training pairs into each
    batch so the model does not forget what it knew (``settings.replay_fraction`` of it when set).
    ``on_step(step, steps, loss, eta_s)`` and ``on_val(record)`` feed live curves.
    """
    torch.manual_seed(settings.seed)
    torch.set_flush_denormal(True)  # tiny weights otherwise slow CPU training many-fold
    rng = np.random.default_rng(settings.seed)
    aug = SegAugment(crop=settings.crop, scale_range=tuple(settings.scale_jitter),
                     stain_sigma=settings.stain_sigma, stain_bias=settings.stain_bias)
    model.to(device).to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    mixed = bool(replay) and settings.replay_fraction > 0
    pool = list(train) if mixed else list(train) + list(replay or [])
    n_old = int(round(settings.batch_size * settings.replay_fraction)) if mixed else 0
    history: list[dict] = []
    best = (-1.0, None, 0)
    t0 = time.perf_counter()
    step = 0
    for step in range(1, settings.steps + 1):
        check_cancel(cancel)
        elapsed = time.perf_counter() - t0
        frac = step / settings.steps
        if settings.time_budget_s:
            frac = max(frac, elapsed / settings.time_budget_s)
        if frac > 1.0:
            break
        for g in opt.param_groups:
            g["lr"] = settings.lr * _lr_factor(frac)
        model.train()
        picks = rng.integers(len(pool), size=settings.batch_size - n_old)
        samples = [aug(*pool[i], settings.base_scale, rng) for i in picks]
        samples += [aug(*replay[i], settings.base_scale, rng) for i in rng.integers(len(replay), size=n_old)] if n_old else []
        rgbs = [s[0] for s in samples]
        masks = torch.from_numpy(np.stack([s[1] for s in samples]).astype(np.int64)).to(device)
        x = rgb_tensor(rgbs).to(device).contiguous(memory_format=torch.channels_last)
        batch, sps = (make_batch(rgbs, gs) if uses_graph(model) else (None, None))
        logits, emb = forward_batch(model, batch.to(device) if batch is not None else None, x)
        loss = soft_dice_loss(logits, masks) + settings.ce_weight * F.cross_entropy(logits, masks)
        m_loss = torch.zeros((), device=device)
        if emb is not None:
            y = torch.from_numpy(np.concatenate([label_fractions(sp, s[1]) for sp, s in zip(sps, samples)])).to(device)
            m_loss = metric_loss(model, emb, y)
            if getattr(model.cfg, "variant", "pixel") == "node":
                loss = F.cross_entropy(model.node_logits(emb), y.argmax(1)) + soft_dice_loss(logits, masks)
            loss = loss + settings.lambda_metric * m_loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % settings.val_every == 0 or step == settings.steps:
            rec = _checkpoint(model, val, gs, settings, device, step, t0, loss.item(), m_loss.item())
            history.append(rec)
            log(_fmt(rec))
            if on_val is not None:
                on_val(rec)
            if rec.get("val_mean", -1) > best[0] and settings.keep_best:
                best = (rec["val_mean"], copy.deepcopy(model.state_dict()), step)
        if on_step is not None:
            spent = time.perf_counter() - t0
            eta = (settings.time_budget_s - spent) if settings.time_budget_s else spent / step * (settings.steps - step)
            on_step(step, settings.steps, float(loss.item()), max(0.0, float(eta)))
        progress(step, settings.steps, f"step {step} loss {loss.item():.3f} ({time.perf_counter() - t0:.0f} s)")
    if not history or history[-1]["step"] != step:
        rec = _checkpoint(model, val, gs, settings, device, step, t0, loss.item(), m_loss.item())
        history.append(rec)
        log(_fmt(rec))
        if on_val is not None:
            on_val(rec)
        if rec.get("val_mean", -1) > best[0] and settings.keep_best:
            best = (rec["val_mean"], copy.deepcopy(model.state_dict()), step)
    if not settings.keep_best:
        best = (history[-1].get("val_mean", -1.0), None, step)
    if best[1] is not None:
        model.load_state_dict(best[1])
    progress(settings.steps, settings.steps, "done")
    return {"history": history, "best_step": best[2], "best_val_mean": best[0], "steps": step,
            "seconds": time.perf_counter() - t0}


def _checkpoint(model, val, gs, settings, device, step, t0, loss, m_loss) -> dict:
    rec = {"step": step, "seconds": round(time.perf_counter() - t0, 1), "loss": round(loss, 4), "metric_loss": round(m_loss, 4)}
    if val:
        v = validate(model, val, gs, settings.base_scale, device)
        rec.update({f"val_{k}": round(x, 4) for k, x in v.items()})
    return rec


def _fmt(rec: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in rec.items())
