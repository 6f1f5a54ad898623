"""Fine-tuning the cell-type classifier on a few typed cells, with replay (no Qt, no files).

Context crops (uint8 NxSxSxC, larger than the model's crop: see ``crops.context_spec``) are
augmented on the fly and standardised exactly as at inference. BatchNorm statistics stay
frozen: with a few dozen cells, re-estimating them would shift the features the replay
sample relies on (forgetting), while the weights still adapt.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Callable, Optional

import numpy as np
import torch
import torch.nn.functional as F

from wbc_desktop.core.cells.augment import PRESETS, augment_batch
from wbc_desktop.core.cells.crops import standardise
from wbc_desktop.core.progress import check_cancel


@dataclass
class FineTuneSettings:
    size: int = 96  # the model's crop side
    steps: int = 10**7  # upper bound; the time budget usually decides
    time_budget_s: Optional[float] = 20.0
    batch_size: int = 32
    replay_fraction: float = 0.5  # share of each batch from the replay sample
    lr: float = 1e-3
    weight_decay: float = 1e-4
    smoothing: float = 0.05
    augment: str | None = "robust"  # a preset of core.cells.augment, None: none
    freeze_bn: bool = True
    distill: float = 1.0  # weight of keeping the base model's answers on the replay crops (0: off)
    temperature: float = 2.0
    seed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@torch.no_grad()
def predict_probs(model: torch.nn.Module, crops: np.ndarray | torch.Tensor, size: int, device: torch.device,
                  batch: int = 128) -> np.ndarray:
    """Class probabilities of context crops (their exact centre crop, as inference sees them)."""
    model.eval()
    x_all = torch.as_tensor(crops)
    out = []
    for i in range(0, len(x_all), batch):
        x = standardise(augment_batch(x_all[i:i + batch], size, None)).to(device)
        out.append(torch.softmax(model(x).float(), 1).cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, 1), np.float32)


def _lr(frac: float) -> float:
    warm = 0.05
    return frac / warm if frac < warm else 0.5 * (1 + math.cos(math.pi * min(1.0, (frac - warm) / (1 - warm))))


def finetune(
    model: torch.nn.Module,
    X: np.ndarray,
    y: np.ndarray,
    s: FineTuneSettings,
    device: torch.device,
    X_replay: Optional[np.ndarray] = None,
    y_replay: Optional[np.ndarray] = None,
    on_step: Optional[Callable[[int, int, float, float], None]] = None,
    cancel=None,
) -> dict:
    """Train in place: each batch is new cells (class-balanced draws) plus replay crops, whose
    answers are also held to the base model's (distillation), so the original domain is kept.

    ``on_step(step, steps, loss, eta_s)`` reports progress; ``cancel.is_set()`` stops with Cancelled.
    """
    torch.manual_seed(s.seed)
    gen = torch.Generator().manual_seed(s.seed)
    rng = np.random.default_rng(s.seed)
    model.to(device)
    teacher = None
    if s.distill > 0 and X_replay is not None and len(X_replay) and s.replay_fraction > 0:
        import copy

        teacher = copy.deepcopy(model).eval()  # the base model: what the replay crops should still get
        for p in teacher.parameters():
            p.requires_grad_(False)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=s.lr, weight_decay=s.weight_decay)
    aug = PRESETS[s.augment] if s.augment else None
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y, dtype=torch.long)
    use_rep = X_replay is not None and len(X_replay) > 0 and s.replay_fraction > 0
    Xr = torch.as_tensor(X_replay) if use_rep else None
    yr = torch.as_tensor(y_replay, dtype=torch.long) if use_rep else None
    n_rep = int(round(s.batch_size * s.replay_fraction)) if use_rep else 0
    n_new = max(1, s.batch_size - n_rep)
    # class-balanced draws of the new cells: a lab's rare types still move the model
    classes = np.unique(y)
    weights = np.zeros(len(y))
    for c in classes:
        weights[y == c] = 1.0 / (y == c).sum()
    weights /= weights.sum()
    t0 = time.perf_counter()
    step, loss_v = 0, float("nan")
    for step in range(1, s.steps + 1):
        check_cancel(cancel)
        el = time.perf_counter() - t0
        frac = step / s.steps
        if s.time_budget_s:
            frac = max(frac, el / s.time_budget_s)
        if frac > 1.0:
            step -= 1
            break
        for g in opt.param_groups:
            g["lr"] = s.lr * _lr(frac)
        model.train()
        if s.freeze_bn:
            for m in model.modules():
                if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                    m.eval()
        idx = torch.from_numpy(rng.choice(len(y), size=n_new, p=weights))
        xb, yb = Xt[idx], yt[idx]
        if n_rep:
            ri = torch.from_numpy(rng.integers(len(yr), size=n_rep))
            xb, yb = torch.cat([xb, Xr[ri]]), torch.cat([yb, yr[ri]])
        x = standardise(augment_batch(xb, s.size, aug, gen)).to(device)
        logits = model(x)
        loss = F.cross_entropy(logits, yb.to(device), label_smoothing=s.smoothing)
        if teacher is not None and n_rep:
            with torch.no_grad():
                t_logits = teacher(x[-n_rep:])
            t = s.temperature
            kd = F.kl_div(F.log_softmax(logits[-n_rep:] / t, 1), F.softmax(t_logits / t, 1), reduction="batchmean")
            loss = loss + s.distill * kd * t * t
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss_v = float(loss.detach())
        if on_step is not None:
            el = time.perf_counter() - t0
            if s.time_budget_s:
                total = max(step, int(round(step * s.time_budget_s / max(el, 1e-6))))
                total = min(total, s.steps)
            else:
                total = s.steps
            on_step(step, total, loss_v, max(0.0, el / step * (total - step)))
    model.eval()
    return {"steps": step, "seconds": round(time.perf_counter() - t0, 1), "last_loss": loss_v}
