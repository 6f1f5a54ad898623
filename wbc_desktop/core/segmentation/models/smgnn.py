"""SMGNN: superpixel metric graph neural network (Jiang, Shen, Wang, Ding).

Superpixel graph -> 3 GIN layers -> node embeddings; a metric head scores pairs of nodes
(SIM = a*cos + b) for the superpixel metric loss; embeddings are projected back to pixels
through Q, concatenated with the RGB pixels, and a light dilated CNN gives 3-class logits.
The ``node`` variant instead classifies superpixels directly (cross-entropy on majority labels).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from torch_geometric.nn import GINConv

from wbc_desktop.core.segmentation.graph import GraphBatch


@dataclass
class SMGNNConfig:
    """Architecture settings; stored in the model card so a model file rebuilds itself."""

    in_features: int = 5
    hidden: int = 32
    gnn_layers: int = 3
    metric_dim: int = 12
    pixel_embed: int = 8
    cnn_channels: int = 16
    dilations: list[int] = field(default_factory=lambda: [1, 2, 4, 8, 16])
    n_classes: int = 3
    variant: str = "pixel"  # "pixel" (paper's main model) or "node" (pure GNN)

    @classmethod
    def from_dict(cls, d: dict) -> "SMGNNConfig":
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def to_dict(self) -> dict:
        return asdict(self)


def _gin(in_dim: int, out_dim: int) -> GINConv:
    """h' = MLP((1 + w) h + sum of neighbours), w learnable (GIN-eps)."""
    mlp = nn.Sequential(nn.Linear(in_dim, out_dim), nn.ReLU(), nn.Linear(out_dim, out_dim))
    return GINConv(mlp, train_eps=True)


class PixelCNN(nn.Module):
    """Light CNN on [pixel embedding, RGB]: dilations widen context cheaply for the cytoplasm edge."""

    def __init__(self, in_ch: int, ch: int, dilations: list[int], n_classes: int) -> None:
        super().__init__()
        self.inp = nn.Conv2d(in_ch, ch, 3, padding=1)
        self.blocks = nn.ModuleList(nn.Conv2d(ch, ch, 3, padding=d, dilation=d) for d in dilations)
        self.out = nn.Conv2d(ch, n_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.inp(x))
        for conv in self.blocks:
            h = h + F.relu(conv(h))
        return self.out(h)


class SMGNN(nn.Module):
    def __init__(self, cfg: SMGNNConfig) -> None:
        super().__init__()
        self.cfg = cfg
        dims = [cfg.in_features] + [cfg.hidden] * cfg.gnn_layers
        self.gnn = nn.ModuleList(_gin(a, b) for a, b in zip(dims[:-1], dims[1:]))
        fg = cfg.n_classes - 1  # one metric head per foreground class (cytoplasm, nucleus)
        self.metric_proj = nn.ModuleList(nn.Linear(cfg.hidden, cfg.metric_dim) for _ in range(fg))
        self.metric_a = nn.Parameter(torch.full((fg,), 0.5))
        self.metric_b = nn.Parameter(torch.full((fg,), 0.5))
        if cfg.variant == "pixel":
            self.to_pixels = nn.Linear(cfg.hidden, cfg.pixel_embed)
            self.cnn = PixelCNN(cfg.pixel_embed + 3, cfg.cnn_channels, cfg.dilations, cfg.n_classes)
        elif cfg.variant == "node":
            self.node_head = nn.Linear(cfg.hidden, cfg.n_classes)
        else:
            raise ValueError(f"unknown SMGNN variant {cfg.variant!r}")

    def embed(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        h = x
        for i, conv in enumerate(self.gnn):
            h = conv(h, edge_index)
            if i < len(self.gnn) - 1:
                h = F.relu(h)
        return h

    def similarity(self, emb_a: torch.Tensor, emb_b: torch.Tensor, fg_class: int) -> torch.Tensor:
        """SIM = a * cos(e_i, e_j) + b for every pair (rows of a) x (rows of b)."""
        k = fg_class - 1
        za = F.normalize(self.metric_proj[k](emb_a), dim=-1)
        zb = F.normalize(self.metric_proj[k](emb_b), dim=-1)
        return self.metric_a[k] * (za @ zb.T) + self.metric_b[k]

    def forward(self, batch: GraphBatch, rgb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return pixel logits (B x C x H x W) and node embeddings (N x hidden).

        ``rgb`` is B x 3 x H x W in [-1, 1], the same pixels the graph was built from.
        """
        emb = self.embed(batch.x, batch.edge_index)
        if self.cfg.variant == "node":
            node_logits = self.node_head(emb)
            return node_logits[batch.assignment].permute(0, 3, 1, 2), emb
        pix = self.to_pixels(emb)[batch.assignment].permute(0, 3, 1, 2)  # projection through Q
        return self.cnn(torch.cat([pix, rgb], 1)), emb

    def node_logits(self, emb: torch.Tensor) -> torch.Tensor:
        return self.node_head(emb)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
