"""Folding BatchNorm into the preceding convolution for inference.

Why: in eval mode a BatchNorm is a fixed per-channel affine map, so it can be merged into the
convolution's weights and bias. The network then runs one kernel per layer instead of two,
which matters on a CPU where a one-cell field is typed in a few milliseconds. The trained
module is left untouched (training, AdaBN diagnosis and retraining need the BatchNorms).
"""

from __future__ import annotations

import copy

from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval


def fuse_conv_bn(model: nn.Module) -> nn.Module:
    """An eval-mode copy of ``model`` with every Conv2d -> BatchNorm2d pair folded into one conv.

    Pairs are found as consecutive children of a container (``nn.Sequential``) or as the
    attributes ``convN``/``bnN`` of a block; anything else is copied as it is.
    """
    fused = copy.deepcopy(model).eval()
    _fuse_children(fused)
    return fused


def _fuse_children(module: nn.Module) -> None:
    names = list(module._modules)
    for i, name in enumerate(names):
        child = module._modules[name]
        if child is None:
            continue
        nxt_name = _partner(module, names, i)
        if isinstance(child, nn.Conv2d) and nxt_name is not None:
            bn = module._modules[nxt_name]
            assert isinstance(bn, nn.modules.batchnorm._BatchNorm)  # _partner found a BatchNorm
            module._modules[name] = fuse_conv_bn_eval(child, bn)
            module._modules[nxt_name] = nn.Identity()
        else:
            _fuse_children(child)


def _partner(module: nn.Module, names: list[str], i: int) -> str | None:
    """The BatchNorm that directly follows conv ``names[i]``: next in a Sequential, or bnN for convN."""
    name = names[i]
    if isinstance(module, nn.Sequential):
        if i + 1 < len(names) and isinstance(module._modules[names[i + 1]], nn.BatchNorm2d):
            return names[i + 1]
        return None
    if name.startswith("conv"):
        bn_name = "bn" + name[len("conv"):]
        if isinstance(module._modules.get(bn_name), nn.BatchNorm2d):
            return bn_name
    return None
