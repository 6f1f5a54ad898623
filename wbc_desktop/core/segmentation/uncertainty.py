"""The segmenter's per-pixel doubt: the entropy of its class probabilities, kept as 8 bits.

0 means one class at probability 1, 255 means the three classes equally likely (entropy ln 3).
Eight bits are plenty for an overlay and a ranking and keep a 4000x3000 map at 12 MB.
"""

from __future__ import annotations

import math

import numpy as np
import torch

MAX_ENTROPY = math.log(3.0)


def entropy_u8(logits: torch.Tensor) -> np.ndarray:
    """3 x H x W logits -> H x W uint8 normalised entropy (255 = ln 3)."""
    with torch.no_grad():
        lp = torch.log_softmax(logits.float(), dim=0)
        h = -(lp.exp() * lp).sum(0) * (255.0 / MAX_ENTROPY)
        return h.round_().clamp_(0, 255).to(torch.uint8).numpy()
