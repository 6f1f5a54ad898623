"""Training losses: soft Dice on pixels and the superpixel metric loss (paper Eq. 5-7)."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def soft_dice_loss(logits: torch.Tensor, target: torch.Tensor, eps: float = 1.0) -> torch.Tensor:
    """1 - mean Dice over classes, computed on the whole batch (stable for small structures)."""
    n = logits.shape[1]
    prob = logits.softmax(1)
    onehot = F.one_hot(target.long(), n).permute(0, 3, 1, 2).to(prob.dtype)
    dims = (0, 2, 3)
    inter = (prob * onehot).sum(dims)
    denom = prob.sum(dims) + onehot.sum(dims)
    return 1.0 - ((2 * inter + eps) / (denom + eps)).mean()


def metric_loss(
    model,
    emb: torch.Tensor,
    y_frac: torch.Tensor,
    n_anchors: int = 128,
    n_refs: int = 512,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Superpixel metric loss: regress SIM(e_i, e_j) = a cos + b on (y_i + y_j) / 2 (MSE).

    For each foreground class c, anchors are nodes mostly of class c (y_i,c >= 0.5) and
    references are drawn from all nodes of the batch, so pairs span different images.
    ``y_frac`` is N x C: each superpixel's label fraction (mean of its pixels' one-hot labels).
    """
    device = emb.device
    losses = []
    n = emb.shape[0]
    for c in range(1, y_frac.shape[1]):
        yc = y_frac[:, c]
        cand = torch.nonzero(yc >= 0.5).flatten()
        if cand.numel() == 0:
            continue
        a = cand[torch.randint(cand.numel(), (min(n_anchors, cand.numel()),), generator=generator).to(device)]
        r = torch.randint(n, (min(n_refs, n),), generator=generator).to(device)
        sim = model.similarity(emb[a], emb[r], c)
        target = (yc[a][:, None] + yc[r][None, :]) / 2
        losses.append(F.mse_loss(sim, target))
    if not losses:
        return emb.sum() * 0.0
    return torch.stack(losses).mean()
