"""Build segmentation networks from a model card, and describe them in one."""

from __future__ import annotations

import torch

from wbc_desktop.core.segmentation.models.smgnn import SMGNN, SMGNNConfig, count_parameters
from wbc_desktop.core.segmentation.models.unet import UNet, UNetConfig

ARCHITECTURES = ("smgnn", "unet")


def build_model(arch: str, config: dict) -> torch.nn.Module:
    if arch == "smgnn":
        return SMGNN(SMGNNConfig.from_dict(config))
    if arch == "unet":
        return UNet(UNetConfig.from_dict(config))
    raise ValueError(f"unknown segmentation architecture {arch!r} (known: {', '.join(ARCHITECTURES)})")


def model_config(model: torch.nn.Module) -> dict:
    return model.cfg.to_dict()  # type: ignore[union-attr,operator]  # our models carry a cfg; nn.Module does not say so


def inference_parameters(model: torch.nn.Module) -> int:
    """Parameters used to segment (the metric heads only shape training)."""
    total = count_parameters(model)
    if isinstance(model, SMGNN):
        total -= sum(p.numel() for p in model.metric_proj.parameters()) + 2 * model.metric_a.numel()
    return total
