"""A plain U-Net: the reference the SMGNN is benchmarked against, trained by the same recipe."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class UNetConfig:
    base: int = 16
    depth: int = 4
    n_classes: int = 3

    @classmethod
    def from_dict(cls, d: dict) -> "UNetConfig":
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})

    def to_dict(self) -> dict:
        return asdict(self)


def _block(a: int, b: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(a, b, 3, padding=1), nn.BatchNorm2d(b), nn.ReLU(inplace=True),
        nn.Conv2d(b, b, 3, padding=1), nn.BatchNorm2d(b), nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    def __init__(self, cfg: UNetConfig) -> None:
        super().__init__()
        self.cfg = cfg
        chs = [cfg.base * 2**i for i in range(cfg.depth + 1)]
        self.down = nn.ModuleList([_block(3, chs[0])] + [_block(chs[i], chs[i + 1]) for i in range(cfg.depth)])
        self.up = nn.ModuleList(nn.ConvTranspose2d(chs[i + 1], chs[i], 2, stride=2) for i in reversed(range(cfg.depth)))
        self.dec = nn.ModuleList(_block(chs[i] * 2, chs[i]) for i in reversed(range(cfg.depth)))
        self.out = nn.Conv2d(chs[0], cfg.n_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        m = 2**self.cfg.depth
        ph, pw = (-h) % m, (-w) % m
        x = F.pad(x, (0, pw, 0, ph), mode="reflect") if ph or pw else x
        skips = []
        for i, blk in enumerate(self.down):
            x = blk(x if i == 0 else F.max_pool2d(x, 2))
            skips.append(x)
        x = skips.pop()
        for up, dec in zip(self.up, self.dec):
            x = dec(torch.cat([up(x), skips.pop()], 1))
        return self.out(x)[..., :h, :w]
