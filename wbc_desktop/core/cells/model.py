"""A light ResNet for typing one normalised cell crop.

Plain torch so the shipped weights load anywhere torch does. Width, depth and input
channels come from the model card, so the segmentation-based model (RGB + nucleus +
cytoplasm masks, 5 channels) and the image-only baseline (RGB, 3 channels) share one class.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
from torch import nn


def norm_layer(kind: str, channels: int) -> nn.Module:
    """BatchNorm (the shipped models) or GroupNorm: per-image statistics, so a stain unlike the
    training labs' is not normalised with their batch statistics (Tsutsui, Su, Wen 2023 found
    BatchNorm to be why ResNets generalise poorly across WBC data sets)."""
    if kind == "group":
        return nn.GroupNorm(min(8, channels), channels)
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    raise ValueError(f"unknown norm {kind!r} (batch or group)")


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with a residual shortcut (1x1 projection when the shape changes)."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1, norm: str = "batch") -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = norm_layer(norm, c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = norm_layer(norm, c_out)
        self.short: nn.Module = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.short = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), norm_layer(norm, c_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + self.short(x))


class CellResNet(nn.Module):
    """ResNet: stride-2 stem, one stage per width (stride 2 after the first), global pool, linear.

    Parameters
    ----------
    n_classes : number of output classes.
    in_channels : 5 for RGB + nucleus + cytoplasm, 3 for the image-only baseline.
    widths : channels per stage.
    depths : residual blocks per stage.
    dropout : before the classifier layer.
    norm : "batch" (default) or "group" (see :func:`norm_layer`).
    """

    def __init__(
        self,
        n_classes: int,
        in_channels: int = 5,
        widths: Sequence[int] = (24, 48, 96, 160),
        depths: Sequence[int] = (1, 1, 1, 1),
        dropout: float = 0.1,
        norm: str = "batch",
    ) -> None:
        super().__init__()
        if len(widths) != len(depths):
            raise ValueError("widths and depths need one entry per stage")
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, widths[0], 3, 2, 1, bias=False), norm_layer(norm, widths[0]), nn.ReLU(inplace=True)
        )
        layers: list[nn.Module] = []
        c = widths[0]
        for i, (w, d) in enumerate(zip(widths, depths)):
            for j in range(d):
                layers.append(BasicBlock(c, w, stride=2 if (i > 0 and j == 0) else 1, norm=norm))
                c = w
        self.stages = nn.Sequential(*layers)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(c, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stages(self.stem(x))
        x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(self.drop(x))


def build_classifier(arch: dict[str, Any], n_classes: int) -> CellResNet:
    """Build from a card's ``arch`` dict: {"in_channels", "widths", "depths", "dropout"[, "norm"]}."""
    return CellResNet(
        n_classes,
        in_channels=int(arch.get("in_channels", 5)),
        widths=tuple(arch.get("widths", (24, 48, 96, 160))),
        depths=tuple(arch.get("depths", (1, 1, 1, 1))),
        dropout=float(arch.get("dropout", 0.1)),
        norm=str(arch.get("norm", "batch")),
    )


def count_params(model: nn.Module) -> int:
    return int(sum(p.numel() for p in model.parameters()))
